import { render, type Instance } from 'ink';
import { LiveView, type LiveState } from './LiveView.js';

/**
 * The live view of `raft-check run` on a TTY: a progress bar, rates, elapsed time and ETA,
 * findings, per-worker status; then the violation, shrinking progress, and the trace to open.
 *
 * It is driven from outside (the CLI's progress callbacks) and takes both shapes the callers
 * use: the CLI's reporter (`iterations`, `workers: WorkerStatus[]`, sizes as TraceSize, an
 * outcome with `violation`) and the plain one of the UI brief (`total`, `workerStatus`
 * strings, event counts, a summary with `tracePath`). It never touches stdin, so Ctrl-C stays
 * a signal for the caller's SIGINT handler.
 */

export interface LiveViewOptions {
  readonly seed: number;
  /** Iterations planned (the CLI's name). */
  readonly iterations?: number;
  /** Iterations planned (the brief's name). */
  readonly total?: number;
  readonly workers: number;
  readonly nodes?: number;
  readonly faults?: string;
  readonly implementation?: string;
  readonly shard?: { readonly index: number; readonly count: number } | null;
  /** Accepted for the CLI's interface; unused: the view reads no keys. */
  readonly out?: string;
  readonly onInterrupt?: () => void;
  readonly stdout?: NodeJS.WriteStream;
  /** Wall clock, injected for tests. */
  readonly now?: () => number;
  /** Least time between two redraws, ms. */
  readonly redrawMs?: number;
}

export interface LiveWorker {
  readonly worker: number;
  readonly state: string;
  readonly runs: number;
  readonly events?: number;
}

export interface LiveProgress {
  readonly runs: number;
  readonly events: number;
  readonly findings: number;
  readonly iterations?: number;
  readonly elapsedMs?: number;
  readonly workerStatus?: readonly string[];
  readonly workers?: readonly LiveWorker[];
}

interface Size {
  readonly events: number;
}

export interface LiveShrink {
  readonly invariant: string;
  readonly message: string;
  readonly shrinkRuns: number;
  readonly originalEvents?: number;
  readonly currentEvents?: number;
  readonly size?: Size;
  readonly originalSize?: Size;
  readonly iteration?: number;
  readonly elapsedMs?: number;
  readonly budgetMs?: number;
}

/** How a run ended, as the CLI reports it. */
export interface RunOutcome {
  readonly ok: boolean;
  readonly interrupted: boolean;
  readonly runs: number;
  readonly events: number;
  readonly elapsedMs: number;
  readonly violation: { readonly invariant: string; readonly message: string; readonly trace: string | null; readonly replay: string | null } | null;
}

/** The brief's summary, or the CLI's RunOutcome. */
export type LiveSummary =
  | { readonly tracePath: string | null; readonly replayCommand: string | null; readonly invariant: string | null }
  | RunOutcome;

export interface LiveHandle {
  update(p: LiveProgress): void;
  shrinking(p: LiveShrink): void;
  /** Draws the final screen and releases the terminal; resolves once it is released. */
  done(summary: LiveSummary): Promise<void>;
  /** Releases the terminal where things stand (errors, Ctrl-C); the last screen stays. */
  stop(): void;
}

