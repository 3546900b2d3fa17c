import type { Finding } from '../../sim/observer.js';
import { choicesAt, dependent, keyOf, NOTHING_USED, spend, type Bounds, type Choice, type Used } from './choices.js';
import { Execution, type Setup } from './execution.js';

export interface ExhaustiveOptions {
  readonly setup: Setup;
  readonly bounds: Bounds;
  /** Sleep sets (partial-order reduction); on by default. Off only to measure what they save. */
  readonly reduction?: boolean;
  /** State caching by fingerprint; on by default, and off by itself when a node has no fingerprint(). */
  readonly caching?: boolean;
}

export interface ExhaustiveStats {
  /** States generated: steps taken from a state during the search (TLC's "generated"), over all rounds. */
  states: number;
  /** Distinct states in the last round's cache; null when searching without a cache. */
  distinct: number | null;
  /** Generated states that were already in the cache, with no less depth left. */
  revisits: number;
  /** Choices skipped because their sleep set held them (partial-order reduction). */
  slept: number;
  /** States not expanded for having a term or messages in flight beyond the bounds. */
  pruned: number;
  /** Simulator steps run, re-executions of prefixes included. */
  steps: number;
  /** The depth bound of the round under way (or the last one). */
  depth: number;
  /** In the last round some path was cut by the depth bound (so a larger one could find more). */
  cut: boolean;
  /** Caching was on: every node had a fingerprint(). */
  cached: boolean;
}

export type ExhaustiveEnd =
  /** The shortest path to a violation: every shorter path was searched and none violates. */
  | { readonly kind: 'violation'; readonly path: readonly Choice[]; readonly finding: Finding }
  /** Every path within the bounds was searched; `complete` when no path reached the depth bound. */
  | { readonly kind: 'exhausted'; readonly complete: boolean };

/** Progress is reported every this many generated states. */
const PROGRESS_EVERY = 512;
/** Expansions remembered per state; dropping one only costs a re-expansion. */
const RECORDS_PER_STATE = 8;

/** One expansion of a state: every choice outside `sleep` was explored with these resources. */
interface Expansion {
  /** Steps left. */
  readonly left: number;
  readonly used: Used;
  readonly sent: number;
  readonly sleep: ReadonlySet<string>;
}

/** `a` explored at least what `b` would: as much depth and budget left, no more choices asleep. */
function covers(a: Expansion, b: Expansion): boolean {
  const u = a.used;
  const v = b.used;
  if (a.left < b.left || a.sent > b.sent || u.crashes > v.crashes || u.drops > v.drops || u.duplicates > v.duplicates || u.proposals > v.proposals) return false;
  for (const k of a.sleep) if (!b.sleep.has(k)) return false;
  return true;
}

/**
 * Bounded exhaustive search over the choice points of a scripted run, by iterative deepening:
 * depth-first rounds with depth bound 1, 2, ... so that the first violation found is a
 * shortest one. A round is stateless in the simulator's sense (nodes cannot be copied, so a
 * prefix is re-executed from the boot to go back), and caches the states it expanded by the
 * cluster's fingerprint, each with the resources it was expanded with.
 *
 * Sleep sets (Godefroid 1996): after exploring choice t from state s, a later sibling u that
 * commutes with t at s carries t in its sleep set, since s·u·t reaches what s·t·u reached.
 * With a cache, a state met again is skipped only when an earlier expansion covers this one
 * (as much depth and budget left, a sleep set no larger); otherwise it is expanded again.
 *
 * A generator: it yields its statistics every few hundred states so that the caller can show
 * progress, watch a clock or stop; it returns how the search ended.
 */
export function* exhaustive(o: ExhaustiveOptions): Generator<ExhaustiveStats, { end: ExhaustiveEnd; stats: ExhaustiveStats }, void> {
  const bounds = o.bounds;
  const reduction = o.reduction ?? true;
  const exec = new Execution(o.setup);
  const cachingWanted = o.caching ?? true;
  const stats: ExhaustiveStats = { states: 0, distinct: null, revisits: 0, slept: 0, pruned: 0, steps: 0, depth: 0, cut: false, cached: cachingWanted && exec.key() !== null };
  let cache = new Map<string, Expansion[]>();

  function* visit(path: readonly Choice[], used: Used, sleep: ReadonlyMap<string, Choice>, left: number): Generator<ExhaustiveStats, { path: readonly Choice[]; finding: Finding } | null, void> {
    const choices = choicesAt(exec.view(), used, bounds);
    const done: Choice[] = [];
    // The execution stands at `path` until the first choice moves it on.
    let here = true;
    for (const c of choices) {
      if (sleep.has(keyOf(c))) {
        stats.slept++;
        continue;
      }
      if (!here) exec.reset(path);
      exec.apply(c);
      here = false;
      stats.states++;
      stats.steps = exec.steps;
      if (stats.states % PROGRESS_EVERY === 0) {
        if (stats.cached) stats.distinct = cache.size;
        yield stats;
      }
      const next = [...path, c];
      const finding = exec.finding;
      if (finding !== null) return { path: next, finding };
      const view = exec.view();
      if (exec.maxTerm > bounds.terms || view.sent > bounds.messages) {
        stats.pruned++;
        continue;
      }
      const spent = spend(used, c);
      const asleep = new Map<string, Choice>();
      if (reduction) {
        for (const u of sleep.values()) if (!dependent(u, c, used, bounds)) asleep.set(keyOf(u), u);
        for (const u of done) if (!dependent(u, c, used, bounds)) asleep.set(keyOf(u), u);
      }
      if (left === 1) {
        if (!stats.cut && choicesAt(view, spent, bounds).some((x) => !asleep.has(keyOf(x)))) stats.cut = true;
        done.push(c);
        continue;
      }
      const key = stats.cached ? exec.key() : null;
      if (key !== null) {
        const now: Expansion = { left: left - 1, used: spent, sent: view.sent, sleep: new Set(asleep.keys()) };
        const records = cache.get(key) ?? [];
        if (records.some((r) => covers(r, now))) {
          stats.revisits++;
          done.push(c);
          continue;
        }
        const kept = records.filter((r) => !covers(now, r));
        kept.push(now);
        cache.set(key, kept.length > RECORDS_PER_STATE ? kept.slice(-RECORDS_PER_STATE) : kept);
      }
      const found = yield* visit(next, spent, asleep, left - 1);
      if (found !== null) return found;
      done.push(c);
    }
    return null;
  }

  for (let depth = 1; depth <= bounds.depth; depth++) {
    stats.depth = depth;
    stats.cut = false;
    cache = new Map();
    exec.reset([]);
    const booted = exec.finding;
    if (booted !== null) return { end: { kind: 'violation', path: [], finding: booted }, stats };
    const found = yield* visit([], NOTHING_USED, new Map(), depth);
    stats.steps = exec.steps;
    if (stats.cached) stats.distinct = cache.size;
    if (found !== null) return { end: { kind: 'violation', ...found }, stats };
    if (!stats.cut) return { end: { kind: 'exhausted', complete: true }, stats };
  }
  return { end: { kind: 'exhausted', complete: false }, stats };
}

/** Runs a search to its end, or until `stop` says so between progress reports (null then). */
export function drive<S, R>(search: Generator<S, R, void>, stop: (s: S) => boolean = () => false): R | null {
  for (;;) {
    const r = search.next();
    if (r.done === true) return r.value;
    if (stop(r.value)) return null;
  }
}
