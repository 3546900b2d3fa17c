import type { NodeFactory } from '../raft/types.js';
import { FIGURE_3_INVARIANTS } from '../check/checkers.js';
import { runChecked } from '../check/run.js';
import type { Finding } from '../sim/observer.js';
import type { TraceFile } from './format.js';
import type { TraceEvent } from '../sim/events.js';
import type { MessageRecord } from '../sim/ledger.js';

export interface Divergence {
  readonly step: number;
  /** The recorded line, or null when the recording ended first. */
  readonly expected: string | null;
  readonly actual: string | null;
}

export interface ReplayResult {
  /** The run matched the recording step for step, violation included. */
  readonly reproduced: boolean;
  readonly divergence: Divergence | null;
  readonly violation: Finding | null;
  readonly events: readonly TraceEvent[];
  /** Every message the replay sent, with its fate (derived on replay; traces do not hold it). */
  readonly messages?: readonly MessageRecord[];
}

/**
 * Re-executes a trace's schedule, with the checkers it was recorded with, and compares every
 * step with the recording.
 */
export function replayTrace(trace: TraceFile, factory: NodeFactory): ReplayResult {
  const run = runChecked(factory, trace.schedule, { record: true, invariants: trace.checks ?? FIGURE_3_INVARIANTS });
  const got = run.events ?? [];
  const want = trace.events;
  const n = Math.max(got.length, want.length);
  for (let i = 0; i < n; i++) {
    const a = i < want.length ? canonical(want[i]) : null;
    const b = i < got.length ? canonical(got[i]) : null;
    if (a !== b) {
      const expected = i < want.length ? JSON.stringify(want[i]) : null;
      const actual = i < got.length ? JSON.stringify(got[i]) : null;
      return { reproduced: false, divergence: { step: i, expected, actual }, violation: run.finding, events: got, messages: run.messages };
    }
  }
  const sameFinding = canonical(run.finding) === canonical(trace.violation);
  if (!sameFinding) {
    return {
      reproduced: false,
      divergence: { step: got.length, expected: JSON.stringify(trace.violation), actual: JSON.stringify(run.finding) },
      violation: run.finding,
      events: got,
      messages: run.messages,
    };
  }
  return { reproduced: true, divergence: null, violation: run.finding, events: got, messages: run.messages };
}

/** JSON with keys sorted at every level and undefined fields dropped: equal values, equal text. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}