export function startLiveView(opts: LiveViewOptions): LiveHandle {
  const now = opts.now ?? Date.now;
  const started = now();
  const redrawMs = opts.redrawMs ?? 100;
  let reportedElapsed: number | null = null;
  let state: LiveState = {
    seed: opts.seed,
    iterations: opts.iterations ?? opts.total ?? 0,
    workers: opts.workers,
    nodes: opts.nodes ?? null,
    faults: opts.faults ?? null,
    implementation: opts.implementation ?? null,
    shard: opts.shard ?? null,
    elapsedMs: 0,
    searchMs: null,
    runs: 0,
    events: 0,
    findings: 0,
    workerStatus: [],
    finding: null,
    shrink: null,
    outcome: null,
  };
  const stdout = opts.stdout ?? process.stdout;
  const app: Instance = render(<LiveView state={state} />, { stdout, exitOnCtrlC: false, patchConsole: false });
  let finished = false;
  let lastDraw = now();
  let pending: ReturnType<typeof setTimeout> | null = null;

  const draw = (): void => {
    if (finished) return;
    if (pending !== null) {
      clearTimeout(pending);
      pending = null;
    }
    // Elapsed time runs on between reports; the caller's own figure wins when it sends one.
    const elapsedMs = Math.max(reportedElapsed ?? 0, now() - started);
    state = { ...state, elapsedMs };
    lastDraw = now();
    app.rerender(<LiveView state={state} />);
  };
  /** Redraws at most every redrawMs; a change of phase redraws at once. */
  const schedule = (urgent: boolean): void => {
    if (finished) return;
    if (urgent || now() - lastDraw >= redrawMs) return draw();
    if (pending === null) pending = setTimeout(draw, Math.max(0, redrawMs - (now() - lastDraw)));
  };
  // The clock on screen moves even when no progress comes (a long shrink, a slow run).
  const tick = setInterval(() => draw(), 1000);
  tick.unref();

  const release = (): void => {
    if (finished) return;
    draw();
    finished = true;
    clearInterval(tick);
    if (pending !== null) clearTimeout(pending);
    app.unmount();
  };

  return {
    update(p) {
      if (p.elapsedMs !== undefined) reportedElapsed = p.elapsedMs;
      const workerStatus =
        p.workerStatus ??
        (p.workers !== undefined && (p.workers.length > 1 || opts.workers > 1)
          ? p.workers.map((w) => `${w.state.padEnd(9)} ${count(w.runs)} runs`)
          : state.workerStatus);
      state = {
        ...state,
        runs: p.runs,
        events: p.events,
        findings: p.findings,
        iterations: p.iterations ?? state.iterations,
        workerStatus,
        firstRuns: state.firstRuns ?? (p.runs > 0 ? { runs: p.runs, elapsedMs: Math.max(reportedElapsed ?? 0, now() - started) } : null),
      };
      schedule(false);
    },
    shrinking(p) {
      const original = p.originalEvents ?? p.originalSize?.events ?? 0;
      const current = p.currentEvents ?? p.size?.events ?? original;
      const first = state.shrink === null;
      state = {
        ...state,
        searchMs: state.searchMs ?? Math.max(reportedElapsed ?? 0, now() - started),
        findings: Math.max(1, state.findings),
        finding: { invariant: p.invariant, message: p.message, iteration: p.iteration ?? state.finding?.iteration ?? null },
        shrink: { originalEvents: original, currentEvents: current, shrinkRuns: p.shrinkRuns, elapsedMs: p.elapsedMs ?? null, budgetMs: p.budgetMs ?? null },
      };
      schedule(first);
    },
    async done(summary) {
      if (finished) return;
      if ('violation' in summary) {
        const v = summary.violation;
        reportedElapsed = summary.elapsedMs;
        state = {
          ...state,
          runs: Math.max(state.runs, summary.runs),
          events: Math.max(state.events, summary.events),
          finding: v === null ? state.finding : { invariant: v.invariant, message: v.message, iteration: state.finding?.iteration ?? null },
          outcome: { ok: summary.ok, interrupted: summary.interrupted, invariant: v?.invariant ?? null, tracePath: v?.trace ?? null, replayCommand: v?.replay ?? null },
        };
      } else {
        state = {
          ...state,
          outcome: {
            ok: summary.invariant === null,
            interrupted: false,
            invariant: summary.invariant,
            tracePath: summary.tracePath,
            replayCommand: summary.replayCommand,
          },
        };
        if (summary.invariant !== null && state.finding === null) state = { ...state, finding: { invariant: summary.invariant, message: '', iteration: null } };
      }
      release();
      await app.waitUntilExit();
    },
    stop() {
      release();
    },
  };
}

function count(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}
