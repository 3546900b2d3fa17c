import type { EventKind, TraceEvent } from '../sim/events.js';
import type { NodeId, Role } from '../raft/types.js';
import { explain, type Explanation } from '../explain/index.js';
import type { MessageRecord } from '../sim/ledger.js';
import { bySendStep, undelivered, type Undelivered } from '../report/messages.js';

/**
 * The viewer's model: trace events folded into the cluster state after each step. Plain
 * TypeScript, no React; it reads a recording and never runs the simulator.
 *
 * States are immutable and share structure, so a checkpoint is a reference. One is kept every
 * `K` steps; any step is reached by folding forward from the nearest one below it (at most
 * K - 1 events), which keeps stepping back as cheap as stepping forward.
 */

/** One log entry as the viewer draws it: [index, term, command id (null for a no-op)]. */
export type Cell = readonly [index: number, term: number, cmd: string | null];

export interface NodeView {
  readonly id: NodeId;
  /** False between a crash and the next restart. */
  readonly up: boolean;
  /** False until the node's `start` event. */
  readonly started: boolean;
  readonly role: Role;
  readonly term: number;
  readonly vote: NodeId | null;
  /** Volatile: as last observed; a crash keeps the last value shown (dimmed by the view). */
  readonly commit: number;
  readonly applied: number;
  /** Entries 1..snapIndex are compacted into a snapshot whose last entry has snapTerm. */
  readonly snapIndex: number;
  readonly snapTerm: number;
  /** The durable log after the snapshot. Invariant: log[i][0] === snapIndex + 1 + i. */
  readonly log: readonly Cell[];
}

export interface ClusterState {
  /** Index into the event list of the last event folded in; -1 for the state before any. */
  readonly at: number;
  /** Virtual time of that event, ms (0 before any). */
  readonly t: number;
  /** nodes[id - 1]. */
  readonly nodes: readonly NodeView[];
  /** blocked[(from - 1) * n + (to - 1)]: how many cuts currently block the link from -> to. */
  readonly blocked: readonly number[];
  /**
   * Partition group per node (groups[id - 1], 0-based, numbered in order of their smallest
   * member), or null when every link is open both ways between all nodes' groups (one group).
   */
  readonly groups: readonly number[] | null;
  /** Links cut in one direction only, or inside a group: [from, to]. */
  readonly oneWay: readonly (readonly [NodeId, NodeId])[];
}

/** The part of a trace the model needs (a TraceFile fits). */
export interface ModelInput {
  readonly schedule: { readonly nodes: number };
  readonly events: readonly TraceEvent[];
  readonly violation?: {
    readonly step: number;
    readonly nodes: readonly NodeId[];
    readonly index?: number;
    readonly terms?: readonly number[];
    readonly invariant?: string;
    readonly kind?: string;
    readonly time?: number;
    readonly message?: string;
  } | null;
  /** Every message copy with its fate, when a replay derived them (traces do not hold them). */
  readonly messages?: readonly MessageRecord[];
}

export const CHECKPOINT_EVERY = 64;

export function initialState(nodes: number): ClusterState {
  const views: NodeView[] = [];
  for (let id = 1; id <= nodes; id++) {
    views.push({ id, up: true, started: false, role: 'follower', term: 0, vote: null, commit: 0, applied: 0, snapIndex: 0, snapTerm: 0, log: [] });
  }
  return { at: -1, t: 0, nodes: views, blocked: new Array<number>(nodes * nodes).fill(0), groups: null, oneWay: [] };
}

/** The last index a node holds (snapshot included). */
export function lastIndex(v: NodeView): number {
  return v.snapIndex + v.log.length;
}

/** The term of the entry at `index` on a node, or undefined when it does not hold it; snapshot entries report the snapshot's term only at its last index. */
export function termAt(v: NodeView, index: number): number | undefined {
  if (index === v.snapIndex) return index === 0 ? 0 : v.snapTerm;
  if (index < v.snapIndex || index > lastIndex(v)) return undefined;
  return v.log[index - v.snapIndex - 1][1];
}

