import fc from 'fast-check';
import type { SafetyInvariant } from '../check/checkers.js';
import { runChecked } from '../check/run.js';
import type { NodeFactory } from '../raft/types.js';
import type { Finding } from '../sim/observer.js';
import type { ProfileName, Schedule } from '../sim/schedule.js';
import type { TraceFile, TraceSize } from '../trace/format.js';
import { sizeOf, toTrace } from '../trace/record.js';
import type { RunResult } from '../sim/simulator.js';
import { scheduleArb } from './arbitraries.js';
import { greedyThenScript } from './minimize-script.js';
import { EXPLORE_PROFILES } from './profiles.js';

export interface ExploreOptions {
  readonly factory: NodeFactory;
  readonly implementation: { readonly name: string; readonly bug: string | null; readonly module: string | null };
  readonly iterations: number;
  readonly seed: number;
  readonly nodes?: number;
  readonly profile?: ProfileName;
  /** Let runs compact their logs (on by default: compaction bugs are bugs too). */
  readonly snapshots?: boolean;
  /** Safety invariants to check (all by default); with none, only liveness is watched. */
  readonly invariants?: readonly SafetyInvariant[];
  /** Wall-clock budget for shrinking; the best counterexample so far is kept when it runs out. */
  readonly shrinkTimeMs?: number;
  /** Run only iterations i with i % count === index (workers and CI shards). */
  readonly slice?: { readonly index: number; readonly count: number };
  /** Called every few runs and on each shrink step. */
  readonly onProgress?: (p: Progress) => void;
  /** Polled between runs; true stops exploring (Ctrl-C). */
  readonly shouldStop?: () => boolean;
  /** Wall clock, injected so tests can pin it. */
  readonly now?: () => number;
  /**
   * Runs a schedule again to see that it does the same thing (see ./determinism.ts): called
   * after a passing run (the caller samples) and on the shrunk failure before it is reported.
   * A recorded run it returns ends the search with that run's finding, unshrunk.
   */
  readonly recheck?: (schedule: Schedule, index: number, of: 'passing' | 'failure') => RunResult | null;
}

export interface Progress {
  readonly phase: 'explore' | 'shrink';
  readonly runs: number;
  readonly events: number;
  readonly finding: Finding | null;
  readonly shrinkRuns: number;
  readonly size: TraceSize | null;
  readonly originalSize: TraceSize | null;
}

export interface ExploreFailure {
  /** The iteration (fast-check run index) that failed first. */
  readonly runIndex: number;
  readonly finding: Finding;
  readonly schedule: Schedule;
  readonly path: string;
  readonly original: TraceSize;
  readonly shrunk: TraceSize;
  readonly shrinkRuns: number;
  readonly shrinkMs: number;
  readonly trace: TraceFile;
}

export interface ExploreResult {
  readonly ok: boolean;
  /** Iterations actually simulated in the search (not counting shrinking). */
  readonly iterations: number;
  readonly events: number;
  readonly virtualMs: number;
  readonly seed: number;
  readonly stopped: boolean;
  readonly failure: ExploreFailure | null;
}

/**
 * Explores schedules with fast-check: the property is "no checker reports a finding". On a
 * failure fast-check shrinks the schedule (only failures of the same invariant count while
 * shrinking), and the smallest one is re-run with recording into a trace.
 */
export function explore(o: ExploreOptions): ExploreResult {
  const now = o.now ?? Date.now;
  const profile = o.profile ?? 'chaos';
  const arb = exploreArb(o);
  const slice = o.slice ?? { index: 0, count: 1 };
  const shouldStop = o.shouldStop ?? (() => false);

  // Search: fast-check generates schedules; this slice runs its share; no shrinking yet.
  let generated = 0;
  let ran = 0;
  let events = 0;
  let virtualMs = 0;
  let stopped = false;
  let first: { index: number; finding: Finding; size: TraceSize; schedule: Schedule } | null = null;
  let differed: { index: number; schedule: Schedule; run: RunResult } | null = null;
  const skipped = (index: number): boolean => stopped || index % slice.count !== slice.index;
  const search = guard((schedule: Schedule | null): boolean => {
    const index = generated++;
    if (schedule === null || skipped(index)) return true;
    if (shouldStop()) {
      stopped = true;
      return true;
    }
    const run = runChecked(o.factory, schedule, { invariants: o.invariants });
    ran++;
    events += run.stats.events;
    virtualMs += run.stats.virtualMs;
    if (o.onProgress !== undefined && ran % 16 === 0) {
      o.onProgress({ phase: 'explore', runs: ran, events, finding: null, shrinkRuns: 0, size: null, originalSize: null });
    }
    if (run.finding === null) {
      const again = o.recheck?.(schedule, index, 'passing') ?? null;
      if (again === null) return true;
      differed = { index, schedule, run: again };
      return false;
    }
    first = { index, finding: run.finding, size: sizeOf(schedule, run), schedule };
    return false;
  });
  const found = fc.check(fc.property(new Skipping(arb, skipped), search.predicate), { numRuns: o.iterations, seed: o.seed, endOnFailure: true });
  search.rethrow();
  const d = differed as { index: number; schedule: Schedule; run: RunResult } | null;
  if (d !== null) return { ok: false, iterations: ran, events, virtualMs, seed: o.seed, stopped, failure: unshrunk(o, profile, d.index, d.schedule, d.run, found.counterexamplePath) };
  const f = first as { index: number; finding: Finding; size: TraceSize; schedule: Schedule } | null;
  if (f === null || found.counterexamplePath === null) {
    return { ok: true, iterations: ran, events, virtualMs, seed: o.seed, stopped, failure: null };
  }
  const failure = shrinkFailure(o, arb, f, found.counterexamplePath, profile, now);
  return { ok: false, iterations: ran, events, virtualMs, seed: o.seed, stopped, failure };
}

