import { Worker } from 'node:worker_threads';
import type { ExploreFailure, ExploreResult } from '../explore/explore.js';
import type { Finding } from '../sim/observer.js';
import type { TraceFile } from '../trace/format.js';
import type { ReplayResult } from '../trace/replay.js';
import { UsageError } from './errors.js';
import type { ImplSpec } from './impl.js';
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

const WORKER_URL = new URL('./worker.js', import.meta.url);
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

export interface Hang {
  /** The iteration the worker was running, or the failing one it was shrinking. */
  readonly index: number;
  readonly phase: 'explore' | 'shrink';
  /** In the shrink phase: the violation being shrunk. */
  readonly finding: Finding | null;
}

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
    const worker = new Worker(WORKER_URL, { workerData: task satisfies WorkerTask });
    return { w, worker, state: 'starting', runs: 0, events: 0, result: null, found: null, hang: null, stoppedEarly: false, beats: 0, beatAt: Date.now(), settled: false };
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
      case 'ready':
        s.state = 'exploring';
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
        progress(true);
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
        return;
    }
  };

  for (const s of slots) {
    s.worker.on('message', (m: WorkerMessage) => onMessage(s, m));
    s.worker.on('error', (e) => fail(e));
    s.worker.on('exit', (code) => {
      if (s.result === null && s.hang === null && !s.stoppedEarly && !interrupted && !failed) {
        fail(new Error(`worker ${s.w} exited with code ${code} before reporting`));
        return;
      }
      if (s.result === null && s.hang === null) s.state = 'stopped';
      settle(s);
    });
  }

  const watchdog = setInterval(() => {
    const now = Date.now();
    for (const s of slots) {
      if (s.settled || s.result !== null || s.hang !== null || s.stoppedEarly) continue;
      const beats = Atomics.load(shared, beatSlot(s.w));
      if (beats !== s.beats) {
        s.beats = beats;
        s.beatAt = now;
        continue;
      }
      if (job.hangTimeoutMs !== null && now - s.beatAt > job.hangTimeoutMs) {
        const index = s.found !== null ? s.found.index : Atomics.load(shared, indexSlot(s.w));
        s.hang = { index, phase: s.found !== null ? 'shrink' : 'explore', finding: s.found?.finding ?? null };
        // Runs this worker completed: its slice's iterations below the one that hung.
        if (s.found === null && index >= 0) s.runs = Math.floor((index - job.slices[s.w].index) / job.slices[s.w].count);
        s.state = 'hung';
        if (index >= 0) atomicMin(shared, LOWEST, index);
        void s.worker.terminate();
      }
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
      if (s.hang !== null && s.hang.index >= 0 && (winner === null || s.hang.index < winner.index)) winner = { index: s.hang.index, failure: null, hang: s.hang };
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

/**
 * Replays a trace with a user's module in a worker, so a node that never returns is reported
 * instead of freezing raft-check: 'hang' when the replay does not finish within the timeout.
 */
export function replayInWorker(impl: ImplSpec, trace: TraceFile, hangTimeoutMs: number): Promise<ReplayResult | 'hang'> {
  const sharedBuf = new SharedArrayBuffer(sharedSize(1));
  const task: WorkerTask = { kind: 'replay', worker: 0, impl, trace, shared: sharedBuf };
  const worker = new Worker(WORKER_URL, { workerData: task });
  return new Promise((resolve, reject) => {
    let done = false;
    const timer = setTimeout(() => {
      done = true;
      void worker.terminate();
      resolve('hang');
    }, hangTimeoutMs);
    const end = (f: () => void): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      f();
      void worker.terminate();
    };
    worker.on('message', (m: WorkerMessage) => {
      if (m.type === 'replayed') end(() => resolve(m.result));
      else if (m.type === 'error') end(() => reject(m.usage ? new UsageError(m.message) : Object.assign(new Error(m.message), { stack: m.stack ?? undefined })));
    });
    worker.on('error', (e) => end(() => reject(e)));
    worker.on('exit', (code) => end(() => reject(new Error(`replay worker exited with code ${code}`))));
  });
}
