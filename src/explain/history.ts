import type { NodeId } from '../raft/types.js';
import type { NodeState, TraceEvent } from '../sim/events.js';

/**
 * A trace read back as the cluster's history: every node's observed state and durable log
 * before and after each event. Explanations ask a handful of questions about a few steps, so
 * states are kept per event (small) and logs are folded on demand up to the step asked for.
 * Only what a trace records is used, so it works for any implementation, not only our core.
 */

/** A durable log: entries after a snapshot through [base, baseTerm]. */
export interface LogView {
  readonly base: number;
  readonly baseTerm: number;
  /** entries[k] is index base + 1 + k: [term, command id or null for a no-op]. */
  readonly entries: readonly (readonly [number, string | null])[];
}

export const EMPTY_LOG: LogView = { base: 0, baseTerm: 0, entries: [] };

export function lastIndexOf(l: LogView): number {
  return l.base + l.entries.length;
}

export function lastTermOf(l: LogView): number {
  return l.entries.length === 0 ? l.baseTerm : l.entries[l.entries.length - 1][0];
}

/** The term at an index: 0 at index 0, the snapshot's term at its last index, undefined when compacted away or absent. */
export function termIn(l: LogView, index: number): number | undefined {
  if (index === 0) return 0;
  if (index === l.base) return l.baseTerm;
  if (index < l.base || index > lastIndexOf(l)) return undefined;
  return l.entries[index - l.base - 1][0];
}

export function commandIn(l: LogView, index: number): string | null | undefined {
  if (index <= l.base || index > lastIndexOf(l)) return undefined;
  return l.entries[index - l.base - 1][1];
}

/** Applies a log change as storage does: snapshot, then truncate, then append. */
export function applyChange(l: LogView, ch: NonNullable<TraceEvent['log']>): LogView {
  let { base, baseTerm, entries } = l;
  if (ch.snap !== undefined) {
    const [si, st] = ch.snap;
    entries = si >= base && si < base + entries.length ? entries.slice(si - base) : [];
    base = si;
    baseTerm = st;
  }
  if (ch.trunc !== undefined && ch.trunc > base && ch.trunc <= base + entries.length) entries = entries.slice(0, ch.trunc - base - 1);
  if (ch.app !== undefined && ch.app.length > 0) entries = [...entries, ...ch.app.map((a) => [a[1], a[2]] as const)];
  return { base, baseTerm, entries };
}

/** `last 3/t2` */
export function lastOf(l: LogView): string {
  return `${lastIndexOf(l)}/t${lastTermOf(l)}`;
}

export class History {
  readonly events: readonly TraceEvent[];
  readonly nodes: number;
  /** states[i][id]: the node's state after event i (carried over from earlier events). */
  private readonly states: (NodeState | null)[][] = [];
  private readonly up: boolean[][] = [];

  constructor(nodes: number, events: readonly TraceEvent[]) {
    this.nodes = nodes;
    this.events = events;
    let cur: (NodeState | null)[] = new Array<NodeState | null>(nodes + 1).fill(null);
    let alive: boolean[] = new Array<boolean>(nodes + 1).fill(false);
    for (const e of events) {
      if (e.state !== undefined && e.node >= 1 && e.node <= nodes) {
        cur = cur.slice();
        cur[e.node] = e.state;
      }
      if (e.kind === 'start' || e.kind === 'restart' || e.kind === 'crash') {
        alive = alive.slice();
        alive[e.node] = e.kind !== 'crash';
      }
      this.states.push(cur);
      this.up.push(alive);
    }
  }

  /** Position of a step in the event list (steps are dense, but a trace need not start at 0). */
  at(step: number): number {
    const i = step < this.events.length && this.events[step]?.step === step ? step : this.events.findIndex((e) => e.step === step);
    return i < 0 ? this.events.length - 1 : i;
  }

  /** The node's state after event i; null before its start. */
  stateAfter(node: NodeId, i: number): NodeState | null {
    return i < 0 ? null : this.states[Math.min(i, this.states.length - 1)][node] ?? null;
  }

  stateBefore(node: NodeId, i: number): NodeState | null {
    return this.stateAfter(node, i - 1);
  }

  isUp(node: NodeId, i: number): boolean {
    return i >= 0 && (this.up[Math.min(i, this.up.length - 1)][node] ?? false);
  }

  /** The node's durable log after event i (-1: before any). */
  logAfter(node: NodeId, i: number): LogView {
    let l = EMPTY_LOG;
    for (let k = 0; k <= i && k < this.events.length; k++) {
      const e = this.events[k];
      if (e.node === node && e.log !== undefined) l = applyChange(l, e.log);
    }
    return l;
  }

  logBefore(node: NodeId, i: number): LogView {
    return this.logAfter(node, i - 1);
  }

  /** Every node's log after event i, by id. */
  logsAfter(i: number): LogView[] {
    const logs: LogView[] = new Array<LogView>(this.nodes + 1).fill(EMPTY_LOG);
    for (let k = 0; k <= i && k < this.events.length; k++) {
      const e = this.events[k];
      if (e.log !== undefined && e.node >= 1 && e.node <= this.nodes) logs[e.node] = applyChange(logs[e.node], e.log);
    }
    return logs;
  }

  /** The first event (from `from` on, up to `to`) that matches. */
  find(pred: (e: TraceEvent, i: number) => boolean, from = 0, to = this.events.length - 1): number {
    for (let i = Math.max(0, from); i <= to && i < this.events.length; i++) if (pred(this.events[i], i)) return i;
    return -1;
  }

  /** The last event at or before `to` that matches. */
  findLast(pred: (e: TraceEvent, i: number) => boolean, to = this.events.length - 1, from = 0): number {
    for (let i = Math.min(to, this.events.length - 1); i >= from; i--) if (pred(this.events[i], i)) return i;
    return -1;
  }

  /** The event that last wrote (index, term) into the node's log at or before `to`. */
  appendOf(node: NodeId, index: number, term: number, to: number): number {
    return this.findLast((e) => e.node === node && e.log?.app?.some((a) => a[0] === index && a[1] === term) === true, to);
  }

  /** Nodes whose log holds (index, term) after event i (inside a snapshot counts when the snapshot covers it). */
  holders(index: number, term: number, i: number): NodeId[] {
    const logs = this.logsAfter(i);
    const out: NodeId[] = [];
    for (let id = 1; id <= this.nodes; id++) {
      const l = logs[id];
      if (termIn(l, index) === term || (index < l.base && l.base > 0)) out.push(id);
    }
    return out;
  }
}
