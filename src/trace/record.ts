import { SAFETY_INVARIANTS, type SafetyInvariant } from '../check/checkers.js';
import type { RunResult } from '../sim/simulator.js';
import type { Schedule } from '../sim/schedule.js';
import { VERSION } from '../version.js';
import { TRACE_FORMAT, TRACE_VERSION } from './format-id.js';
import type { TraceFile, TraceSize } from './format.js';

export interface TraceMeta {
  readonly implementation: { readonly name: string; readonly bug: string | null; readonly module: string | null };
  readonly profile: string;
  readonly seed: number | null;
  readonly path: string | null;
  readonly shrink?: { readonly before: TraceSize; readonly after: TraceSize; readonly runs: number } | null;
  /** The safety invariants the run was checked against (default: all). */
  readonly checks?: readonly SafetyInvariant[];
}

/** A recorded run as a trace file. */
export function toTrace(meta: TraceMeta, schedule: Schedule, run: RunResult): TraceFile {
  if (run.events === null) throw new Error('toTrace needs a recorded run');
  return {
    format: TRACE_FORMAT,
    version: TRACE_VERSION,
    tool: `raft-check ${VERSION}`,
    implementation: meta.implementation,
    profile: meta.profile,
    seed: meta.seed,
    path: meta.path,
    checks: [...(meta.checks ?? SAFETY_INVARIANTS)],
    schedule: schedule as TraceFile['schedule'],
    violation: run.finding === null ? null : { ...run.finding, nodes: [...run.finding.nodes], terms: run.finding.terms === undefined ? undefined : [...run.finding.terms] },
    shrink: meta.shrink ?? null,
    events: run.events as TraceFile['events'],
  };
}

/** How big a run is, for "before and after shrinking". */
export function sizeOf(schedule: Schedule, run: RunResult): TraceSize {
  const script = schedule.script;
  if (script !== undefined) {
    // A scripted run's faults are its crashes; lost messages count as the network's doing.
    const crashes = script.filter((s) => s.do === 'crash').length;
    const proposals = new Set(script.flatMap((s) => (s.do === 'propose' && !s.id.startsWith('probe') ? [s.id] : []))).size;
    return { events: run.stats.steps, faults: crashes, delivered: run.stats.delivered, proposals };
  }
  return { events: run.stats.steps, faults: schedule.faults.length, delivered: run.stats.delivered, proposals: schedule.proposals.length };
}
