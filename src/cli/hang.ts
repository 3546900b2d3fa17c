import { scheduleAt as exploreScheduleAt } from '../explore/explore.js';
import type { Finding } from '../sim/observer.js';
import type { Schedule } from '../sim/schedule.js';
import { TRACE_FORMAT, TRACE_VERSION } from '../trace/format-id.js';
import type { TraceFile } from '../trace/format.js';
import { VERSION } from '../version.js';
import { HANG_INVARIANT, type ExploreSettings } from './protocol.js';

export { HANG_INVARIANT };

/** The schedule of one iteration, as explore() draws it. */
export function scheduleAt(o: Pick<ExploreSettings, 'seed' | 'nodes' | 'profile' | 'snapshots'>, index: number): Schedule {
  return exploreScheduleAt(o, index);
}

export function hangFinding(message: string): Finding {
  return { invariant: HANG_INVARIANT, kind: 'implementation', step: 0, time: 0, nodes: [], message };
}

/** A finding for what an implementation did to its worker (ran out of memory, ended it, left a rejection behind). */
export function abortFinding(message: string): Finding {
  return { invariant: 'implementation-error', kind: 'implementation', step: 0, time: 0, nodes: [], message };
}

/**
 * A trace for a hang: the schedule that hung and no events (the run never finished, so there
 * is no recording). `raft-check replay` runs it under the watchdog and expects it to hang again.
 */
export function hangTrace(
  implementation: TraceFile['implementation'],
  profile: string,
  seed: number,
  index: number,
  schedule: Schedule,
  finding: Finding,
): TraceFile {
  return {
    format: TRACE_FORMAT,
    version: TRACE_VERSION,
    tool: `raft-check ${VERSION}`,
    implementation,
    profile,
    seed,
    path: String(index),
    schedule: schedule as TraceFile['schedule'],
    violation: { ...finding, nodes: [...finding.nodes], terms: undefined },
    shrink: null,
    events: [],
  };
}
