import type { Applied, Command, DurableWrite, Entry, HardState, Message, NodeId, Observation, Output, ProposalResult, Role, Snapshot, StoredState, Timing } from '../raft/types.js';
import { describeMessage } from './describe.js';

/**
 * The boundary between the simulator and a node it does not trust. Whatever a node hands
 * back is read here exactly once, inside the simulator's try, and copied into plain data: a throwing getter, a value of the wrong type or a later mutation by the node becomes
 * a problem named at the step it happened (an `implementation-error`), never a crash of
 * raft-check and never a trace that replay would reject as malformed.
 */

const TRUSTED = new WeakSet<object>();

/**
 * Marks a factory as raft-check's own core (with or without a built-in bug): its outputs are
 * ours and tested, so the simulator skips the copy for them, which is a fifth of a run's CPU
 * time. Every other factory's output goes through {@link checkOutput}.
 */
export function trustFactory<T extends object>(factory: T): T {
  TRUSTED.add(factory);
  return factory;
}

export function isTrusted(factory: object): boolean {
  return TRUSTED.has(factory);
}

/** A reason the node's output or observation is unusable, said in one phrase. */
export class Malformed {
  constructor(readonly problem: string) {}
}

export interface OutputLimits {
  readonly id: NodeId;
  readonly nodes: number;
  readonly maxMessages: number;
}

const ROLES: ReadonlySet<string> = new Set<Role>(['follower', 'candidate', 'leader']);

const isNat = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const show = (v: unknown): string => {
  try {
    if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
    if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'undefined' || v === null) return String(v);
    if (typeof v === 'function') return 'a function';
    if (typeof v === 'object' && typeof (v as { then?: unknown }).then === 'function') return 'a Promise';
    return typeof v;
  } catch {
    return 'an unreadable value';
  }
};

function fail(problem: string): never {
  throw new Malformed(problem);
}

function nat(v: unknown, what: string): number {
  if (!isNat(v)) fail(`${what} is ${show(v)}, expected a whole number >= 0`);
  return v;
}

function nodeOrNull(v: unknown, what: string, nodes: number): NodeId | null {
  if (v === null || v === undefined) return null;
  if (!(typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= nodes)) fail(`${what} is ${show(v)}, expected null or a node id 1..${nodes}`);
  return v;
}

function object(v: unknown, what: string): Record<string, unknown> {
  if (v === null || typeof v !== 'object') fail(`${what} is ${show(v)}, expected an object`);
  return v as Record<string, unknown>;
}

function array(v: unknown, what: string, max = Infinity): readonly unknown[] {
  if (!Array.isArray(v)) fail(`${what} is ${show(v)}, expected an array`);
  if (v.length > max) fail(`${what} has ${v.length} items (at most ${max} per input)`);
  return v;
}

/** Each item through `f`; a problem names the item: `applied[2].digest is ...`. */
function each<T>(v: unknown, what: string, f: (item: unknown) => T, max = Infinity): T[] {
  const items = array(v, what, max);
  const out = new Array<T>(items.length);
  for (let i = 0; i < items.length; i++) {
    try {
      out[i] = f(items[i]);
    } catch (e) {
      if (e instanceof Malformed) throw new Malformed(`${what}[${i}]${e.problem}`);
      throw e;
    }
  }
  return out;
}

// The checks below name what they look at relative to the item (".index is ..."): the names
// are constants, since building a path string for every field of every output is most of the
// cost of checking it.

function commandOf(v: unknown): Command | null {
  if (v === null) return null;
  const c = object(v, '.command');
  const id = c.id;
  const key = c.key;
  const value = c.value;
  if (typeof id !== 'string' || typeof key !== 'string' || typeof value !== 'string') fail('.command is not a command { id, key, value } of strings');
  return { id, key, value };
}

function entryOf(v: unknown): Entry {
  const e = object(v, '');
  return { index: nat(e.index, '.index'), term: nat(e.term, '.term'), command: commandOf(e.command) };
}

function hardStateOf(v: unknown, nodes: number): HardState {
  const h = object(v, '.hardState');
  return { term: nat(h.term, '.hardState.term'), votedFor: nodeOrNull(h.votedFor, '.hardState.votedFor', nodes) };
}

function snapshotOf(v: unknown): Snapshot {
  const s = object(v, '.snapshot');
  return {
    lastIncludedIndex: nat(s.lastIncludedIndex, '.snapshot.lastIncludedIndex'),
    lastIncludedTerm: nat(s.lastIncludedTerm, '.snapshot.lastIncludedTerm'),
    digest: nat(s.digest, '.snapshot.digest'),
    // The state machine itself is the node's business (opaque, JSON-serializable).
    data: s.data,
  };
}

