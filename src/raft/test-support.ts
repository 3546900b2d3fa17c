/**
 * Helpers shared by the Raft core's unit tests (src/raft/*.test.ts): node construction, entry and
 * message builders, the reference state machine's expectations, and a storage model. Not a test
 * file itself (vitest does not collect it) and not part of the build (tsconfig.build.json).
 */
import { expect } from 'vitest';
import type { BugName } from './bugs.js';
import { KvStateMachine } from './kv.js';
import type {
  AppendEntries,
  AppendEntriesReply,
  InstallSnapshot,
  InstallSnapshotReply,
  RequestVote,
  RequestVoteReply,
} from './messages.js';
import { RaftCore } from './node.js';
import type { Applied, Command, DurableWrite, Entry, HardState, Message, NodeId, Output, Snapshot, StoredState } from './types.js';

// ---- timing and randomness --------------------------------------------------------------------

export const TIMING = { electionTimeoutMinMs: 150, electionTimeoutMaxMs: 300, heartbeatMs: 50 } as const;
/** With the default randomInt, (lo, hi) => lo, every election timeout is the minimum. */
export const ELECTION = 150;
export const HEARTBEAT = 50;

/** Numerical Recipes LCG; uniform enough for timeouts. */
export function lcg(seed: number): (lo: number, hi: number) => number {
  let s = seed >>> 0;
  return (lo, hi) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return lo + ((s >>> 8) % (hi - lo + 1));
  };
}

// ---- nodes --------------------------------------------------------------------------------------

export interface Opts {
  /** Default [1, 2, 3]. */
  readonly cluster?: readonly NodeId[];
  /** Default null (a fresh node). */
  readonly stored?: StoredState | null;
  /** Default null (the correct core). */
  readonly bug?: BugName | null;
  /** Default 0 (never snapshot). */
  readonly snapshotThreshold?: number;
  /** Default (lo, hi) => lo, so every election timeout is ELECTION. */
  readonly randomInt?: (lo: number, hi: number) => number;
}

/**
 * A value as plain objects, without undefined fields. Our core builds outputs and writes
 * with one fixed layout (absent parts undefined, for speed); the tests pin what an output
 * holds, so they compare it in this form.
 */
export function plain<T>(v: T): T {
  if (Array.isArray(v)) return v.map(plain) as T;
  if (v === null || typeof v !== 'object') return v;
  const o: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) if (x !== undefined) o[k] = plain(x);
  return o as T;
}

/** Our core, its outputs in plain form (see {@link plain}). */
class PlainCore extends RaftCore {
  override start(): Output {
    return plain(super.start());
  }
  override tick(): Output {
    return plain(super.tick());
  }
  override receive(m: Message): Output {
    return plain(super.receive(m));
  }
  override propose(c: Command): Output {
    return plain(super.propose(c));
  }
  override compact(): Output {
    return plain(super.compact());
  }
}

export function create(id: NodeId, o: Opts = {}): RaftCore {
  return new PlainCore(
    {
      id,
      cluster: o.cluster ?? [1, 2, 3],
      randomInt: o.randomInt ?? ((lo) => lo),
      seed: 1,
      stored: o.stored ?? null,
      timing: TIMING,
      snapshotThreshold: o.snapshotThreshold ?? 0,
    },
    { bug: o.bug ?? null },
  );
}

export function boot(id: NodeId, o: Opts = {}): RaftCore {
  const n = create(id, o);
  n.start();
  return n;
}

/** Boot, campaign and collect votes until leader; the outputs are discarded. */
export function elect(id: NodeId, o: Opts = {}): RaftCore {
  const n = boot(id, o);
  n.tick();
  const term = n.observe().term;
  for (const p of o.cluster ?? [1, 2, 3]) if (p !== id && n.observe().role !== 'leader') n.receive(rvr(p, id, term, true));
  expect(n.observe().role).toBe('leader');
  return n;
}

/** Boot and let the election timer fire once; the outputs are discarded. */
export function candidate(id: NodeId, o: Opts = {}): RaftCore {
  const n = boot(id, o);
  n.tick();
  expect(n.observe().role).toBe('candidate');
  return n;
}

// ---- entries, logs and storage ------------------------------------------------------------------

