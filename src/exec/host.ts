import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INPUTS, SIGNALS, SLOT, slots, tailBytes, TAIL_BYTES } from './shared.js';

/**
 * The main thread's side of one worker's child process (see ./shared.ts): makes the two named
 * pipes, starts the process when the worker asks, keeps the tail of its stderr, records how
 * it ended, and kills it when the worker is done or hung.
 *
 * The process is started as `sh -c 'exec "$@" <IN >OUT'` with the user's words as arguments:
 * the shell only opens the pipes and replaces itself with the program; it never reads the
 * user's command line, so nothing in it is expanded.
 */
export class ExecHost {
  readonly dir: string;
  readonly requests: string;
  readonly responses: string;
  private child: ChildProcess | null = null;
  private tail = Buffer.alloc(0);
  private readonly s: Int32Array;

  constructor(
    private readonly argv: readonly string[],
    readonly shared: SharedArrayBuffer,
  ) {
    this.s = slots(shared);
    this.dir = mkdtempSync(join(tmpdir(), 'raft-check-exec-'));
    this.requests = join(this.dir, 'in');
    this.responses = join(this.dir, 'out');
    const made = spawnSync('mkfifo', ['-m', '600', this.requests, this.responses], { encoding: 'utf8' });
    if (made.status !== 0) throw new Error(`cannot make named pipes in ${this.dir}: ${made.stderr || made.error?.message}`);
  }

  /** Starts a process for the worker (killing any earlier one) and tells it to open the pipes. */
  spawn(): void {
    this.kill();
    this.tail = Buffer.alloc(0);
    Atomics.store(this.s, SLOT.tailLength, 0);
    let child: ChildProcess;
    try {
      child = spawn('/bin/sh', ['-c', 'i=$1; o=$2; shift 2; exec "$@" <"$i" >"$o"', 'raft-check-exec', this.requests, this.responses, ...this.argv], {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
    } catch (e) {
      this.failed(`cannot start: ${(e as Error).message}`);
      return;
    }
    this.child = child;
    const generation = Atomics.load(this.s, SLOT.generation) + 1;
    child.stderr!.on('data', (chunk: Buffer) => {
      this.tail = Buffer.concat([this.tail, chunk]);
      if (this.tail.length > TAIL_BYTES) this.tail = this.tail.subarray(this.tail.length - TAIL_BYTES);
    });
    child.on('error', (e) => this.failed(`cannot start: ${e.message}`));
    child.on('exit', (code, signal) => {
      if (this.child === child) this.child = null;
      // A process replaced by a newer one: its end is no news to the worker, and letting the
      // pipes through now would hand the newer process's worker an early end of file.
      if (Atomics.load(this.s, SLOT.generation) !== generation) return;
      this.storeTail();
      const sig = signal === null ? 0 : SIGNALS.indexOf(signal as (typeof SIGNALS)[number]) + 1;
      Atomics.store(this.s, SLOT.code, code ?? -1);
      Atomics.store(this.s, SLOT.signal, sig === 0 && signal !== null ? SIGNALS.length + 1 : sig);
      Atomics.store(this.s, SLOT.exited, generation);
      Atomics.notify(this.s, SLOT.exited);
      this.release();
    });
    Atomics.store(this.s, SLOT.generation, generation);
    Atomics.notify(this.s, SLOT.generation);
  }

  /** What the worker was asking when it stopped answering, e.g. "node 2 (instance 7) on tick". */
  current(): string {
    const node = Atomics.load(this.s, SLOT.node);
    const input = INPUTS[Atomics.load(this.s, SLOT.input)] ?? 'a request';
    return node > 0 ? `node ${node} (instance ${Atomics.load(this.s, SLOT.instance)}) did not answer ${input}` : `the process did not answer ${input}`;
  }

  kill(): void {
    const c = this.child;
    if (c === null) return;
    this.child = null;
    c.kill('SIGKILL');
  }

  /** Kills the process and removes the pipes. */
  dispose(): void {
    this.kill();
    this.release();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private failed(why: string): void {
    const bytes = Buffer.from(why);
    tailBytes(this.shared).set(bytes.subarray(0, TAIL_BYTES));
    Atomics.store(this.s, SLOT.tailLength, Math.min(bytes.length, TAIL_BYTES));
    Atomics.store(this.s, SLOT.spawnFailed, 1);
    Atomics.add(this.s, SLOT.generation, 1);
    Atomics.notify(this.s, SLOT.generation);
    this.release();
  }

  private storeTail(): void {
    tailBytes(this.shared).set(this.tail);
    Atomics.store(this.s, SLOT.tailLength, this.tail.length);
  }

  /**
   * A worker blocked opening a pipe whose other end nobody will open (the process died
   * first) is let through: open both ends here and close them again, so its open returns and
   * its next read or write sees the end.
   */
  private release(): void {
    for (const p of [this.requests, this.responses]) {
      try {
        closeSync(openSync(p, constants.O_RDWR | constants.O_NONBLOCK));
      } catch {
        // Already removed: nobody can be waiting on it.
      }
    }
  }
}
