import { parentPort, workerData } from 'node:worker_threads';
import { explore } from '../explore/explore.js';
import { replayTrace } from '../trace/replay.js';
import { replayScenarioTrace, scenarioOfTrace } from '../scenario/runner.js';
import { UsageError } from './errors.js';
import { implementationInfo, loadFactory } from './impl.js';
import { atomicMin, beatSlot, indexSlot, LOWEST, STOP, type ExploreTask, type WorkerMessage, type WorkerTask } from './protocol.js';

/**
 * A worker thread of `run` (one slice of the iterations) or of `replay` (one user module under
 * the watchdog). See protocol.ts for the shared-memory layout.
 */
const PROGRESS_EVERY_MS = 200;

const task = workerData as WorkerTask;
const shared = new Int32Array(task.shared);
const post = (m: WorkerMessage): void => parentPort!.postMessage(m);
const beat = (): void => void Atomics.add(shared, beatSlot(task.worker), 1);

try {
  const factory = await loadFactory(task.impl);
  beat();
  post({ type: 'ready' });
  if (task.kind === 'replay') {
    // A directed scenario is re-run from its name and seed, not from a schedule.
    const result = scenarioOfTrace(task.trace) !== null ? replayScenarioTrace(task.trace, factory) : replayTrace(task.trace, factory);
    post({ type: 'replayed', result });
  }
  else runSlice(task, factory);
} catch (e) {
  const err = e instanceof Error ? e : new Error(String(e));
  post({ type: 'error', message: err.message, stack: err.stack ?? null, usage: e instanceof UsageError });
}

function runSlice(t: ExploreTask, factory: Awaited<ReturnType<typeof loadFactory>>): void {
  const { slice } = t;
  // explore polls shouldStop once before each run of this slice, in order: the c-th poll
  // precedes iteration slice.index + c * slice.count. That is how this worker knows which
  // iteration it is on, and which one failed once shrinking starts.
  let polls = 0;
  let failed = -1;
  let lastPost = 0;
  let events = 0;
  // Ctrl-C while shrinking: the clock jumps past every budget so the shrinkers stop at once and
  // keep their best schedule (explore polls shouldStop between fast-check's shrink runs only).
  const SKEW = 1e12;
  const interrupted = (): boolean => Atomics.load(shared, STOP) !== 0;
  // explore reads the clock between shrink attempts (also in its greedy minimizer, which polls
  // no shouldStop): a heartbeat for the watchdog there too.
  const now = (): number => {
    beat();
    return Date.now() + (interrupted() ? SKEW : 0);
  };
  let stopPosted = false;
  // A stopped search still has fast-check generate its remaining iterations; rather than wait
  // for that, tell the main thread, which terminates this worker.
  const stopSearch = (): true => {
    if (!stopPosted) {
      stopPosted = true;
      post({ type: 'stopped', runs: polls - 1, events });
    }
    return true;
  };
  const result = explore({
    factory,
    implementation: implementationInfo(t.impl, factory),
    iterations: t.iterations,
    seed: t.seed,
    nodes: t.nodes,
    profile: t.profile,
    snapshots: t.snapshots,
    shrinkTimeMs: t.shrinkTimeMs,
    slice,
    now,
    shouldStop: () => {
      beat();
      if (failed >= 0) return interrupted() || Atomics.load(shared, LOWEST) < failed;
      const index = slice.index + polls * slice.count;
      polls++;
      if (interrupted()) return stopSearch();
      Atomics.store(shared, indexSlot(t.worker), index);
      // A lower iteration already failed elsewhere: nothing past it can be the answer.
      return Atomics.load(shared, LOWEST) < index ? stopSearch() : false;
    },
    onProgress: (p) => {
      const now = Date.now();
      if (p.phase === 'explore') {
        events = p.events;
        if (now - lastPost < PROGRESS_EVERY_MS) return;
        lastPost = now;
        post({ type: 'progress', runs: p.runs, events: p.events });
        return;
      }
      if (failed < 0 && p.finding !== null && p.originalSize !== null) {
        failed = slice.index + (polls - 1) * slice.count;
        atomicMin(shared, LOWEST, failed);
        post({ type: 'found', index: failed, finding: p.finding, size: p.originalSize });
        lastPost = now;
        return;
      }
      if (now - lastPost < PROGRESS_EVERY_MS || p.size === null || p.originalSize === null) return;
      lastPost = now;
      post({ type: 'shrink', shrinkRuns: p.shrinkRuns, size: p.size, originalSize: p.originalSize });
    },
  });
  const f = result.failure;
  // Undo the interrupt's clock skew in the reported shrink time.
  const fixed = f !== null && f.shrinkMs >= SKEW ? { ...result, failure: { ...f, shrinkMs: f.shrinkMs - SKEW } } : result;
  post({ type: 'done', result: fixed });
}
