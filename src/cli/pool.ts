import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { ExecHost } from '../exec/host.js';
import { execSharedSize } from '../exec/shared.js';
import { inputInProgress } from './watch-nodes.js';
import type { ExploreFailure, ExploreResult } from '../explore/explore.js';
import type { Finding } from '../sim/observer.js';
import { UsageError } from './errors.js';
import { newWorker, takeEarlyWorker, WORKER_HEAP_MB } from './early-worker.js';
import { importHang, importTimeoutMs, type ImplSpec } from './impl.js';
import type { RunProgress, ShrinkProgress, WorkerStatus } from './progress.js';
import {
  beatSlot,
  indexSlot,
  LOWEST,
  NONE,
  sharedSize,
  STOP,
  atomicMin,
  type ExploreSettings,
  type ExploreTask,
  type Slice,
  type WorkerMessage,
  type WorkerTask,
} from './protocol.js';

/** A worker for a task: the early one if a `run` started it (see early-worker.ts), else a new one. */
export function startWorker(task: WorkerTask, workers = 1): Worker {
  const host = task.impl.kind === 'exec' ? new ExecHost(task.impl.argv, new SharedArrayBuffer(execSharedSize)) : null;
  const pipes = host === null ? null : { requests: host.requests, responses: host.responses, shared: host.shared, spinMicros: execSpinMicros(workers) };
  // A module's worker says which node and input it is in, for a hang's finding (see watchNodes).
  const watch = task.impl.kind === 'module' ? new SharedArrayBuffer(execSharedSize) : null;
  const workerData = pipes !== null ? { ...task, pipes } : watch !== null ? { ...task, watch } : task;
  const worker = (host === null ? takeEarlyWorker(workerData) : null) ?? newWorker(workerData);
  if (watch !== null) WATCHED.set(worker, watch);
  if (host !== null) {
    HOSTS.set(worker, host);
    LIVE.add(host);
    worker.on('message', (m: WorkerMessage) => {
      if (m.type === 'exec-spawn') host.spawn();
    });
    worker.on('exit', () => {
      host.dispose();
      LIVE.delete(host);
    });
    // A worker blocked reading a hung process ends only once the process does.
    const terminate = worker.terminate.bind(worker);
    worker.terminate = () => {
      host.kill();
      return terminate();
    };
  }
  return worker;
}

/**
 * How long an --exec worker polls for each answer before it blocks (see Channel): only while
 * every worker and its process can have a core, or the polling takes the process's core.
 * RAFT_CHECK_EXEC_SPIN_US sets it (0 turns polling off).
 */
export function execSpinMicros(workers: number): number {
  const env = process.env.RAFT_CHECK_EXEC_SPIN_US;
  if (env !== undefined && /^\d+$/.test(env)) return Number(env);
  return availableParallelism() >= 2 * workers ? 200 : 0;
}

const HOSTS = new WeakMap<Worker, ExecHost>();
const LIVE = new Set<ExecHost>();
// Whatever ends raft-check, no adapter process outlives it.
process.on('exit', () => {
  for (const h of LIVE) h.dispose();
});

/** What a hung worker was waiting for: the node and request of an --exec process, or a node of a module. */
function hangText(worker: Worker, timeoutMs: number): string {
  const host = HOSTS.get(worker);
  const watch = WATCHED.get(worker);
  const what = host !== undefined ? host.current() : watch !== undefined ? inputInProgress(watch) : 'a node did not return';
  return `${what} within ${timeoutMs / 1000} s`;
}

const WATCHED = new WeakMap<Worker, SharedArrayBuffer>();

/** True for the error a worker emits when its heap limit is reached. */
export function outOfMemory(e: unknown): boolean {
  return (e as { code?: unknown } | null)?.code === 'ERR_WORKER_OUT_OF_MEMORY';
}
const WATCH_EVERY_MS = 250;
const PROGRESS_EVERY_MS = 200;
/** After Ctrl-C, workers get this long to finish (a hung user module never will). */
const INTERRUPT_GRACE_MS = 5000;

