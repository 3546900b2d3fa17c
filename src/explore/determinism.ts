import { STDERR_QUOTE } from '../exec/shared.js';
import { runChecked } from '../check/run.js';
import type { NodeFactory } from '../raft/types.js';
import type { TraceEvent } from '../sim/events.js';
import type { Finding } from '../sim/observer.js';
import type { Schedule } from '../sim/schedule.js';
import type { RunResult } from '../sim/simulator.js';
import { canonical } from '../trace/replay.js';

/**
 * A finding is only worth its trace if the same schedule does the same thing again. An
 * implementation that reads Math.random or the clock, or keeps state between runs in module
 * variables, does not: its "violation" would not replay, and a clean run proves nothing.
 * Running a schedule twice and comparing the recordings names it for what it is.
 */
export const NONDETERMINISTIC = 'implementation-nondeterministic';

export interface Difference {
  /** Index of the first event that differs (or where one recording ended). */
  readonly step: number;
  readonly first: string | null;
  readonly second: string | null;
}

/** The first difference between two recordings of one schedule, findings included; null when equal. */
export function firstDifference(a: RunResult, b: RunResult): Difference | null {
  const x: readonly TraceEvent[] = a.events ?? [];
  const y: readonly TraceEvent[] = b.events ?? [];
  const n = Math.max(x.length, y.length);
  for (let i = 0; i < n; i++) {
    const p = i < x.length ? canonical(x[i]) : null;
    const q = i < y.length ? canonical(y[i]) : null;
    if (p !== q) return { step: i, first: p, second: q };
  }
  const f = canonical(quiet(a.finding));
  const g = canonical(quiet(b.finding));
  return f === g ? null : { step: n, first: `finding ${f}`, second: `finding ${g}` };
}

/** A finding without the stderr a process-hosted node's end quotes: it may differ between processes. */
function quiet(f: Finding | null): Finding | null {
  if (f === null) return null;
  const at = f.message.indexOf(STDERR_QUOTE);
  return at < 0 ? f : { ...f, message: f.message.slice(0, at) };
}

/** The finding for a schedule whose two runs differed. */
export function nondeterminismFinding(d: Difference, run: RunResult): Finding {
  const at = run.events?.[d.step];
  const show = (s: string | null): string => (s === null ? '(the run ended here)' : s.length > 400 ? `${s.slice(0, 399)}…` : s);
  return {
    invariant: NONDETERMINISTIC,
    kind: 'implementation',
    step: d.step,
    time: at?.t ?? run.stats.virtualMs,
    nodes: at !== undefined && at.node > 0 ? [at.node] : [],
    message: `the same schedule ran twice differs at step ${d.step}: first ${show(d.first)}, then ${show(d.second)} (Math.random, the clock, or state kept between runs?)`,
  };
}

/**
 * Runs a schedule twice, recording, and compares; `reference` stands for the first run when
 * the caller has one. Returns the recording (the first run) with its finding replaced by the
 * nondeterminism one when they differ, or null when they agree.
 */
export function checkDeterminism(factory: NodeFactory, schedule: Schedule, reference?: RunResult): RunResult | null {
  const first = reference ?? runChecked(factory, schedule, { record: true });
  const second = runChecked(factory, schedule, { record: true });
  const d = firstDifference(first, second);
  if (d === null) return null;
  return { ...first, finding: nondeterminismFinding(d, first) };
}
