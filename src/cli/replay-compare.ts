import type { NodeFactory } from '../raft/types.js';
import type { TraceFile } from '../trace/format.js';
import { replayTrace, type ReplayResult } from '../trace/replay.js';

/**
 * replayTrace, compared by content rather than by key order. A trace read from disk has its
 * keys in the schema's order (zod rebuilds objects), while a fresh run has them in the
 * simulator's order (`{ ...extra, state }`, `{ ...report, kind, step, time }`), so the same
 * event can stringify two ways. This re-checks replayTrace's verdict on canonical JSON.
 * Once replayTrace compares canonically itself this is a no-op.
 */
export function replayCanonical(trace: TraceFile, factory: NodeFactory): ReplayResult {
  const r = replayTrace(trace, factory);
  return r.reproduced ? r : recompare(trace, r);
}

/** The verdict for `r.events` and `r.violation` against the recording, key order ignored. */
export function recompare(trace: TraceFile, r: ReplayResult): ReplayResult {
  const got = r.events;
  const want = trace.events;
  const n = Math.max(got.length, want.length);
  for (let i = 0; i < n; i++) {
    const a = i < want.length ? canonical(want[i]) : null;
    const b = i < got.length ? canonical(got[i]) : null;
    if (a !== b) return { ...r, reproduced: false, divergence: { step: i, expected: a, actual: b } };
  }
  const a = canonical(trace.violation);
  const b = canonical(r.violation);
  if (a !== b) return { ...r, reproduced: false, divergence: { step: got.length, expected: a, actual: b } };
  return { ...r, reproduced: true, divergence: null };
}

/** JSON with object keys sorted and undefined members dropped. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    const o = v as Record<string, unknown>;
    const sorted: Record<string, unknown> = {};
    for (const k of Object.keys(o).sort()) if (o[k] !== undefined) sorted[k] = o[k];
    return sorted;
  }) ?? 'null';
}
