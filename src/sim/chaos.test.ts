/**
 * The correct core under chaos with 3, 5 and 7 nodes, 300 fixed seeds each: no safety
 * violation, no liveness finding. The heavy sweep (thousands of seeds) is the benchmark's job.
 */
import { describe, expect, it } from 'vitest';
import { runChecked } from '../check/run.js';
import { coreFactory } from '../raft/index.js';
import { PROFILES, scheduleFromSeed } from './schedule.js';

describe('the correct core under chaos', () => {
  it.each([3, 5, 7])('%i nodes, seeds 1..300: no finding', (nodes) => {
    const findings: string[] = [];
    let faults = 0;
    let proposals = 0;
    let compacting = 0;
    for (let seed = 1; seed <= 300; seed++) {
      const s = scheduleFromSeed(seed, { nodes, profile: PROFILES.chaos });
      const r = runChecked(coreFactory(null), s);
      if (r.finding !== null) findings.push(`seed ${seed}: ${r.finding.invariant}: ${r.finding.message}`);
      else expect(r.stats.committedProbe).toBe(true);
      faults += r.stats.faults;
      proposals += r.stats.proposals;
      if (s.snapshotThreshold > 0) compacting++;
    }
    expect(findings).toEqual([]);
    // Not vacuous: faults struck, clients proposed, and some runs compacted their logs.
    expect(faults).toBeGreaterThan(300 * 5);
    expect(proposals).toBeGreaterThan(300 * 5);
    expect(compacting).toBeGreaterThan(50);
  });
});