/**
 * The exploration's arbitrary with the runs this search will not run left ungenerated (another
 * slice's, or every run after a stop). fast-check draws run i from its own clone of the seeded
 * generator, jumped i + 1 times, never from what earlier runs consumed: a run not generated
 * moves no other run's schedule, and each slice sees the schedules one thread would see.
 */
class Skipping extends fc.Arbitrary<Schedule | null> {
  private index = 0;
  constructor(
    private readonly inner: fc.Arbitrary<Schedule>,
    private readonly skip: (index: number) => boolean,
  ) {
    super();
  }
  generate(mrng: fc.Random, biasFactor: number | undefined): fc.Value<Schedule | null> {
    return this.skip(this.index++) ? new fc.Value(null, undefined) : this.inner.generate(mrng, biasFactor);
  }
  // The search ends at its first failure without shrinking (shrinkFailure shrinks with `inner`).
  canShrinkWithoutContext(_value: unknown): _value is Schedule | null {
    return false;
  }
  shrink(): fc.Stream<fc.Value<Schedule | null>> {
    return fc.Stream.nil();
  }
}

/** Shrinking effort in runs: deterministic, unlike a wall-clock budget. */
const FAST_CHECK_SHRINK_RUNS = 1500;
const GREEDY_SHRINK_RUNS = 3000;
const SCRIPT_SHRINK_RUNS = 5000;

/** The arbitrary an exploration draws its schedules from. */
export function exploreArb(o: Pick<ExploreOptions, 'profile' | 'nodes' | 'snapshots'>): fc.Arbitrary<Schedule> {
  return scheduleArb({ ...EXPLORE_PROFILES[o.profile ?? 'chaos'], nodes: o.nodes, snapshots: o.snapshots ?? true });
}

/** The schedule of one iteration of an exploration: fast-check replays it from its index. */
export function scheduleAt(o: Pick<ExploreOptions, 'profile' | 'nodes' | 'snapshots' | 'seed'>, index: number): Schedule {
  let got: Schedule | null = null;
  fc.check(
    fc.property(exploreArb(o), (s) => {
      got = s;
      return false;
    }),
    { seed: o.seed, path: String(index), numRuns: index + 1, endOnFailure: true },
  );
  if (got === null) throw new Error(`fast-check generated no schedule for iteration ${index}`);
  return got;
}

/**
 * Shrinks from fast-check's replay path under a wall-clock budget. Only failures of the
 * first failure's invariant count, so shrinking cannot slip to a different bug; the smallest
 * failing schedule seen is kept whatever stops the shrinker.
 */
