import { parentPort, workerData } from 'node:worker_threads';
import { UsageError } from './errors.js';
import { implementationInfo, isUserCode, loadFactory, prepareImport } from './impl.js';
import type { ExecPipes } from '../exec/channel.js';
import { watchNodes } from './watch-nodes.js';
import type { NodeFactory } from '../raft/types.js';
import { thrownText } from '../sim/validate-output.js';
import type { Schedule } from '../sim/schedule.js';
import { atomicMin, AWAIT_TASK, beatSlot, indexSlot, LOWEST, STOP, type ExploreTask, type WorkerMessage, type WorkerTask } from './protocol.js';

/**
 * A worker thread: one slice of `run`'s iterations, or one `replay`, `shrink` or recording,
 * with the implementation loaded here and never in the main thread, so the main thread's
 * watchdog covers its import too. See protocol.ts for the shared-memory layout.
 */
const PROGRESS_EVERY_MS = 200;
/**
 * Ctrl-C while shrinking: the clock jumps past every budget so the shrinkers stop at once and
 * keep their best schedule (explore polls shouldStop between fast-check's shrink runs only).
 */
const SKEW = 1e12;
/** One passing run in this many is run twice more to check that it repeats (a user's module only). */
const RECHECK_EVERY = 64;

/**
 * What each task needs beyond loading the implementation, imported when the task is known: a
 * worker pays only for its own task (an explore worker never loads the trace parser or the
 * scenarios). Our modules are all evaluated before the user's module, as they always were.
 */
const taskModules = {
  replay: () => Promise.all([import('../trace/replay.js'), import('../scenario/runner.js')]),
  record: () => Promise.all([import('../check/run.js'), import('../trace/record.js')]),
  shrink: () => import('./shrink-trace.js'),
  scenario: () => import('../scenario/runner.js'),
  explore: () => Promise.all([import('../explore/explore.js'), import('../explore/determinism.js')]),
};

/** The task with what came beside it (an --exec worker's pipes, a module worker's watch buffer). */
const data = (workerData === AWAIT_TASK ? await firstMessage() : workerData) as WorkerTask & { pipes?: ExecPipes; watch?: SharedArrayBuffer };
const task: WorkerTask = data;
const shared = new Int32Array(task.shared);
const post = (m: WorkerMessage): void => parentPort!.postMessage(m);
const beat = (): void => void Atomics.add(shared, beatSlot(task.worker), 1);

// Kept before trapTimers() replaces them: the worker's own wait for stray failures.
const realSetImmediate = setImmediate;
let strayPosted = false;

confine();
try {
  if (task.kind === 'conform') {
    await conformProcess(task.impl);
  } else await runTaskHere();
} catch (e) {
  const err = e instanceof Error ? e : new Error(String(e));
  post({ type: 'error', message: err.message, stack: err.stack ?? null, usage: e instanceof UsageError });
}

/**
 * A worker started early (see early-worker.ts) is most likely to explore: it loads the search
 * while it waits, which is the point of starting it early.
 */
async function firstMessage(): Promise<unknown> {
  const message = new Promise((resolve) => parentPort!.once('message', resolve));
  await taskModules.explore();
  return message;
}

async function runTaskHere(): Promise<void> {
  if (task.kind === 'conform') return;
  await taskModules[task.kind]();
  await prepareImport(task.impl);
  post({ type: 'importing' });
  const loaded = task.impl.kind === 'exec' ? await openProcess(task.impl.recorded) : await loadFactory(task.impl);
  const watch = data.watch;
  const factory = watch === undefined ? loaded : watchNodes(loaded, watch);
  trapTimers();
  beat();
  post({ type: 'ready', name: factory.name });
  switch (task.kind) {
    case 'replay': {
      const [{ replayTrace }, { replayScenarioTrace, scenarioOfTrace }] = await taskModules.replay();
      // A directed scenario is re-run from its name and seed, not from a schedule.
      const result = scenarioOfTrace(task.trace) !== null ? replayScenarioTrace(task.trace, factory) : replayTrace(task.trace, factory);
      await settled();
      post({ type: 'replayed', result });
      break;
    }
    case 'record': {
      const [{ runChecked }, { sizeOf, toTrace }] = await taskModules.record();
      const run = runChecked(factory, task.schedule, { record: true });
      await settled();
      post({ type: 'recorded', trace: toTrace(task.meta, task.schedule, run), size: sizeOf(task.schedule, run) });
      break;
    }
    case 'shrink': {
      // Interrupted before shrinking began: the clock's jump would shift start and now alike.
      const budgetMs = Atomics.load(shared, STOP) !== 0 ? 0 : task.budgetMs;
      const { shrinkTrace } = await taskModules.shrink();
      const outcome = shrinkTrace(factory, task.trace, implementationInfo(task.impl, factory), budgetMs, interruptibleClock());
      await settled();
      post({ type: 'shrunk', outcome });
      break;
    }
    case 'scenario': {
      const { runScenarios } = await taskModules.scenario();
      const implementation = implementationInfo(task.impl, factory);
      runScenarios({
        factory,
        implementation,
        names: task.names,
        seeds: task.seeds,
        onResult: (r) => {
          beat();
          post({ type: 'scenario-result', result: { ...r, messages: undefined } });
        },
      });
      await settled();
      post({ type: 'scenarios-done' });
      break;
    }
    case 'explore': {
      const done = runSlice(task, factory, await taskModules.explore());
      await settled();
      if (done !== null && !strayPosted) post(done);
    }
  }
}

