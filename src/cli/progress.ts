import type { TraceSize } from '../trace/format.js';
import { counted, renderCount, renderDuration, renderSize } from './text.js';
import type { RunOutcome } from '../ui/live.js';

export type { RunOutcome };

/**
 * How `run` reports while it works. The command calls `update` as runs complete, `shrinking`
 * once a violation is being shrunk, and `done` once at the end, before it prints its result.
 * The text reporter below writes throttled lines to stderr; on a TTY the live view
 * (`src/ui/live.js`, `startLiveView`) implements the same interface.
 */
export interface ProgressReporter {
  update(p: RunProgress): void;
  shrinking(p: ShrinkProgress): void;
  /** Called once; the reporter releases the terminal before the command prints its result. */
  done(outcome: RunOutcome): void | Promise<void>;
  /** Instead of done() when the run fails with an error: release the terminal as things stand. */
  stop?(): void;
}

export interface WorkerStatus {
  readonly worker: number;
  readonly state: 'starting' | 'exploring' | 'shrinking' | 'done' | 'stopped' | 'hung';
  /** Iterations this worker has simulated. */
  readonly runs: number;
  readonly events: number;
}

export interface RunProgress {
  /** Iterations simulated so far, all workers together (shrink runs not counted). */
  readonly runs: number;
  /** Iterations this run covers (its shard's share of --iterations). */
  readonly iterations: number;
  readonly events: number;
  readonly elapsedMs: number;
  /** Violations found so far (the lowest-numbered iteration's is the one reported). */
  readonly findings: number;
  readonly workers: readonly WorkerStatus[];
}

export interface ShrinkProgress {
  readonly invariant: string;
  readonly message: string;
  /** The iteration (fast-check run index) that failed. */
  readonly iteration: number;
  readonly shrinkRuns: number;
  readonly size: TraceSize;
  readonly originalSize: TraceSize;
  /** Since shrinking began. */
  readonly elapsedMs: number;
  /** The shrink budget (--shrink-time). */
  readonly budgetMs: number;
}

/** What `run` tells the live view at the start: the header of the screen. */
export interface LiveViewOptions {
  readonly seed: number;
  readonly nodes: number;
  readonly iterations: number;
  readonly faults: string;
  readonly implementation: string;
  readonly workers: number;
  readonly shard: { readonly index: number; readonly count: number } | null;
  readonly out: string;
  /** Ctrl-C in raw mode reaches the view as a key, not a signal: call this (again to quit at once). */
  readonly onInterrupt: () => void;
}

/** Reports nothing (`--json`). */
export const silentReporter: ProgressReporter = { update() {}, shrinking() {}, done() {} };

/**
 * Plain lines to a stream, at most one every `intervalMs` (the first shrink line comes at once):
 * `[12.0 s] 3,072/10,000 iterations, 2,345,678 events (195,000/s)`.
 */
export function textReporter(write: (line: string) => void, intervalMs = 3000, now: () => number = Date.now): ProgressReporter {
  let last = now();
  let announced = false;
  return {
    update(p) {
      const t = now();
      // Once a violation is being shrunk, the shrinking lines tell the story.
      if (announced || t - last < intervalMs) return;
      last = t;
      const rate = p.elapsedMs > 0 ? ` (${renderCount((p.events * 1000) / p.elapsedMs)}/s)` : '';
      const found = p.findings > 0 ? `, ${p.findings} violation(s) found` : '';
      write(`[${renderDuration(p.elapsedMs)}] ${renderCount(p.runs)}/${counted(p.iterations, 'iteration')}, ${counted(p.events, 'event')}${rate}${found}`);
    },
    shrinking(p) {
      const t = now();
      if (!announced) {
        announced = true;
        last = t;
        write(`found ${p.invariant} at iteration ${p.iteration}; shrinking (up to ${renderDuration(p.budgetMs)}): ${renderSize(p.originalSize)}`);
        return;
      }
      if (t - last < intervalMs) return;
      last = t;
      write(`  shrinking [${renderDuration(p.elapsedMs)}]: ${renderSize(p.size)} after ${counted(p.shrinkRuns, 'run')}`);
    },
    done() {},
  };
}

/** The live view module's shape, as the UI provides it. */
interface LiveModule {
  startLiveView(options: LiveViewOptions): ProgressReporter | Promise<ProgressReporter>;
}

/**
 * The reporter for a run: nothing with --json; the live view on a TTY when the UI is built and
 * colour is allowed; otherwise text lines to stderr every ~3 s.
 */
export async function chooseReporter(o: { json: boolean; text: boolean; live: LiveViewOptions }): Promise<{ reporter: ProgressReporter; kind: 'silent' | 'live' | 'text' }> {
  if (o.json) return { reporter: silentReporter, kind: 'silent' };
  const tty = process.stdout.isTTY === true && process.stderr.isTTY === true;
  if (tty && !o.text && !noColor()) {
    const live = await optionalImport<LiveModule>('../ui/live.js');
    if (live !== null && typeof live.startLiveView === 'function') return { reporter: await live.startLiveView(o.live), kind: 'live' };
  }
  return { reporter: textReporter((line) => process.stderr.write(`${line}\n`)), kind: 'text' };
}

export function noColor(): boolean {
  const v = process.env.NO_COLOR;
  return v !== undefined && v !== '';
}

/**
 * Imports a module of this package that may not be built (the UI); null when it is absent.
 * Any other failure while importing it is a real error and propagates.
 */
export async function optionalImport<T>(specifier: string): Promise<T | null> {
  const url = new URL(specifier, import.meta.url);
  try {
    return (await import(url.href)) as T;
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ERR_MODULE_NOT_FOUND' && typeof err.message === 'string' && err.message.includes(url.pathname.split('/').pop() ?? '')) return null;
    throw e;
  }
}
