import type { NodeId } from '../raft/types.js';
import { KIND_FILTERS, matches, touches, type TraceModel } from './model.js';

/**
 * The viewer's navigation state and its reducer. Kept out of React so that several keys in
 * one input chunk each see the state the previous one left (a `useInput` closure would see a
 * stale one), and so the rules can be tested without a terminal.
 */
export interface ViewState {
  /** Index into the events of the current step; -1 only for a trace without events. */
  readonly cursor: number;
  readonly selected: NodeId;
  /** Index into KIND_FILTERS. */
  readonly filter: number;
  readonly help: boolean;
  /** Highlight the entries the violation involves (on from `v` until the trace is left). */
  readonly highlight: boolean;
  /** A one-line note for the footer, cleared by the next key. */
  readonly message: string | null;
}

export type Action =
  | { readonly type: 'step'; readonly by: number }
  | { readonly type: 'home' }
  | { readonly type: 'end' }
  | { readonly type: 'violation' }
  | { readonly type: 'cause'; readonly dir: 1 | -1 }
  | { readonly type: 'node-event'; readonly dir: 1 | -1 }
  | { readonly type: 'select'; readonly node: NodeId }
  | { readonly type: 'select-next'; readonly dir: 1 | -1 }
  | { readonly type: 'filter' }
  | { readonly type: 'help' };

export function initialView(model: TraceModel): ViewState {
  const named = model.involvement?.nodes.find((n) => n >= 1 && n <= model.nodeCount);
  return { cursor: model.size > 0 ? 0 : -1, selected: named ?? 1, filter: 0, help: false, highlight: false, message: null };
}

/** Event indexes the filter keeps, ascending; cached per model and filter. */
const cache = new WeakMap<TraceModel, Map<number, readonly number[]>>();
export function visibleEvents(model: TraceModel, filter: number): readonly number[] {
  let perModel = cache.get(model);
  if (perModel === undefined) {
    perModel = new Map();
    cache.set(model, perModel);
  }
  let list = perModel.get(filter);
  if (list === undefined) {
    const f = KIND_FILTERS[filter];
    const out: number[] = [];
    model.events.forEach((e, i) => {
      if (matches(f, e, model)) out.push(i);
    });
    list = out;
    perModel.set(filter, list);
  }
  return list;
}

/** First position in a sorted list whose value is >= x. */
export function lowerBound(list: readonly number[], x: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Moves `by` visible events from `cursor` (a cursor on a hidden event counts as between two). */
function moveBy(list: readonly number[], cursor: number, by: number): number {
  if (list.length === 0 || by === 0) return cursor;
  const pos = lowerBound(list, cursor);
  const on = pos < list.length && list[pos] === cursor;
  let target: number;
  if (by > 0) target = on ? pos + by : pos + by - 1;
  else target = pos + by;
  target = Math.max(0, Math.min(list.length - 1, target));
  return list[target];
}

export function reduce(model: TraceModel, s: ViewState, a: Action): ViewState {
  const base: ViewState = s.message === null ? s : { ...s, message: null };
  if (s.help) return a.type === 'help' ? { ...base, help: false } : { ...base, help: false };
  const list = visibleEvents(model, s.filter);
  switch (a.type) {
    case 'step':
      return { ...base, cursor: moveBy(list, s.cursor, a.by) };
    case 'home':
      return { ...base, cursor: list.length > 0 ? list[0] : s.cursor };
    case 'end':
      return { ...base, cursor: list.length > 0 ? list[list.length - 1] : s.cursor };
    case 'violation':
      if (model.violationAt === null) return { ...base, message: 'this trace records no violation' };
      return { ...base, cursor: model.violationAt, highlight: true };
    case 'cause': {
      // The explanation's causal steps, whatever the filter shows: they are the story.
      const c = model.causes;
      if (c.length === 0) return { ...base, message: model.violationAt === null ? 'this trace records no violation' : 'no causal steps for this violation' };
      const next = a.dir > 0 ? c.find((i) => i > s.cursor) : [...c].reverse().find((i) => i < s.cursor);
      if (next === undefined) return { ...base, message: `no ${a.dir > 0 ? 'later' : 'earlier'} causal step (e / E move between them)` };
      return { ...base, cursor: next, highlight: true };
    }
    case 'node-event': {
      let i = s.cursor + a.dir;
      const f = KIND_FILTERS[s.filter];
      for (; i >= 0 && i < model.size; i += a.dir) {
        const e = model.events[i];
        if (matches(f, e, model) && touches(e, s.selected)) return { ...base, cursor: i };
      }
      return { ...base, message: `no ${a.dir > 0 ? 'later' : 'earlier'} event touches n${s.selected}${s.filter === 0 ? '' : ` (filter: ${f.name})`}` };
    }
    case 'select':
      if (a.node < 1 || a.node > model.nodeCount) return { ...base, message: `there is no node ${a.node}` };
      return { ...base, selected: a.node };
    case 'select-next': {
      const n = model.nodeCount;
      return { ...base, selected: ((s.selected - 1 + a.dir + n) % n) + 1 };
    }
    case 'filter': {
      const filter = (s.filter + 1) % KIND_FILTERS.length;
      const next = visibleEvents(model, filter);
      return { ...base, filter, message: next.length === 0 ? `filter ${KIND_FILTERS[filter].name}: no events` : null };
    }
    case 'help':
      return { ...base, help: true };
  }
}