/** `raft-check conform`: every check's line goes out as it ends. */
async function conformProcess(impl: WorkerTask['impl']): Promise<void> {
  if (impl.kind !== 'exec') throw new Error('conform checks an --exec command');
  const pipes = data.pipes;
  if (pipes === undefined) throw new Error('an --exec worker was started without its pipes');
  const { openSession } = await import('../exec/open.js');
  const { conform } = await import('../exec/conform.js');
  post({ type: 'importing' });
  // A process that cannot start or speaks another protocol is a usage error (exit 2), as for run.
  const session = openSession(impl.recorded, pipes, () => post({ type: 'exec-spawn' }), beat);
  post({ type: 'ready', name: session.name });
  conform(session, (check) => {
    beat();
    post({ type: 'conform-check', check });
  });
  post({ type: 'conform-done' });
}

/** A process-hosted implementation: the main thread started it (see src/exec/host.ts). */
async function openProcess(recorded: string): Promise<NodeFactory> {
  const pipes = data.pipes;
  if (pipes === undefined) throw new Error('an --exec worker was started without its pipes');
  const { openExec } = await import('../exec/open.js');
  return openExec(recorded, pipes, () => post({ type: 'exec-spawn' }), beat);
}

/**
 * What a user's module does to its process, it does to this worker thread, so it is fenced
 * in here: process.exit() throws (inside a step that is an implementation-error finding with
 * the node and input; the real exit would end the thread and look like raft-check's crash),
 * and an unhandled rejection or a throwing callback is reported instead of ending the thread.
 */
function confine(): void {
  const refuse = (what: string) => (): never => {
    throw new Error(`the implementation called ${what}: a node must return from its inputs, not end the process`);
  };
  process.exit = ((code?: number) => refuse(`process.exit(${code ?? ''})`)()) as typeof process.exit;
  process.abort = refuse('process.abort()') as typeof process.abort;
  const stray = (what: string) => (e: unknown): void => {
    if (strayPosted) return;
    strayPosted = true;
    post({ type: 'stray', message: `${what}: ${thrownText(e)} (promises and callbacks run only after the synchronous runs, so the step is not known)` });
  };
  process.on('uncaughtException', stray('an exception outside any step'));
  process.on('unhandledRejection', stray('an unhandled promise rejection'));
}

/**
 * Nodes run in virtual time: a real timer would fire at a moment no schedule names. Once the
 * module is loaded, arming one throws, which makes it a finding at the step that did it.
 */
function trapTimers(): void {
  const g = globalThis as unknown as Record<string, unknown>;
  for (const name of ['setTimeout', 'setInterval', 'setImmediate']) {
    g[name] = (): never => {
      throw new Error(`the implementation called ${name}(): nodes run in virtual time; ask for tick() with Output.timer instead`);
    };
  }
}

/**
 * Lets what the module left behind surface before the result goes out: rejections are
 * reported once the synchronous work ends, and a result posted first would hide them.
 */
function settled(): Promise<void> {
  return new Promise((resolve) => realSetImmediate(() => realSetImmediate(resolve)));
}

/** The wall clock for shrinking; it jumps past every budget once the user interrupts, so the best so far is kept. */
function interruptibleClock(): () => number {
  return () => {
    beat();
    return Date.now() + (Atomics.load(shared, STOP) !== 0 ? SKEW : 0);
  };
}

/** Runs the slice; returns its 'done' message (null when it stopped early and said so). */
function runSlice(
  t: ExploreTask,
  factory: Awaited<ReturnType<typeof loadFactory>>,
  [{ explore }, { checkDeterminism }]: Awaited<ReturnType<typeof taskModules.explore>>,
): WorkerMessage | null {
  const { slice } = t;
  // explore polls shouldStop once before each run of this slice, in order: the c-th poll
  // precedes iteration slice.index + c * slice.count. That is how this worker knows which
  // iteration it is on, and which one failed once shrinking starts.
  let polls = 0;
  let failed = -1;
  let lastPost = 0;
  let events = 0;
  const interrupted = (): boolean => Atomics.load(shared, STOP) !== 0;
  // explore reads the clock between shrink attempts (also in its greedy minimizer, which polls
  // no shouldStop): a heartbeat for the watchdog there too.
  const now = (): number => {
    beat();
    return Date.now() + (interrupted() ? SKEW : 0);
  };
  let stopPosted = false;
  // A stopped search still has fast-check step through its remaining iterations (ungenerated,
  // but there may be millions); rather than wait for that, tell the main thread, which
  // terminates this worker.
  const stopSearch = (): true => {
    if (!stopPosted) {
      stopPosted = true;
      post({ type: 'stopped', runs: polls - 1, events });
    }
    return true;
  };
  // A user's module is run twice on its first passing schedule and every RECHECK_EVERY-th
  // after, and on its counterexample: Math.random, the clock or state kept between runs show
  // as two recordings that differ. Our core is deterministic by construction (and tested so).
  let passing = 0;
  const recheck =
    isUserCode(t.impl)
      ? (schedule: Schedule, _index: number, of: 'passing' | 'failure') => (of === 'failure' || passing++ % RECHECK_EVERY === 0 ? checkDeterminism(factory, schedule) : null)
      : undefined;
  const result = explore({
    recheck,
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
  return stopPosted ? null : { type: 'done', result: fixed };
}