function shrinkFailure(
  o: ExploreOptions,
  arb: fc.Arbitrary<Schedule>,
  f: { index: number; finding: Finding; size: TraceSize; schedule: Schedule },
  path: string,
  profile: ProfileName,
  now: () => number,
): ExploreFailure {
  const start = now();
  const total = o.shrinkTimeMs ?? 30_000;
  // fast-check's shrinker, then the greedy minimizer, then the scripted one. Each stops at a
  // number of runs, so the same failure shrinks to the same bytes on any machine; the
  // wall-clock budget only cuts in on a slow machine, a slow implementation or a short
  // --shrink-time. Then the first two stages end by a third and two thirds of it: the last
  // stage does most of the shrinking and must always get its turn.
  const budget = total / 3;
  let best = { schedule: f.schedule, finding: f.finding, size: f.size };
  let shrinkRuns = 0;
  let bestPath = path;
  o.onProgress?.({ phase: 'shrink', runs: 0, events: 0, finding: f.finding, shrinkRuns, size: f.size, originalSize: f.size });
  const shrink = guard((schedule: Schedule): boolean => {
    shrinkRuns++;
    const run = runChecked(o.factory, schedule, { invariants: o.invariants });
    if (run.finding === null || run.finding.invariant !== f.finding.invariant) return true;
    const size = sizeOf(schedule, run);
    if (size.events <= best.size.events) best = { schedule, finding: run.finding, size };
    o.onProgress?.({ phase: 'shrink', runs: 0, events: 0, finding: run.finding, shrinkRuns, size, originalSize: f.size });
    return false;
  });
  // A zero budget means no shrinking at all, not whatever fits in the first millisecond: the
  // unshrunk failure is then the same on every machine.
  if (total > 0) {
    const spent = (): boolean => shrinkRuns >= FAST_CHECK_SHRINK_RUNS || now() - start > budget || o.shouldStop?.() === true;
    shrinkWithin(o, arb, shrink.predicate, spent, path, f.index + 1, budget, (p) => (bestPath = p));
    shrink.rethrow();
    const limits = {
      start,
      greedyUntilMs: 2 * budget,
      untilMs: total,
      now,
      greedyRuns: GREEDY_SHRINK_RUNS,
      scriptRuns: SCRIPT_SHRINK_RUNS,
      invariants: o.invariants,
      onProgress: (m: { finding: Finding; size: TraceSize }, runs: number) =>
        o.onProgress?.({ phase: 'shrink', runs: 0, events: 0, finding: m.finding, shrinkRuns: shrinkRuns + runs, size: m.size, originalSize: f.size }),
    };
    const later = greedyThenScript(o.factory, { ...best, runs: 0 }, f.finding.invariant, limits);
    best = later;
    shrinkRuns += later.runs;
  }
  const recorded = runChecked(o.factory, best.schedule, { record: true, invariants: o.invariants });
  // A counterexample that does not do the same thing twice would not replay: say so instead.
  const again = o.recheck?.(best.schedule, f.index, 'failure') ?? null;
  if (again !== null) return { ...unshrunk(o, profile, f.index, best.schedule, again, bestPath), original: f.size, shrinkRuns, shrinkMs: now() - start };
  const finding = recorded.finding ?? best.finding;
  const shrunk = sizeOf(best.schedule, recorded);
  const trace = toTrace(
    { implementation: o.implementation, profile, seed: o.seed, path: bestPath, shrink: { before: f.size, after: shrunk, runs: shrinkRuns }, checks: o.invariants },
    best.schedule,
    recorded,
  );
  return { runIndex: f.index, finding, schedule: best.schedule, path: bestPath, original: f.size, shrunk, shrinkRuns, shrinkMs: now() - start, trace };
}

/** A failure reported as it was recorded, without shrinking. */
function unshrunk(o: ExploreOptions, profile: ProfileName, index: number, schedule: Schedule, run: RunResult, path: string | null): ExploreFailure {
  const size = sizeOf(schedule, run);
  const trace = toTrace({ implementation: o.implementation, profile, seed: o.seed, path: path ?? String(index), shrink: null, checks: o.invariants }, schedule, run);
  return { runIndex: index, finding: run.finding!, schedule, path: path ?? String(index), original: size, shrunk: size, shrinkRuns: 0, shrinkMs: 0, trace };
}

/**
 * fast-check's shrinker, from the failure's replay path, until `spent` says its share is used
 * up. Then the check is interrupted at once: a predicate that merely passed every later
 * candidate would leave fast-check walking the rest of a long schedule's shrink tree, which
 * took a third of this stage's time on some bugs without running a single schedule.
 */
function shrinkWithin(
  o: Pick<ExploreOptions, 'seed'>,
  arb: fc.Arbitrary<Schedule>,
  predicate: (s: Schedule) => boolean,
  spent: () => boolean,
  path: string,
  numRuns: number,
  budget: number,
  onPath: (path: string) => void,
): void {
  const capped = (s: Schedule): boolean => {
    if (spent()) throw new fc.PreconditionFailure(true);
    return predicate(s);
  };
  try {
    const details = fc.check(fc.property(arb, capped), { seed: o.seed, path, numRuns, interruptAfterTimeLimit: budget, markInterruptAsFailure: false });
    if (details.counterexamplePath !== null) onPath(details.counterexamplePath);
  } catch (e) {
    // A shrinker that runs out of stack still leaves the best so far; anything else is ours to report.
    if (!(e instanceof RangeError)) throw e;
  }
}

/**
 * fast-check reports an exception from the predicate as a property failure and shrinks it;
 * an internal error must not be mistaken for a finding, so it is kept apart and rethrown.
 */
function guard<T>(predicate: (s: T) => boolean): { predicate: (s: T) => boolean; rethrow: () => void } {
  let internal: unknown = null;
  return {
    predicate: (s) => {
      if (internal !== null) return true;
      try {
        return predicate(s);
      } catch (e) {
        internal = e;
        return true;
      }
    },
    rethrow: () => {
      if (internal !== null) throw internal;
    },
  };
}