function writeOf(v: unknown, nodes: number): DurableWrite {
  const w = object(v, '');
  const out: { -readonly [K in keyof DurableWrite]: DurableWrite[K] } = {};
  if (w.hardState !== undefined) out.hardState = hardStateOf(w.hardState, nodes);
  if (w.snapshot !== undefined) out.snapshot = snapshotOf(w.snapshot);
  if (w.truncateFrom !== undefined) out.truncateFrom = nat(w.truncateFrom, '.truncateFrom');
  if (w.append !== undefined) {
    try {
      out.append = each(w.append, '', entryOf);
    } catch (e) {
      throw e instanceof Malformed ? new Malformed(`.append${e.problem}`) : e;
    }
  }
  if (w.sync !== undefined) {
    if (typeof w.sync !== 'boolean') fail(`.sync is ${show(w.sync)}, expected true or false`);
    out.sync = w.sync;
  }
  return out;
}

function appliedOf(v: unknown): Applied {
  const a = object(v, '');
  return { index: nat(a.index, '.index'), term: nat(a.term, '.term'), command: commandOf(a.command), digest: nat(a.digest, '.digest') };
}

function messageOf(v: unknown, l: OutputLimits): Message {
  const m = object(v, '');
  const type = m.type;
  if (typeof type !== 'string' || type === '') fail(`.type is ${show(type)}, expected a non-empty string`);
  if (m.from !== l.id) fail(` claims to be from ${show(m.from)}`);
  const to = m.to;
  if (!(typeof to === 'number' && Number.isInteger(to) && to >= 1 && to <= l.nodes) || to === l.id) fail(` is addressed to unknown node ${show(to)}`);
  if (m.term !== undefined && !isNat(m.term)) fail(`.term is ${show(m.term)}, expected a whole number >= 0 or no term`);
  if (m.summary !== undefined && typeof m.summary !== 'string') fail(`.summary is ${show(m.summary)}, expected a string`);
  // The payload is the implementation's: the object travels as it is (receivers must not mutate it).
  return m as unknown as Message;
}

function proposalOf(v: unknown, nodes: number): ProposalResult {
  const p = object(v, 'proposal');
  if (p.accepted === true) return { accepted: true, index: nat(p.index, 'proposal.index'), term: nat(p.term, 'proposal.term') };
  if (p.accepted === false) return { accepted: false, leaderHint: nodeOrNull(p.leaderHint, 'proposal.leaderHint', nodes) };
  return fail(`proposal.accepted is ${show(p.accepted)}, expected true or false`);
}

/**
 * A node's output as a plain copy, or the first problem with it. Call it inside the try
 * that catches the node's own throws: a getter that throws is the node's error too.
 */
export function checkOutput(raw: unknown, l: OutputLimits): Output | Malformed {
  try {
    if (raw !== null && typeof raw === 'object' && typeof (raw as { then?: unknown }).then === 'function') {
      fail('a Promise: every input is answered synchronously (no async methods)');
    }
    const o = object(raw, 'the output');
    const messages = each(o.messages, 'messages', (m) => messageOf(m, l), l.maxMessages);
    const applied = each(o.applied, 'applied', appliedOf);
    const out: { -readonly [K in keyof Output]: Output[K] } = { messages, applied };
    if (o.write !== undefined && o.writes !== undefined) fail('it carries both write and writes (write is shorthand for writes: [write])');
    if (o.write !== undefined) {
      try {
        out.write = writeOf(o.write, l.nodes);
      } catch (e) {
        throw e instanceof Malformed ? new Malformed(`write${e.problem}`) : e;
      }
    }
    if (o.writes !== undefined) out.writes = each(o.writes, 'writes', (w) => writeOf(w, l.nodes));
    if (o.restored !== undefined) {
      const r = object(o.restored, 'restored');
      out.restored = { index: nat(r.index, 'restored.index'), term: nat(r.term, 'restored.term'), digest: nat(r.digest, 'restored.digest') };
    }
    if (o.timer !== undefined) {
      if (!(typeof o.timer === 'number' && o.timer >= 0 && Number.isFinite(o.timer))) fail(`timer is ${show(o.timer)}`);
      out.timer = o.timer;
    }
    if (o.proposal !== undefined) out.proposal = proposalOf(o.proposal, l.nodes);
    return out;
  } catch (e) {
    if (e instanceof Malformed) return e;
    return new Malformed(`reading it threw ${thrownText(e)}`);
  }
}

/** observe()'s result as a copy (checkers keep it as the next step's `before`), or its first problem. */
export function checkObservation(raw: unknown, nodes: number): Observation | Malformed {
  try {
    const o = object(raw, 'observe()');
    const role = o.role;
    if (typeof role !== 'string' || !ROLES.has(role)) fail(`observe().role is ${show(role)}, expected follower, candidate or leader`);
    return {
      role: role as Role,
      term: nat(o.term, 'observe().term'),
      votedFor: nodeOrNull(o.votedFor, 'observe().votedFor', nodes),
      commitIndex: nat(o.commitIndex, 'observe().commitIndex'),
      lastApplied: nat(o.lastApplied, 'observe().lastApplied'),
      leaderId: nodeOrNull(o.leaderId, 'observe().leaderId', nodes),
    };
  } catch (e) {
    if (e instanceof Malformed) return e;
    return new Malformed(`reading observe()'s result threw ${thrownText(e)}`);
  }
}