export interface ExploreJob extends ExploreSettings {
  readonly impl: ImplSpec;
  /** One slice per worker. */
  readonly slices: readonly Slice[];
  /** Iterations these slices cover, for progress. */
  readonly planned: number;
  /** A worker that starts no run for this long is hung; null turns the watchdog off. */
  readonly hangTimeoutMs: number | null;
}

/**
 * A worker stopped by something its implementation did rather than by a finding of the
 * simulator: a node that does not return (the watchdog), a heap that ran out, a thread that
 * ended, or a rejection left unhandled.
 */
export interface Hang {
  /** The iteration the worker was running, or the failing one it was shrinking. */
  readonly index: number;
  readonly phase: 'explore' | 'shrink';
  /** In the shrink phase: the violation being shrunk. */
  readonly finding: Finding | null;
  readonly cause: AbortCause;
  /** For causes other than a hang: what happened, in one line. */
  readonly message: string;
}

export type AbortCause = 'hang' | 'memory' | 'exit' | 'stray';

export interface PoolResult {
  readonly interrupted: boolean;
  readonly iterations: number;
  readonly events: number;
  readonly virtualMs: number;
  /** Wall time of the search: until the reported violation was found, or until the end. */
  readonly searchMs: number;
  readonly elapsedMs: number;
  /** The violation of the lowest failing iteration, as explore returned it. */
  readonly failure: ExploreFailure | null;
  /** Set instead of `failure` when the lowest iteration with a finding is a hang. */
  readonly hang: Hang | null;
  readonly workers: number;
  /** The implementation's name, as its factory says (null if no worker loaded it). */
  readonly implementationName: string | null;
}

export interface PoolCallbacks {
  onProgress?(p: RunProgress): void;
  onShrink?(p: ShrinkProgress): void;
}

export interface RunningPool {
  readonly result: Promise<PoolResult>;
  /** Ctrl-C: workers stop at their next run; a violation being shrunk keeps its best trace. */
  interrupt(): void;
  /** Second Ctrl-C: terminate every worker now. */
  kill(): void;
}

interface Slot {
  readonly w: number;
  readonly worker: Worker;
  state: WorkerStatus['state'];
  runs: number;
  events: number;
  result: ExploreResult | null;
  found: { index: number; finding: Finding; at: number } | null;
  hang: Hang | null;
  /** Reported 'stopped' and was terminated: no result will come. */
  stoppedEarly: boolean;
  beats: number;
  beatAt: number;
  /** Since when the worker imports the implementation (null: not yet, or done). */
  importingSince: number | null;
  settled: boolean;
}

/**
 * Runs explore over worker threads, one slice each, and merges like a single thread would:
 * the lowest failing iteration wins, and workers stop once nothing they could still find can
 * be lower. With the same seed the reported violation is the one a single thread reports.
 */
