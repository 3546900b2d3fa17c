import type { Explanation } from '../explain/index.js';
import type { TraceEvent } from '../sim/events.js';
import type { MessageRecord } from '../sim/ledger.js';
import { undelivered } from './messages.js';

/**
 * What the HTML report draws, as compact arrays: the page's script only lays them out. Lane
 * segments, fault bands and message arrows are computed here, in typed code the unit tests
 * reach; every string a trace carries travels as data (the page sets it as text, never as
 * markup).
 */

export interface ReportInput {
  readonly title: string;
  readonly nodes: number;
  /** `raft-check core with bug commit-previous-term`, seed, faults profile. */
  readonly about: string;
  readonly violation: { readonly invariant: string; readonly kind: string; readonly step: number; readonly message: string } | null;
  readonly events: readonly TraceEvent[];
  /** Message fates from a replay; without them deliveries are drawn from the step before. */
  readonly messages?: readonly MessageRecord[];
  readonly explanation: Explanation | null;
  /** One text line per event (the text renderer's). */
  readonly lines: readonly string[];
}

const ROLE_CODE = { follower: 0, candidate: 1, leader: 2 } as const;

/** [node, first row, last row, role code (-1: down), term] */
export type Segment = readonly [number, number, number, number, number];
/** [from, to, sent row, end row, fate (0 delivered, 1 dropped, 2 in flight), duplicate (0/1), summary, fate text] */
export type Arrow = readonly [number, number, number, number, 0 | 1 | 2, 0 | 1, number, number];
/** [first row, last row, nodes, label] */
export type Band = readonly [number, number, readonly number[], number];

export interface ReportData {
  readonly title: string;
  readonly about: string;
  readonly nodes: number;
  readonly violation: { readonly row: number; readonly text: string } | null;
  /** Per row: [step, t, kind, node, from (0: none)]. */
  readonly rows: readonly (readonly [number, number, number, number, number])[];
  /** Per row: the node's [role, term, commit] after it, or 0. */
  readonly states: readonly (readonly [number, number, number] | 0)[];
  /** Per row: the durable log change, or 0. */
  readonly logs: readonly (NonNullable<TraceEvent['log']> | 0)[];
  readonly segments: readonly Segment[];
  readonly arrows: readonly Arrow[];
  readonly partitions: readonly Band[];
  readonly downs: readonly Band[];
  readonly why: { readonly summary: string; readonly steps: readonly (readonly [number, number, string])[] } | null;
  /** Strings the arrays point into. */
  readonly strs: readonly string[];
  readonly lines: readonly string[];
  readonly kinds: readonly string[];
}

class Strings {
  readonly list: string[] = [];
  private readonly index = new Map<string, number>();
  id(s: string): number {
    let i = this.index.get(s);
    if (i === undefined) {
      i = this.list.length;
      this.list.push(s);
      this.index.set(s, i);
    }
    return i;
  }
}

export function reportData(input: ReportInput): ReportData {
  const ev = input.events;
  const n = input.nodes;
  const rowOf = new Map(ev.map((e, i) => [e.step, i] as const));
  const strs = new Strings();
  const kinds = new Strings();
  const last = ev.length - 1;

  const rows = ev.map((e) => [e.step, e.t, kinds.id(e.kind), e.node, e.from ?? 0] as const);
  const states = ev.map((e) => (e.state === undefined ? 0 : ([ROLE_CODE[e.state.role], e.state.term, e.state.commit] as const)));
  const logs = ev.map((e) => e.log ?? 0);

  // Lanes: one segment per stretch of constant role and term; down from a crash to the restart.
  const segments: Segment[] = [];
  const downs: Band[] = [];
  for (let id = 1; id <= n; id++) {
    let start = -1;
    let role = -1;
    let term = 0;
    let downFrom = -1;
    const close = (to: number): void => {
      if (start >= 0 && to >= start) segments.push([id, start, to, role, term]);
    };
    ev.forEach((e, i) => {
      if (e.node !== id) return;
      if (e.kind === 'crash') {
        close(i);
        start = -1;
        downFrom = i;
        return;
      }
      if (e.kind === 'restart' && downFrom >= 0) {
        downs.push([downFrom, i, [id], strs.id('down')]);
        downFrom = -1;
      }
      const s = e.state;
      if (s === undefined) return;
      const r = ROLE_CODE[s.role];
      if (start < 0 || r !== role || s.term !== term) {
        close(i);
        start = i;
        role = r;
        term = s.term;
      }
    });
    close(last);
    if (downFrom >= 0) downs.push([downFrom, last, [id], strs.id('down')]);
  }

  // Partitions: from the cut to the heal of the same links (or the calm phase, or the end).
  const partitions: Band[] = [];
  ev.forEach((e, i) => {
    if (e.kind !== 'partition' || e.links === undefined || e.links.length === 0) return;
    const key = linkKey(e.links);
    let end = ev.findIndex((h, j) => j > i && ((h.kind === 'heal' && h.links !== undefined && linkKey(h.links) === key) || h.kind === 'phase'));
    if (end < 0) end = last;
    const nodes = [...new Set(e.links.flat())].sort((a, b) => a - b);
    partitions.push([i, end, nodes, strs.id(e.note ?? 'partition')]);
  });

  const arrows: Arrow[] = [];
  if (input.messages !== undefined) {
    const fates = new Map(undelivered(ev, input.messages).map((u) => [u.record, u.text] as const));
    for (const r of input.messages) {
      const from = rowOf.get(r.sent);
      if (from === undefined) continue;
      const f = r.fate;
      const end = f.kind === 'in-flight' ? last : rowOf.get(f.at);
      if (end === undefined) continue;
      const fate = f.kind === 'delivered' ? 0 : f.kind === 'dropped' ? 1 : 2;
      const text = fates.get(r) ?? `delivered at #${f.kind === 'delivered' ? f.at : '?'}`;
      arrows.push([r.from, r.to, from, end, fate, r.copy > 0 ? 1 : 0, strs.id(r.msg), strs.id(text)]);
    }
  } else {
    // No ledger: each delivery or drop line is drawn from the row before it.
    ev.forEach((e, i) => {
      if (e.from === undefined || (e.kind !== 'deliver' && e.kind !== 'install-snapshot' && e.kind !== 'drop')) return;
      arrows.push([e.from, e.node, Math.max(0, i - 1), i, e.kind === 'drop' ? 1 : 0, 0, strs.id(e.msg ?? ''), strs.id(e.kind === 'drop' ? `dropped (${e.note ?? ''})` : 'delivered')]);
    });
  }

  const v = input.violation;
  const vRow = v === null ? undefined : rowOf.get(v.step) ?? last;
  const why = input.explanation === null
    ? null
    : {
        summary: input.explanation.summary,
        steps: input.explanation.steps.flatMap((s) => {
          const row = rowOf.get(s.step);
          return row === undefined ? [] : [[row, s.step, s.text] as const];
        }),
      };
  return {
    title: input.title,
    about: input.about,
    nodes: n,
    violation: v === null || vRow === undefined || vRow < 0 ? null : { row: vRow, text: `${v.invariant} (${v.kind}) at step ${v.step}: ${v.message}` },
    rows,
    states,
    logs,
    segments,
    arrows,
    partitions,
    downs,
    why,
    strs: strs.list,
    lines: input.lines,
    kinds: kinds.list,
  };
}

function linkKey(links: readonly (readonly [number, number])[]): string {
  return links.map(([a, b]) => `${a}-${b}`).sort().join(',');
}