export const cmd = (index: number, term: number): Command => ({ id: `e${index}t${term}`, key: `k${index}`, value: `t${term}` });
export const ent = (index: number, term: number): Entry => ({ index, term, command: cmd(index, term) });
/** Entries with the given terms at indexes 1..n; the command is derived from (index, term). */
export const logOf = (...terms: number[]): Entry[] => terms.map((term, i) => ent(i + 1, term));

export function stored(term: number, votedFor: NodeId | null, terms: number[] = []): StoredState {
  return { hardState: { term, votedFor }, snapshot: null, log: logOf(...terms) };
}

/** What applying `log` from index 1 yields for indexes from..to (digests chained by a reference state machine). */
export function appliedOf(log: readonly Entry[], from: number, to: number): Applied[] {
  const kv = new KvStateMachine();
  const out: Applied[] = [];
  for (const e of log) {
    const digest = kv.apply(e.index, e.term, e.command);
    if (e.index >= from && e.index <= to) out.push({ index: e.index, term: e.term, command: e.command, digest });
  }
  return out;
}

/** The snapshot a correct node takes after applying log[1..lastIncludedIndex]. */
export function snapOf(log: readonly Entry[], lastIncludedIndex: number): Snapshot {
  const kv = new KvStateMachine();
  for (const e of log.slice(0, lastIncludedIndex)) kv.apply(e.index, e.term, e.command);
  return { lastIncludedIndex, lastIncludedTerm: log[lastIncludedIndex - 1].term, digest: kv.digest, data: kv.save() };
}

/** Every write of an output in order (`write` or `writes`), all kept: a disk nothing is lost from. */
export function foldOutput(s: StoredState | null, out: Output): StoredState {
  let disk = fold(s, undefined);
  for (const w of out.writes ?? (out.write === undefined ? [] : [out.write])) disk = fold(disk, w);
  return disk;
}

/** Storage per types.ts: hardState replaces; snapshot drops covered entries; truncateFrom; append must extend by one. */
export function fold(s: StoredState | null, w: DurableWrite | undefined): StoredState {
  let hardState: HardState = s?.hardState ?? { term: 0, votedFor: null };
  let snapshot = s?.snapshot ?? null;
  let log = [...(s?.log ?? [])];
  if (w === undefined) return { hardState, snapshot, log };
  if (w.hardState !== undefined) hardState = w.hardState;
  if (w.snapshot !== undefined) {
    snapshot = w.snapshot;
    log = log.filter((e) => e.index > w.snapshot!.lastIncludedIndex);
  }
  if (w.truncateFrom !== undefined) log = log.filter((e) => e.index < w.truncateFrom!);
  for (const e of w.append ?? []) {
    const last = log.length > 0 ? log[log.length - 1].index : (snapshot?.lastIncludedIndex ?? 0);
    if (e.index !== last + 1) throw new Error(`append of index ${e.index} after storage index ${last}`);
    log.push(e);
  }
  return { hardState, snapshot, log };
}

// ---- messages and outputs -----------------------------------------------------------------------

export const rv = (from: NodeId, to: NodeId, term: number, lastLogIndex: number, lastLogTerm: number): RequestVote => ({ type: 'RequestVote', from, to, term, lastLogIndex, lastLogTerm });
export const rvr = (from: NodeId, to: NodeId, term: number, granted: boolean): RequestVoteReply => ({ type: 'RequestVoteReply', from, to, term, granted });
export const ae = (from: NodeId, to: NodeId, term: number, prevLogIndex: number, prevLogTerm: number, entries: Entry[] = [], leaderCommit = 0): AppendEntries => ({
  type: 'AppendEntries', from, to, term, prevLogIndex, prevLogTerm, entries, leaderCommit,
});
export const aer = (from: NodeId, to: NodeId, term: number, success: boolean, matchIndex = 0, conflictTerm = 0, conflictIndex = 0): AppendEntriesReply => ({
  type: 'AppendEntriesReply', from, to, term, success, matchIndex, conflictTerm, conflictIndex,
});
export const is = (from: NodeId, to: NodeId, term: number, snapshot: Snapshot): InstallSnapshot => ({ type: 'InstallSnapshot', from, to, term, snapshot });
export const isr = (from: NodeId, to: NodeId, term: number, matchIndex: number): InstallSnapshotReply => ({ type: 'InstallSnapshotReply', from, to, term, matchIndex });

/** The exact Output: nothing but what is listed. */
export function output(o: Partial<Output>): Output {
  return { messages: [], applied: [], ...o };
}