export function startExplore(job: ExploreJob, cb: PoolCallbacks = {}): RunningPool {
  const started = Date.now();
  const sharedBuf = new SharedArrayBuffer(sharedSize(job.slices.length));
  const shared = new Int32Array(sharedBuf);
  shared[LOWEST] = NONE;
  let interrupted = false;
  let lastProgress = 0;
  let resolveAll!: (r: PoolResult) => void;
  let rejectAll!: (e: unknown) => void;
  const result = new Promise<PoolResult>((res, rej) => {
    resolveAll = res;
    rejectAll = rej;
  });
  let failed = false;
  /** When the first worker had its implementation loaded: the search's wall time starts here. */
  let readyAt: number | null = null;
  let implementationName: string | null = null;

  const slots: Slot[] = job.slices.map((slice, w) => {
    const task: ExploreTask = {
      kind: 'explore',
      worker: w,
      slice,
      impl: job.impl,
      shared: sharedBuf,
      iterations: job.iterations,
      seed: job.seed,
      nodes: job.nodes,
      profile: job.profile,
      snapshots: job.snapshots,
      shrinkTimeMs: job.shrinkTimeMs,
    };
    shared[indexSlot(w)] = -1;
    const worker = startWorker(task satisfies WorkerTask, job.slices.length);
    return { w, worker, state: 'starting', runs: 0, events: 0, result: null, found: null, hang: null, stoppedEarly: false, beats: 0, beatAt: Date.now(), importingSince: null, settled: false };
  });

  const status = (): WorkerStatus[] => slots.map((s) => ({ worker: s.w, state: s.state, runs: s.result?.iterations ?? s.runs, events: s.result?.events ?? s.events }));
  const lowestFound = (): Slot | null => {
    let best: Slot | null = null;
    for (const s of slots) if (s.found !== null && (best === null || s.found.index < best.found!.index)) best = s;
    return best;
  };
  const progress = (force: boolean): void => {
    const now = Date.now();
    if (!force && now - lastProgress < PROGRESS_EVERY_MS) return;
    lastProgress = now;
    const st = status();
    cb.onProgress?.({
      runs: st.reduce((a, s) => a + s.runs, 0),
      iterations: job.planned,
      events: st.reduce((a, s) => a + s.events, 0),
      elapsedMs: now - started,
      findings: slots.filter((s) => s.found !== null || s.hang !== null).length,
      workers: st,
    });
  };

  const settle = (s: Slot): void => {
    if (s.settled) return;
    s.settled = true;
    if (slots.every((x) => x.settled)) finish();
  };

  const fail = (e: unknown): void => {
    if (failed) return;
    failed = true;
    clearInterval(watchdog);
    for (const s of slots) void s.worker.terminate();
    rejectAll(e);
  };

  const onMessage = (s: Slot, m: WorkerMessage): void => {
    switch (m.type) {
      case 'importing':
        s.importingSince = Date.now();
        return;
      case 'ready':
        s.state = 'exploring';
        s.importingSince = null;
        s.beatAt = Date.now();
        implementationName ??= m.name;
        if (readyAt === null) readyAt = Date.now();
        return;
      case 'progress':
        s.state = 'exploring';
        s.runs = m.runs;
        s.events = m.events;
        progress(false);
        return;
      case 'found': {
        s.state = 'shrinking';
        s.found = { index: m.index, finding: m.finding, at: Date.now() };
        s.runs = Math.floor((m.index - job.slices[s.w].index) / job.slices[s.w].count) + 1;
        if (lowestFound() === s) {
          cb.onShrink?.({ invariant: m.finding.invariant, message: m.finding.message, iteration: m.index, shrinkRuns: 0, size: m.size, originalSize: m.size, elapsedMs: 0, budgetMs: job.shrinkTimeMs });
        }
        progress(true);
        return;
      }
      case 'shrink':
        if (s.found !== null && lowestFound() === s) {
          cb.onShrink?.({
            invariant: s.found.finding.invariant,
            message: s.found.finding.message,
            iteration: s.found.index,
            shrinkRuns: m.shrinkRuns,
            size: m.size,
            originalSize: m.originalSize,
            elapsedMs: Date.now() - s.found.at,
            budgetMs: job.shrinkTimeMs,
          });
        }
        return;
      case 'done':
        s.result = m.result;
        s.state = m.result.stopped ? 'stopped' : 'done';
        // Nothing is left to do; a timer or handle the module left open must not keep it alive.
        void s.worker.terminate();
        progress(true);
        return;
      case 'stray':
        abort(s, 'stray', m.message);
        return;
      case 'stopped':
        s.state = 'stopped';
        s.runs = m.runs;
        s.events = Math.max(s.events, m.events);
        s.stoppedEarly = true;
        void s.worker.terminate();
        progress(true);
        return;
      case 'error':
        fail(m.usage ? new UsageError(m.message) : Object.assign(new Error(m.message), { stack: m.stack ?? undefined }));
        return;
      case 'replayed':
      case 'recorded':
      case 'shrunk':
      case 'scenario-result':
      case 'scenarios-done':
      case 'conform-check':
      case 'conform-done':
      case 'exec-spawn':
        return;
    }
  };

  for (const s of slots) {
    s.worker.on('message', (m: WorkerMessage) => onMessage(s, m));
    s.worker.on('error', (e) => {
      if (outOfMemory(e) && s.result === null) abort(s, 'memory', `the implementation ran out of memory (a worker's heap is ${WORKER_HEAP_MB} MB)`);
      else fail(e);
    });
    s.worker.on('exit', (code) => {
      if (s.result === null && s.hang === null && !s.stoppedEarly && !interrupted && !failed) {
        // Our code never ends a worker; a user's module can (process.reallyExit, a native addon).
        if (job.impl.kind !== 'core' && s.state !== 'starting') abort(s, 'exit', `the worker running the implementation ended (exit code ${code}) without a result`);
        else if (s.state === 'starting' && job.impl.kind === 'module') fail(new UsageError(`--impl ${job.impl.recorded}: the module ended its worker while it was being imported (exit code ${code})`));
        else fail(new Error(`worker ${s.w} exited with code ${code} before reporting`));
        if (s.hang === null) return;
      }
      if (s.result === null && s.hang === null) s.state = 'stopped';
      settle(s);
    });
  }

  /** Ends a worker with a finding about its implementation at the iteration it was on. */
  function abort(s: Slot, cause: AbortCause, message: string): void {
    if (s.hang !== null || s.result !== null) return;
    const index = s.found !== null ? s.found.index : Atomics.load(shared, indexSlot(s.w));
    s.hang = { index, phase: s.found !== null ? 'shrink' : 'explore', finding: s.found?.finding ?? null, cause, message };
    // Runs this worker completed: its slice's iterations below the one it was on.
    if (s.found === null && index >= 0) s.runs = Math.floor((index - job.slices[s.w].index) / job.slices[s.w].count);
    s.state = 'hung';
    if (index >= 0) atomicMin(shared, LOWEST, index);
    // Terminated, the worker emits 'exit', which settles it.
    void s.worker.terminate();
  }

  const watchdog = setInterval(() => {
    const now = Date.now();
    for (const s of slots) {
      if (s.settled || s.result !== null || s.hang !== null || s.stoppedEarly) continue;
      // Importing counts too: a module that loops at its top level never says it is ready.
      if (s.state === 'starting') {
        if (job.hangTimeoutMs !== null && s.importingSince !== null && now - s.importingSince > importTimeoutMs(job.impl, job.hangTimeoutMs) && job.impl.kind !== 'core') {
          fail(importHang(job.impl, job.hangTimeoutMs));
          return;
        }
        continue;
      }
      const beats = Atomics.load(shared, beatSlot(s.w));
      if (beats !== s.beats) {
        s.beats = beats;
        s.beatAt = now;
        continue;
      }
      if (job.hangTimeoutMs !== null && now - s.beatAt > job.hangTimeoutMs) abort(s, 'hang', hangText(s.worker, job.hangTimeoutMs));
    }
    progress(false);
  }, WATCH_EVERY_MS);

  let graceTimer: NodeJS.Timeout | null = null;

  function finish(): void {
    clearInterval(watchdog);
    if (graceTimer !== null) clearTimeout(graceTimer);
    if (failed) return;
    let winner: { index: number; failure: ExploreFailure | null; hang: Hang | null } | null = null;
    for (const s of slots) {
      const f = s.result?.failure ?? null;
      if (f !== null && (winner === null || f.runIndex < winner.index)) winner = { index: f.runIndex, failure: f, hang: null };
      // An abort before the first run (index -1) still counts: it must not pass for "no violation".
      const hi = s.hang === null ? -1 : Math.max(0, s.hang.index);
      if (s.hang !== null && (winner === null || hi < winner.index)) winner = { index: hi, failure: null, hang: { ...s.hang, index: hi } };
    }
    const st = status();
    const first = lowestFound();
    const end = Date.now();
    resolveAll({
      interrupted,
      iterations: st.reduce((a, s) => a + s.runs, 0),
      events: st.reduce((a, s) => a + s.events, 0),
      virtualMs: slots.reduce((a, s) => a + (s.result?.virtualMs ?? 0), 0),
      searchMs: (winner !== null && winner.failure !== null && first !== null ? first.found!.at : end) - (readyAt ?? started),
      elapsedMs: end - started,
      failure: winner?.failure ?? null,
      hang: winner?.hang ?? null,
      workers: slots.length,
      implementationName,
    });
  }

  return {
    result,
    interrupt() {
      if (interrupted) return;
      interrupted = true;
      Atomics.store(shared, STOP, 1);
      graceTimer = setTimeout(() => this.kill(), INTERRUPT_GRACE_MS);
      graceTimer.unref();
    },
    kill() {
      interrupted = true;
      Atomics.store(shared, STOP, 1);
      for (const s of slots) if (!s.settled) void s.worker.terminate();
    },
  };
}

