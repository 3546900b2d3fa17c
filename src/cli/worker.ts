import { parentPort, workerData } from 'node:worker_threads';
import { explore } from '../explore/explore.js';
import { replayTrace } from '../trace/replay.js';
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
  if (task.kind === 'replay') post({ type: 'replayed', result: replayTrace(task.trace, factory) });
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
    shouldStop: () => {
      beat();
      if (Atomics.load(shared, STOP) !== 0) return true;
      const lowest = Atomics.load(shared, LOWEST);
      if (failed >= 0) return lowest < failed;
      const index = slice.index + polls * slice.count;
      polls++;
      Atomics.store(shared, indexSlot(t.worker), index);
      // A lower iteration already failed elsewhere: nothing past it can be the answer.
      return lowest < index;
    },
    onProgress: (p) => {
      const now = Date.now();
      if (p.phase === 'explore') {
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
  post({ type: 'done', result });
}