/** Applies a durable log change as storage does: snapshot, then truncate, then append. */
function applyLog(v: NodeView, ch: NonNullable<TraceEvent['log']>): NodeView {
  // A crash that lost writes: the log is what survived, a snapshot (or none) and entries.
  let snapIndex = ch.reset === true ? 0 : v.snapIndex;
  let snapTerm = ch.reset === true ? 0 : v.snapTerm;
  let log = ch.reset === true ? [] : v.log;
  if (ch.snap !== undefined) {
    const [si, st] = ch.snap;
    const last = snapIndex + log.length;
    log = si >= snapIndex && si < last ? log.slice(si - snapIndex) : [];
    snapIndex = si;
    snapTerm = st;
  }
  if (ch.trunc !== undefined && ch.trunc > snapIndex && ch.trunc <= snapIndex + log.length) {
    log = log.slice(0, ch.trunc - snapIndex - 1);
  }
  if (ch.app !== undefined && ch.app.length > 0) {
    log = [...log, ...ch.app.map((c): Cell => [c[0], c[1], c[2]])];
  }
  return { ...v, snapIndex, snapTerm, log };
}

/** Connected groups over links open in both directions; null when there is one group. */
export function partitionGroups(n: number, blocked: readonly number[]): { groups: number[] | null; oneWay: [NodeId, NodeId][] } {
  const group = new Array<number>(n).fill(-1);
  let next = 0;
  for (let s = 0; s < n; s++) {
    if (group[s] !== -1) continue;
    group[s] = next;
    const stack = [s];
    while (stack.length > 0) {
      const a = stack.pop()!;
      for (let b = 0; b < n; b++) {
        if (group[b] === -1 && blocked[a * n + b] === 0 && blocked[b * n + a] === 0) {
          group[b] = next;
          stack.push(b);
        }
      }
    }
    next++;
  }
  const oneWay: [NodeId, NodeId][] = [];
  for (let a = 0; a < n; a++) {
    for (let b = 0; b < n; b++) {
      if (a !== b && blocked[a * n + b] > 0 && (group[a] === group[b] || blocked[b * n + a] === 0)) oneWay.push([a + 1, b + 1]);
    }
  }
  return { groups: next <= 1 ? null : group, oneWay };
}

function withLinks(s: ClusterState, blocked: number[]): Pick<ClusterState, 'blocked' | 'groups' | 'oneWay'> {
  const { groups, oneWay } = partitionGroups(s.nodes.length, blocked);
  return { blocked, groups, oneWay };
}

/** The cluster state after one more event. Pure: `s` is not modified. */
export function foldEvent(s: ClusterState, e: TraceEvent, at: number): ClusterState {
  const n = s.nodes.length;
  let nodes = s.nodes;
  let links: Pick<ClusterState, 'blocked' | 'groups' | 'oneWay'> = { blocked: s.blocked, groups: s.groups, oneWay: s.oneWay };
  const id = e.node;
  if (id >= 1 && id <= n) {
    const before = nodes[id - 1];
    let v = before;
    if (e.kind === 'crash') v = { ...v, up: false };
    if (e.kind === 'start' || e.kind === 'restart') v = { ...v, up: true, started: true };
    if (e.state !== undefined) {
      const st = e.state;
      v = { ...v, role: st.role, term: st.term, vote: st.vote, commit: st.commit, applied: st.applied };
    }
    if (e.log !== undefined) v = applyLog(v, e.log);
    for (const ch of e.logs ?? []) v = applyLog(v, ch);
    if (e.apply !== undefined && e.apply[1] > v.applied) v = { ...v, applied: e.apply[1] };
    if (v !== before) {
      const copy = nodes.slice();
      copy[id - 1] = v;
      nodes = copy;
    }
  }
  if ((e.kind === 'partition' || e.kind === 'heal') && e.links !== undefined && e.links.length > 0) {
    const blocked = s.blocked.slice();
    for (const [a, b] of e.links) {
      if (a < 1 || a > n || b < 1 || b > n) continue;
      const i = (a - 1) * n + (b - 1);
      blocked[i] = e.kind === 'partition' ? blocked[i] + 1 : Math.max(0, blocked[i] - 1);
    }
    links = withLinks(s, blocked);
  }
  if (e.kind === 'phase' && s.blocked.some((x) => x > 0)) {
    // The simulator's calm phase heals every link at once.
    links = withLinks(s, new Array<number>(n * n).fill(0));
  }
  return { at, t: e.t, nodes, ...links };
}

