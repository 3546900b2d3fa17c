import { Worker } from 'node:worker_threads';
import { routeImplementationOutput } from './impl-output.js';
import { AWAIT_TASK } from './protocol.js';

/**
 * Worker threads, and the one a `run` starts before its task is known. Booting a thread and
 * loading the search into it takes about as long as this thread takes to load the CLI and
 * parse the command line; started first thing, the two overlap and a short run starts sooner.
 * Nothing else changes: the early worker loads only our modules until its task comes (a
 * user's module is imported after them, as in any worker), and a run that never asks for it
 * (a usage error, --help, --exec) lets the process end without it.
 */
const WORKER_URL = new URL('./worker.js', import.meta.url);

/**
 * Heap per worker thread: a module that keeps everything it ever saw gets a finding, not the
 * machine's memory. RAFT_CHECK_WORKER_HEAP_MB changes it (the tests use a small one).
 */
export const WORKER_HEAP_MB = ((): number => {
  const v = Number(process.env.RAFT_CHECK_WORKER_HEAP_MB);
  return Number.isInteger(v) && v >= 16 ? v : 2048;
})();

/**
 * A worker thread. What the implementation prints goes to our stderr, each line marked as the
 * implementation's and stripped of terminal control characters, so stdout carries only
 * raft-check's output (one JSON object with --json).
 */
export function newWorker(workerData: unknown): Worker {
  return routed(unrouted(workerData));
}

function unrouted(workerData: unknown): Worker {
  return new Worker(WORKER_URL, { workerData, stdout: true, stderr: true, resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB } });
}

function routed(worker: Worker): Worker {
  routeImplementationOutput(worker.stdout);
  routeImplementationOutput(worker.stderr);
  return worker;
}

let early: { readonly worker: Worker; alive: boolean } | null = null;

/**
 * Whether a command line is a `run` that will want a worker: a guess from the words alone,
 * before commander has parsed them; a wrong guess costs a thread that is never used.
 */
export function wantsEarlyWorker(argv: readonly string[]): boolean {
  const args = argv.slice(2);
  return args[0] === 'run' && !args.some((a) => a === '-h' || a === '--help' || a === '--exec' || a.startsWith('--exec='));
}

/** Starts the early worker; it keeps the process alive only once it is taken. */
export function startEarlyWorker(): void {
  // Unreferenced and with its output not yet read (a stream being read would keep the process
  // alive), until it is taken; it prints nothing before that.
  const worker = unrouted(AWAIT_TASK);
  worker.unref();
  const e = { worker, alive: true };
  // A worker that failed before anyone took it is not handed out (its 'exit' has passed).
  const dead = (): void => void (e.alive = false);
  worker.once('error', dead);
  worker.once('exit', dead);
  early = e;
}

/**
 * The early worker, given its task, once; null when none was started or it died. Only tasks
 * without an --exec process (whose pipes must exist before the thread) take it.
 */
export function takeEarlyWorker(workerData: unknown): Worker | null {
  const e = early;
  early = null;
  if (e === null || !e.alive) return null;
  e.worker.ref();
  e.worker.postMessage(workerData);
  return routed(e.worker);
}