const METHODS = ['start', 'tick', 'receive', 'propose', 'observe'] as const;

/** What keeps create()'s result from being a node, or null. */
export function nodeProblem(node: unknown): string | null {
  try {
    if (node === null || typeof node !== 'object') return `create() returned ${show(node)} instead of a node`;
    const missing = METHODS.filter((m) => typeof (node as Record<string, unknown>)[m] !== 'function');
    return missing.length === 0 ? null : `create() returned a node without ${missing.map((m) => `${m}()`).join(', ')}`;
  } catch (e) {
    return `reading the node create() returned threw ${thrownText(e)}`;
  }
}

/** Frozen copies of what a node is handed, so a node that mutates them changes only its copy's attempt. */
export function frozenInit(cluster: readonly NodeId[], timing: Timing, stored: StoredState | null): { cluster: readonly NodeId[]; timing: Timing; stored: StoredState | null } {
  return {
    cluster: Object.freeze(cluster.slice()),
    timing: Object.freeze({ ...timing }),
    stored:
      stored === null
        ? null
        : Object.freeze({
            hardState: Object.freeze({ ...stored.hardState }),
            snapshot: stored.snapshot === null ? null : Object.freeze({ ...stored.snapshot }),
            log: Object.freeze(stored.log.map((e) => (Object.isFrozen(e) ? e : Object.freeze({ ...e })))),
          }),
  };
}

/** A message's trace summary that never throws, whatever the message holds. */
export function summarize(m: Message): string {
  try {
    return describeMessage(m);
  } catch {
    const type = typeof m.type === 'string' ? m.type : '?';
    return isNat(m.term) ? `${type} t${m.term}` : type;
  }
}

// ---- thrown values --------------------------------------------------------------------------

/** This module's directory: frames from here (the simulator) and below are ours, not the user's. */
const OWN_DIR = ((): string => {
  const url = import.meta.url;
  const path = url.startsWith('file://') ? decodeURIComponent(url.slice('file://'.length)) : url;
  return path.slice(0, path.lastIndexOf('/') + 1);
})();
/** raft-check's code (dist/ or src/): its frames are skipped, except its test fixtures'. */
const CODE_ROOT = OWN_DIR.slice(0, OWN_DIR.slice(0, -1).lastIndexOf('/') + 1);

const FRAME = /^\s*at (?:.*? \()?(.+?):(\d+):\d+\)?$/;

/**
 * The user's frames of a stack as `file:line`, innermost first: the frames above the first
 * one in the simulator, without Node's own. File names only, so a finding reads the same on
 * every machine (traces compare findings when they are replayed).
 */
export function userFrames(stack: string, max = 3): string[] {
  const out: string[] = [];
  for (const line of stack.split('\n')) {
    const m = FRAME.exec(line);
    if (m === null) continue;
    let file = m[1];
    if (file.startsWith('file://')) file = decodeURIComponent(file.slice('file://'.length));
    if (file.startsWith(OWN_DIR)) break;
    if (file.startsWith('node:') || file === 'native' || file.startsWith('<')) continue;
    if (file.startsWith(CODE_ROOT) && !file.includes('/fixtures/')) continue;
    out.push(`${file.slice(file.lastIndexOf('/') + 1)}:${m[2]}`);
    if (out.length === max) break;
  }
  return out;
}

/**
 * Anything a node threw as one line: `TypeError: x is undefined (at my-raft.mjs:12)`. Never
 * throws itself: not for a thrown string, null, a symbol, or an object whose toString throws.
 */
export function thrownText(err: unknown): string {
  let text: string;
  try {
    if (err instanceof Error) {
      const name = String(err.name);
      const message = String(err.message);
      const frames = typeof err.stack === 'string' ? userFrames(err.stack) : [];
      text = `${name}: ${message}${frames.length > 0 ? ` (at ${frames.join(' < ')})` : ''}`;
    } else if (typeof err === 'object' && err !== null) {
      let json: string | undefined;
      try {
        json = JSON.stringify(err);
      } catch {
        json = undefined;
      }
      text = `a non-Error value ${json ?? Object.prototype.toString.call(err)}`;
    } else {
      text = `a non-Error value ${typeof err === 'string' ? JSON.stringify(err) : String(err)}`;
    }
  } catch {
    text = 'a value that cannot be shown (reading it threw)';
  }
  const line = text.split('\n')[0];
  return line.length > 300 ? `${line.slice(0, 299)}…` : line;
}