/** What changed on the event's node, as a short phrase for the timeline ("" when nothing). */
export function describeChange(before: ClusterState, after: ClusterState, e: TraceEvent): string {
  const id = e.node;
  if (id < 1 || id > after.nodes.length) return '';
  if (e.kind === 'apply' && e.apply !== undefined) return `applied ${e.apply[0] === e.apply[1] ? e.apply[0] : `${e.apply[0]}..${e.apply[1]}`}`;
  const a = before.nodes[id - 1];
  const b = after.nodes[id - 1];
  if (a === b) return '';
  const parts: string[] = [];
  if (b.up !== a.up && !b.up) return '';
  if (b.role !== a.role || (b.term !== a.term && b.role !== 'follower')) parts.push(`${b.role} t${b.term}`);
  else if (b.term !== a.term) parts.push(`t${b.term}`);
  if (b.vote !== a.vote && b.vote !== null) parts.push(`vote ${b.vote}`);
  const ch = e.log;
  if (ch?.snap !== undefined) parts.push(`snap ${ch.snap[0]}/t${ch.snap[1]}`);
  if (ch?.trunc !== undefined) parts.push(`trunc ${ch.trunc}..`);
  if (ch?.app !== undefined && ch.app.length > 0) {
    const f = ch.app[0];
    const l = ch.app[ch.app.length - 1];
    const terms = [...new Set(ch.app.map((c) => c[1]))].join(',');
    parts.push(f[0] === l[0] ? `+${f[0]}/t${terms}` : `+${f[0]}..${l[0]}/t${terms}`);
  }
  if (b.commit !== a.commit) parts.push(`commit ${b.commit}`);
  return parts.join(', ');
}

/** Does the event involve the node: it happens to it, comes from it, or cuts or heals its links. */
export function touches(e: TraceEvent, node: NodeId): boolean {
  if (e.node === node || e.from === node) return true;
  return e.links !== undefined && e.links.some(([a, b]) => a === node || b === node);
}

/** What a violation points at, for highlighting. */
export interface Involvement {
  /** The nodes the finding names. */
  readonly nodes: readonly NodeId[];
  /** The log index the finding is about, if any. */
  readonly index: number | null;
  readonly terms: readonly number[];
}

/** How one node relates to the violation's index in a given state. */
export type Holding =
  | { readonly kind: 'entry'; readonly term: number; readonly cmd: string | null }
  | { readonly kind: 'snapshot' }
  | { readonly kind: 'missing' };

export function holding(v: NodeView, index: number): Holding {
  if (index <= v.snapIndex) return { kind: 'snapshot' };
  if (index > lastIndex(v)) return { kind: 'missing' };
  const c = v.log[index - v.snapIndex - 1];
  return { kind: 'entry', term: c[1], cmd: c[2] };
}

/** A fold of a whole trace with checkpoints. */
export class TraceModel {
  readonly events: readonly TraceEvent[];
  readonly nodeCount: number;
  readonly k: number;
  /** checkpoints[j] is the state after events [0, j*k), i.e. at = j*k - 1. */
  private readonly checkpoints: ClusterState[] = [];
  /** changes[i]: what event i changed on its node, as a short phrase. */
  readonly changes: readonly string[];
  /** Index into events of the violation's step, or null. */
  readonly violationAt: number | null;
  readonly involvement: Involvement | null;
  /** Why the violation happened, when the trace records one. */
  readonly explanation: Explanation | null;
  /** Event indexes of the explanation's causal steps, ascending. */
  readonly causes: readonly number[];
  /** Sends not simply delivered (dropped, duplicated, in flight at the end), by the step that sent them. */
  readonly unsent: ReadonlyMap<number, readonly Undelivered[]>;
  private last: ClusterState;
  /** How many events were folded to answer stateAt calls (for tests of the checkpointing). */
  folds = 0;

