import type { ExploreResult } from '../explore/explore.js';
import type { Finding } from '../sim/observer.js';
import type { ProfileName, Schedule } from '../sim/schedule.js';
import type { TraceFile, TraceSize } from '../trace/format.js';
import type { TraceMeta } from '../trace/record.js';
import type { ReplayResult } from '../trace/replay.js';
import type { ImplSpec } from './impl.js';
import type { ScenarioResult } from '../scenario/runner.js';
import type { ConformCheck } from '../exec/conform.js';

/**
 * What the CLI's worker threads are given and what they post back. The main thread keeps the
 * event loop (Ctrl-C, progress, the watchdog); workers run the synchronous simulator.
 *
 * Shared memory (Int32Array over `shared`), written with Atomics:
 * [STOP] 1 once the run is interrupted; [LOWEST] the lowest iteration known to fail (or to
 * hang); per worker w, [beatSlot(w)] a counter bumped before every run (the watchdog's
 * heartbeat) and [indexSlot(w)] the iteration it is running.
 */
/** The finding name for a user node that does not return from an input (the watchdog's). */
export const HANG_INVARIANT = 'implementation-hang';

export const STOP = 0;
export const LOWEST = 1;
export const NONE = 0x7fffffff;
export const beatSlot = (w: number): number => 2 + 2 * w;
export const indexSlot = (w: number): number => 3 + 2 * w;
export const sharedSize = (workers: number): number => 4 * (2 + 2 * workers);

/** The workerData of a worker started before its task was known: the task (what workerData holds otherwise) is its first message. */
export const AWAIT_TASK = 'await-task';

export interface Slice {
  readonly index: number;
  readonly count: number;
}

export interface ExploreSettings {
  readonly iterations: number;
  readonly seed: number;
  readonly nodes: number;
  readonly profile: ProfileName;
  readonly snapshots: boolean;
  readonly shrinkTimeMs: number;
}

export interface ExploreTask extends ExploreSettings {
  readonly kind: 'explore';
  readonly worker: number;
  readonly slice: Slice;
  readonly impl: ImplSpec;
  readonly shared: SharedArrayBuffer;
}

export interface ReplayTask {
  readonly kind: 'replay';
  readonly worker: 0;
  readonly impl: ImplSpec;
  readonly trace: TraceFile;
  readonly shared: SharedArrayBuffer;
}

/** Records one schedule (a failure whose shrinking hung, kept unshrunk). */
export interface RecordTask {
  readonly kind: 'record';
  readonly worker: 0;
  readonly impl: ImplSpec;
  readonly schedule: Schedule;
  readonly meta: TraceMeta;
  readonly shared: SharedArrayBuffer;
}

/** Shrinks a trace's schedule further (`raft-check shrink`). */
export interface ShrinkTask {
  readonly kind: 'shrink';
  readonly worker: 0;
  readonly impl: ImplSpec;
  readonly trace: TraceFile;
  readonly budgetMs: number;
  readonly shared: SharedArrayBuffer;
}

/** Runs lab scenarios over seeds (`raft-check scenario` with --impl or --exec). */
export interface ScenarioTask {
  readonly kind: 'scenario';
  readonly worker: 0;
  readonly impl: ImplSpec;
  readonly names: readonly string[];
  readonly seeds: readonly number[];
  readonly shared: SharedArrayBuffer;
}

/** Checks an --exec adapter against the protocol (`raft-check conform`). */
export interface ConformTask {
  readonly kind: 'conform';
  readonly worker: 0;
  readonly impl: ImplSpec;
  readonly shared: SharedArrayBuffer;
}

export type WorkerTask = ExploreTask | ReplayTask | RecordTask | ShrinkTask | ScenarioTask | ConformTask;

/** What `raft-check shrink` computed in its worker. */
export type ShrinkOutcome =
  | { readonly kind: 'shrunk'; readonly trace: TraceFile; readonly before: TraceSize; readonly after: TraceSize; readonly runs: number; readonly ms: number }
  /** The schedule no longer fails with the trace's invariant. */
  | { readonly kind: 'gone'; readonly finding: Finding | null }
  /** A scenario's own assertion: it holds only inside the scenario's script, which cannot shrink. */
  | { readonly kind: 'unshrinkable'; readonly reason: string };

export type WorkerMessage =
  /** raft-check's own modules are loaded; importing the implementation starts now (the watchdog times it). */
  | { readonly type: 'importing' }
  /** The implementation is loaded (this is its factory's name); the work starts now. */
  | { readonly type: 'ready'; readonly name: string }
  | { readonly type: 'progress'; readonly runs: number; readonly events: number }
  | { readonly type: 'found'; readonly index: number; readonly finding: Finding; readonly size: TraceSize }
  | { readonly type: 'shrink'; readonly shrinkRuns: number; readonly size: TraceSize; readonly originalSize: TraceSize }
  | { readonly type: 'done'; readonly result: ExploreResult }
  /** The search stopped early (Ctrl-C, or a lower iteration failed elsewhere): terminate me. */
  | { readonly type: 'stopped'; readonly runs: number; readonly events: number }
  | { readonly type: 'replayed'; readonly result: ReplayResult }
  | { readonly type: 'recorded'; readonly trace: TraceFile; readonly size: TraceSize }
  | { readonly type: 'shrunk'; readonly outcome: ShrinkOutcome }
  /** One (scenario, seed) run finished, in the order names x seeds. */
  | { readonly type: 'scenario-result'; readonly result: ScenarioResult }
  | { readonly type: 'scenarios-done' }
  | { readonly type: 'conform-check'; readonly check: ConformCheck }
  | { readonly type: 'conform-done' }
  /**
   * The implementation left something behind that failed outside any step: an unhandled
   * promise rejection or an exception from a callback (promises settle only after the
   * synchronous run, so the step is not known).
   */
  | { readonly type: 'stray'; readonly message: string }
  | { readonly type: 'error'; readonly message: string; readonly stack: string | null; readonly usage: boolean }
  /** An --exec worker needs a (new) process: the main thread starts one on its pipes. */
  | { readonly type: 'exec-spawn' };

/** Lowers a shared slot to `value` unless it is already lower. */
export function atomicMin(a: Int32Array, slot: number, value: number): void {
  for (;;) {
    const cur = Atomics.load(a, slot);
    if (cur <= value) return;
    if (Atomics.compareExchange(a, slot, cur, value) === cur) return;
  }
}