/** How a single-task worker ended. */
export type TaskEnd<T> =
  | { readonly kind: 'done'; readonly value: T; readonly name: string }
  /** The watchdog stopped it: while importing the module, or while running. */
  | { readonly kind: 'hang'; readonly phase: 'import' | 'run'; readonly message: string }
  /** The implementation ran out of memory, ended the thread or left a failure behind. */
  | { readonly kind: 'abort'; readonly cause: AbortCause; readonly message: string };

export interface RunningTask<T> {
  readonly result: Promise<TaskEnd<T>>;
  /** Ctrl-C: a shrink keeps its best so far (the worker's clock jumps past the budget). */
  interrupt(): void;
}

/**
 * Runs one task (replay, record, shrink) in a worker under the watchdog: the import must end
 * within `hangTimeoutMs`, and after it the worker must beat (or finish) within it again.
 * `pick` takes the task's result out of the worker's messages.
 */
export function runTask<T>(task: WorkerTask, hangTimeoutMs: number, pick: (m: WorkerMessage) => T | undefined): RunningTask<T> {
  const shared = new Int32Array(task.shared);
  const worker = startWorker(task);
  let name: string | null = null;
  let importing = false;
  let done = false;
  let beats = 0;
  let beatAt = Date.now();
  let watchdog: NodeJS.Timeout | null = null;
  const result = new Promise<TaskEnd<T>>((resolve, reject) => {
    const end = (f: () => void): void => {
      if (done) return;
      done = true;
      if (watchdog !== null) clearInterval(watchdog);
      f();
      void worker.terminate();
    };
    watchdog = setInterval(() => {
      const now = Date.now();
      const b = Atomics.load(shared, beatSlot(task.worker));
      if (b !== beats) {
        beats = b;
        beatAt = now;
      } else if ((importing || name !== null) && now - beatAt > (name === null ? importTimeoutMs(task.impl, hangTimeoutMs) : hangTimeoutMs)) end(() => resolve({ kind: 'hang', phase: name === null ? 'import' : 'run', message: hangText(worker, hangTimeoutMs) }));
    }, Math.min(WATCH_EVERY_MS, Math.max(10, hangTimeoutMs / 4)));
    worker.on('message', (m: WorkerMessage) => {
      if (m.type === 'importing') {
        importing = true;
        beatAt = Date.now();
        return;
      }
      if (m.type === 'ready') {
        name = m.name;
        beatAt = Date.now();
        return;
      }
      if (m.type === 'stray') return end(() => resolve({ kind: 'abort', cause: 'stray', message: m.message }));
      if (m.type === 'error') return end(() => reject(m.usage ? new UsageError(m.message) : Object.assign(new Error(m.message), { stack: m.stack ?? undefined })));
      const value = pick(m);
      if (value !== undefined) end(() => resolve({ kind: 'done', value, name: name ?? '' }));
    });
    worker.on('error', (e) => {
      if (outOfMemory(e)) end(() => resolve({ kind: 'abort', cause: 'memory', message: `the implementation ran out of memory (a worker's heap is ${WORKER_HEAP_MB} MB)` }));
      else end(() => reject(e));
    });
    worker.on('exit', (code) => {
      if (task.impl.kind !== 'core') end(() => resolve({ kind: 'abort', cause: 'exit', message: `the worker running the implementation ended (exit code ${code}) without a result` }));
      else end(() => reject(new Error(`${task.kind} worker exited with code ${code}`)));
    });
  });
  return {
    result,
    interrupt: () => Atomics.store(shared, STOP, 1),
  };
}

/** A fresh shared buffer for a single-task worker. */
export function taskShared(): SharedArrayBuffer {
  return new SharedArrayBuffer(sharedSize(1));
}
