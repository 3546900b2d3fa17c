/**
 * The memory a worker and the main thread share about the worker's child process. The worker
 * talks to the process (blocking reads, so a step is one round trip); the main thread owns it
 * (spawns it, reads its stderr, sees it exit, kills it), because the worker's event loop does
 * not run while the simulator does.
 *
 * Int32 slots, written with Atomics. After them, TAIL_BYTES of the process's last stderr.
 */
export const SLOT = {
  /** Bumped by the main thread when a process it started waits on the pipes (or failed to start). */
  generation: 0,
  /** The generation whose process has exited (the worker waits on this after an end of file). */
  exited: 1,
  /** Its exit code, or -1 when a signal ended it. */
  code: 2,
  /** The signal's number in SIGNALS + 1, or 0. */
  signal: 3,
  /** The request being answered: node id, instance, and its kind (an index into INPUTS). */
  node: 4,
  instance: 5,
  input: 6,
  /** Bytes of stderr tail stored. */
  tailLength: 7,
  /** 1 when the main thread could not start the process at all (the tail says why). */
  spawnFailed: 8,
} as const;

const SLOTS = 16;
export const TAIL_BYTES = 4096;
const TAIL_OFFSET = SLOTS * 4;

export const execSharedSize = TAIL_OFFSET + TAIL_BYTES;

export const INPUTS = ['hello', 'reset', 'create', 'start', 'tick', 'receive', 'propose', 'compact', 'observe', 'fingerprint', 'destroy'] as const;
export type RequestType = (typeof INPUTS)[number];

export const SIGNALS = ['SIGHUP', 'SIGINT', 'SIGQUIT', 'SIGILL', 'SIGTRAP', 'SIGABRT', 'SIGBUS', 'SIGFPE', 'SIGKILL', 'SIGUSR1', 'SIGSEGV', 'SIGUSR2', 'SIGPIPE', 'SIGALRM', 'SIGTERM'] as const;

export function slots(buf: SharedArrayBuffer): Int32Array {
  return new Int32Array(buf, 0, SLOTS);
}

export function tailBytes(buf: SharedArrayBuffer): Uint8Array {
  return new Uint8Array(buf, TAIL_OFFSET, TAIL_BYTES);
}

/** The stderr tail the main thread stored, as text. */
export function readTail(buf: SharedArrayBuffer): string {
  const n = Atomics.load(slots(buf), SLOT.tailLength);
  return Buffer.from(tailBytes(buf).slice(0, n)).toString('utf8');
}

/** How the process ended, from the shared slots: "exit code 3" or "signal SIGSEGV". */
export function exitText(s: Int32Array): string {
  const signal = Atomics.load(s, SLOT.signal);
  return signal > 0 ? `was killed by signal ${SIGNALS[signal - 1] ?? signal - 1}` : `exited with code ${Atomics.load(s, SLOT.code)}`;
}

/**
 * Where a process's end quotes its stderr. What follows differs between two processes (a pid,
 * an address, a time), so comparing two runs leaves it out (see explore/determinism.ts).
 */
export const STDERR_QUOTE = '; its stderr ended with: ';
