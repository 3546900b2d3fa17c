import { closeSync, constants, openSync, readSync, writeSync } from 'node:fs';
import { exitText, INPUTS, readTail, SLOT, slots, STDERR_QUOTE, type RequestType } from './shared.js';

/** Where the main thread's ExecHost put the pipes, and the memory it shares with this worker. */
export interface ExecPipes {
  readonly requests: string;
  readonly responses: string;
  readonly shared: SharedArrayBuffer;
  /** See Channel's spinMicros. */
  readonly spinMicros?: number;
}

/** The process ended, or closed its output, while a request was out. */
export class ProcessEnded extends Error {}


/** The main thread could not start the process at all. */
export class StartFailed extends Error {}

/** A line longer than this is an adapter gone wrong, not a Raft output. */
const MAX_LINE = 64 * 1024 * 1024;
/** How long to wait for the main thread to start a process or to see one exit. */
const SPAWN_WAIT_MS = 30_000;
const EXIT_WAIT_MS = 2_000;

/**
 * The worker's end of its child process: one request line out, one response line back, with
 * blocking reads on named pipes (the simulator is synchronous and a step is one round trip).
 * When the process is gone it asks the main thread for a new one (`spawn`).
 */
export class Channel {
  private readonly s: Int32Array;
  private out = -1;
  private in = -1;
  /** The same pipe opened without blocking, for the short spin before a blocking read. */
  private poll = -1;
  private generation = 0;
  private buf = Buffer.alloc(64 * 1024);
  /** Bytes read past the last line: a line the process sent unasked. */
  private pending: Buffer = Buffer.alloc(0);

  constructor(
    private readonly pipes: ExecPipes,
    private readonly spawn: () => void,
    private readonly beat: () => void,
    /**
     * Microseconds to poll for an answer before blocking on it. A blocking read costs a
     * wake-up on each side (about 20 µs each on a small VM), which dwarfs a step of most
     * adapters; polling saves ours when a core is free for it (see spinMicros()).
     */
    private readonly spinMicros = 0,
  ) {
    this.s = slots(pipes.shared);
  }

  get open(): boolean {
    return this.out >= 0;
  }

  /** Starts a process (through the main thread) and connects to its pipes. */
  connect(): void {
    this.close();
    const before = Atomics.load(this.s, SLOT.generation);
    this.spawn();
    if (Atomics.wait(this.s, SLOT.generation, before, SPAWN_WAIT_MS) === 'timed-out') throw new StartFailed('the process was not started within 30 s');
    this.generation = Atomics.load(this.s, SLOT.generation);
    if (Atomics.load(this.s, SLOT.spawnFailed) !== 0) throw new StartFailed(readTail(this.pipes.shared));
    // Pairs with the shell's redirections, in their order; the host lets these through if it dies first.
    this.out = openSync(this.pipes.requests, 'w');
    this.in = openSync(this.pipes.responses, 'r');
    if (this.spinMicros > 0) this.poll = openSync(this.pipes.responses, constants.O_RDONLY | constants.O_NONBLOCK);
    this.pending = Buffer.alloc(0);
  }

  /** Sends one line and returns the one line that answers it. */
  request(line: string, type: RequestType, node: number, instance: number): string {
    if (!this.open) this.connect();
    if (this.pending.length > 0) {
      const stray = this.pending.toString('utf8').replace(/\n$/, '');
      this.pending = Buffer.alloc(0);
      throw new Error(`the process wrote a line nobody asked for (a second answer to the previous request?): ${cut(stray)}`);
    }
    Atomics.store(this.s, SLOT.node, node);
    Atomics.store(this.s, SLOT.instance, instance);
    Atomics.store(this.s, SLOT.input, INPUTS.indexOf(type));
    this.beat();
    try {
      const data = Buffer.from(line + '\n', 'utf8');
      let off = 0;
      while (off < data.length) off += writeSync(this.out, data, off, data.length - off);
    } catch (e) {
      if (isGone(e)) this.ended(type);
      throw e;
    }
    return this.readLine(type);
  }

  private readLine(type: RequestType): string {
    const chunks: Buffer[] = [];
    let size = 0;
    let spinUntil = this.spinMicros > 0 ? performance.now() + this.spinMicros / 1000 : 0;
    for (;;) {
      let n: number;
      try {
        n = spinUntil > 0 ? this.spinRead() : readSync(this.in, this.buf, 0, this.buf.length, null);
        if (n < 0) {
          if (performance.now() > spinUntil) spinUntil = 0;
          continue;
        }
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN' || code === 'EINTR') continue;
        throw e;
      }
      if (n === 0) this.ended(type, chunks.length > 0 ? Buffer.concat(chunks).toString('utf8') : null);
      const nl = this.buf.indexOf(10, 0);
      if (nl >= 0 && nl < n) {
        chunks.push(Buffer.from(this.buf.subarray(0, nl)));
        if (nl + 1 < n) this.pending = Buffer.from(this.buf.subarray(nl + 1, n));
        return Buffer.concat(chunks).toString('utf8');
      }
      chunks.push(Buffer.from(this.buf.subarray(0, n)));
      size += n;
      if (size > MAX_LINE) throw new Error(`the process wrote a line longer than ${MAX_LINE / 1024 / 1024} MiB without a newline`);
    }
  }

  /** One non-blocking read: bytes read, 0 at the end, -1 when nothing is there yet. */
  private spinRead(): number {
    try {
      return readSync(this.poll, this.buf, 0, this.buf.length, null);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EAGAIN') return -1;
      throw e;
    }
  }

  /** The process is gone: says how, with the tail of its stderr. */
  private ended(type: RequestType, partial: string | null = null): never {
    this.close();
    const gen = this.generation;
    const deadline = Date.now() + EXIT_WAIT_MS;
    for (;;) {
      const exited = Atomics.load(this.s, SLOT.exited);
      if (exited >= gen) break;
      const left = deadline - Date.now();
      if (left <= 0) break;
      Atomics.wait(this.s, SLOT.exited, exited, left);
    }
    const how = Atomics.load(this.s, SLOT.exited) >= gen ? `the process ${exitText(this.s)}` : 'the process closed its stdout';
    const tail = readTail(this.pipes.shared).trim();
    const lines = tail === '' ? '' : `${STDERR_QUOTE}${cut(tail.split('\n').slice(-3).join(' | '), 300)}`;
    const half = partial === null ? '' : ` after writing half a line (${cut(partial)})`;
    throw new ProcessEnded(`${how} while answering ${type}${half}${lines}`);
  }

  close(): void {
    for (const fd of [this.out, this.in, this.poll]) {
      if (fd >= 0) {
        try {
          closeSync(fd);
        } catch {
          // Closing is best effort: the process may be gone.
        }
      }
    }
    this.out = -1;
    this.in = -1;
    this.poll = -1;
  }
}

function isGone(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException).code;
  return code === 'EPIPE' || code === 'ECONNRESET';
}

/** A line quoted in a message: at most `max` characters, control characters shown. */
export function cut(text: string, max = 200): string {
  const clean = text.replace(/[\u0000-\u001f\u007f]/g, (c) => (c === '\n' ? '\\n' : '?'));
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}
