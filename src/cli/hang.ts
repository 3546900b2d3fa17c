import fc from 'fast-check';
import { scheduleArb } from '../explore/arbitraries.js';
import { EXPLORE_PROFILES } from '../explore/profiles.js';
import type { Finding } from '../sim/observer.js';
import type { Schedule } from '../sim/schedule.js';
import { TRACE_FORMAT, TRACE_VERSION, type TraceFile } from '../trace/format.js';
import { VERSION } from '../version.js';
import { HANG_INVARIANT, type ExploreSettings } from './protocol.js';

export { HANG_INVARIANT };

/**
 * The schedule explore generates for iteration `index` (fast-check run index) with these
 * settings: fast-check replays a run from its index given as `path`.
 * Mirrors explore()'s arbitrary: keep in step with src/explore/explore.ts.
 */
export function scheduleAt(o: Pick<ExploreSettings, 'seed' | 'nodes' | 'profile' | 'snapshots'>, index: number): Schedule {
  const arb = scheduleArb({ ...EXPLORE_PROFILES[o.profile], nodes: o.nodes, snapshots: o.snapshots });
  let got: Schedule | null = null;
  fc.check(
    fc.property(arb, (s) => {
      got = s;
      return false;
    }),
    { seed: o.seed, path: String(index), numRuns: index + 1, endOnFailure: true },
  );
  if (got === null) throw new Error(`fast-check generated no schedule for iteration ${index}`);
  return got;
}

export function hangFinding(message: string): Finding {
  return { invariant: HANG_INVARIANT, kind: 'implementation', step: 0, time: 0, nodes: [], message };
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