  constructor(input: ModelInput, k: number = CHECKPOINT_EVERY) {
    if (!(Number.isInteger(k) && k >= 1)) throw new Error(`checkpoint interval must be a whole number >= 1, got ${k}`);
    this.events = input.events;
    this.nodeCount = input.schedule.nodes;
    this.k = k;
    const changes: string[] = [];
    let s = initialState(this.nodeCount);
    this.checkpoints.push(s);
    for (let i = 0; i < this.events.length; i++) {
      const next = foldEvent(s, this.events[i], i);
      changes.push(describeChange(s, next, this.events[i]));
      s = next;
      if ((i + 1) % k === 0) this.checkpoints.push(s);
    }
    this.changes = changes;
    this.last = this.checkpoints[0];
    const v = input.violation ?? null;
    if (v === null) {
      this.violationAt = null;
      this.involvement = null;
    } else {
      let at = this.events.findIndex((e) => e.step === v.step);
      if (at < 0) at = this.events.length - 1;
      this.violationAt = at < 0 ? null : at;
      this.involvement = { nodes: v.nodes, index: v.index ?? null, terms: v.terms ?? [] };
    }
    this.explanation = v === null || v.invariant === undefined || v.message === undefined ? null : explain({ schedule: input.schedule, events: this.events, violation: v as Parameters<typeof explain>[0]['violation'] });
    const byStep = new Map(this.events.map((e, i) => [e.step, i] as const));
    this.causes = (this.explanation?.steps ?? []).map((s) => byStep.get(s.step)).filter((i): i is number => i !== undefined);
    this.unsent = input.messages === undefined ? new Map() : bySendStep(undelivered(this.events, input.messages));
  }

  get size(): number {
    return this.events.length;
  }

  /** The state after event `at` (-1: before any); clamped to the trace. */
  stateAt(at: number): ClusterState {
    const i = Math.max(-1, Math.min(this.events.length - 1, Math.trunc(at)));
    if (i === this.last.at) return this.last;
    const j = Math.floor((i + 1) / this.k);
    let s = this.checkpoints[j];
    // Folding on from the last answer is cheaper when it lies between the checkpoint and i.
    if (this.last.at < i && this.last.at >= s.at) s = this.last;
    for (let x = s.at + 1; x <= i; x++) {
      s = foldEvent(s, this.events[x], x);
      this.folds++;
    }
    this.last = s;
    return s;
  }

  /** Number of checkpoints kept (the initial state included). */
  get checkpointCount(): number {
    return this.checkpoints.length;
  }
}

/** Named filters over event kinds, cycled by `/` in the viewer. */
export interface KindFilter {
  readonly name: string;
  /** null: every kind. */
  readonly kinds: ReadonlySet<EventKind> | null;
  /** Also keep the steps that sent a message that was not simply delivered. */
  readonly sends?: boolean;
}

export const KIND_FILTERS: readonly KindFilter[] = [
  { name: 'all', kinds: null },
  { name: 'no drops', kinds: new Set<EventKind>(['start', 'deliver', 'timer', 'crash', 'restart', 'partition', 'heal', 'propose', 'apply', 'snapshot', 'install-snapshot', 'phase']) },
  { name: 'faults', kinds: new Set<EventKind>(['crash', 'restart', 'partition', 'heal', 'phase']) },
  { name: 'client', kinds: new Set<EventKind>(['propose', 'apply']) },
  { name: 'timers', kinds: new Set<EventKind>(['start', 'timer', 'restart']) },
  { name: 'network', kinds: new Set<EventKind>(['deliver', 'install-snapshot', 'drop', 'duplicate']) },
  { name: 'undelivered', kinds: new Set<EventKind>(['drop', 'duplicate']), sends: true },
];

export function matches(f: KindFilter, e: TraceEvent, model?: TraceModel): boolean {
  return f.kinds === null || f.kinds.has(e.kind) || (f.sends === true && model !== undefined && model.unsent.has(e.step));
}
