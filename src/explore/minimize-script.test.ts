import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runChecked } from '../check/run.js';
import { coreFactory } from '../raft/index.js';
import { sizeOf } from '../trace/record.js';
import { scheduleArb } from './arbitraries.js';
import { explore, exploreArb } from './explore.js';
import { minimizeAsScript } from './minimize-script.js';
import { MIN_WINDOW_TIMEOUTS, sparseHeartbeatMs, stalledInFairWindow } from './minimize.js';
import { scheduleFromSeed } from '../sim/schedule.js';

const meta = (bug: string) => ({ name: 'core', bug, module: null });

describe('minimizeAsScript', () => {
  const bug = 'commit-previous-term';
  const found = explore({ factory: coreFactory(bug), implementation: meta(bug), iterations: 2000, seed: 1, nodes: 5, shrinkTimeMs: 0 });
  const schedule = found.failure!.schedule;
  const invariant = found.failure!.finding.invariant;

  it('cuts a Figure 8 run to a quarter of its events or less, still failing the same way', () => {
    const before = sizeOf(schedule, runChecked(coreFactory(bug), schedule));
    const m = minimizeAsScript(coreFactory(bug), schedule, invariant, 60_000, Date.now, 5000)!;
    expect(m.size.events * 4).toBeLessThanOrEqual(before.events);
    const again = runChecked(coreFactory(bug), m.schedule);
    expect(again.finding?.invariant).toBe(invariant);
    expect(again.script?.skipped).toEqual([]);
    // The paper's story needs three crashes; lost messages may stand in for some of them.
    expect(m.size.faults).toBeLessThanOrEqual(3);
    expect(runChecked(coreFactory(null), m.schedule).finding).toBeNull();
  });

  it('is deterministic: the same failure gives the same script', () => {
    const a = minimizeAsScript(coreFactory(bug), schedule, invariant, 60_000, Date.now, 500);
    const b = minimizeAsScript(coreFactory(bug), schedule, invariant, 60_000, Date.now, 500);
    expect(JSON.stringify(a!.schedule)).toBe(JSON.stringify(b!.schedule));
    expect(a!.runs).toBeLessThanOrEqual(501);
  });

  it('returns null for a run that does not fail, or fails another way', () => {
    const calm = fc.sample(scheduleArb({ nodes: 3, faultKinds: [], lossy: false }), { numRuns: 1, seed: 4 })[0];
    expect(minimizeAsScript(coreFactory(null), calm, 'election-safety', 1000)).toBeNull();
    expect(minimizeAsScript(coreFactory(bug), schedule, 'election-safety', 1000)).toBeNull();
  });
});

describe('minimizeAsScript on a liveness finding', () => {
  // wrong-quorum stalls the cluster as well as breaking safety; with the safety checkers off
  // the finding is the liveness check's.
  const bug = 'wrong-quorum';
  const found = explore({ factory: coreFactory(bug), implementation: meta(bug), iterations: 50, seed: 2, nodes: 5, shrinkTimeMs: 0, invariants: [] });

  it('ends in a script that heals, runs a shortened window, and still stalls', () => {
    expect(found.failure?.finding.invariant).toBe('liveness');
    const schedule = found.failure!.schedule;
    const before = sizeOf(schedule, runChecked(coreFactory(bug), schedule, { invariants: [] }));
    const m = minimizeAsScript(coreFactory(bug), schedule, 'liveness', 120_000, Date.now, 400, [])!;
    expect(m.schedule.script).toBeDefined();
    expect(m.schedule.livenessWindowMs).toBeGreaterThanOrEqual(4 * m.schedule.timing.electionTimeoutMaxMs);
    expect(m.schedule.livenessWindowMs).toBeLessThan(schedule.livenessWindowMs);
    expect(m.size.events * 2).toBeLessThan(before.events);
    const again = runChecked(coreFactory(bug), m.schedule, { invariants: [], record: true });
    expect(again.finding?.invariant).toBe('liveness');
    expect(again.events!.some((e) => e.kind === 'phase')).toBe(true);
  });
});

describe('sparseHeartbeatMs: the thinnest heartbeat a healed cluster keeps its leader with', () => {
  const base = scheduleFromSeed(1, { nodes: 3 });
  const at = (min: number, delayMax: number, drift: number[]) =>
    sparseHeartbeatMs({ ...base, timing: { ...base.timing, electionTimeoutMinMs: min }, network: { ...base.network, delayMaxMs: delayMax }, drift });

  it('is four fifths of the shortest timeout on a prompt network with true clocks', () => {
    expect(at(300, 10, [1000, 1000, 1000])).toBe(240);
  });

  it('leaves room for the longest delay and for clocks running apart', () => {
    // A heartbeat every h on a clock 20% slow, delayed 40 ms, must beat a 150 ms timeout on a clock 20% fast.
    const h = at(150, 40, [1200, 800, 1000]);
    expect(h * 1.2 + 40).toBeLessThan(150 * 0.8);
    expect((h + 1) * 1.2 + 40).toBeGreaterThanOrEqual(150 * 0.8);
  });
});

describe('stalledInFairWindow: a stall in a shrunk window must outlast the full one', () => {
  it('rejects a correct cluster that only ran out of a short window', () => {
    // Sampled chaos schedule 7 of seed 7: our correct core needs longer than four timeouts
    // after healing to commit the probe, and makes it well within the run's own window.
    const s0 = fc.sample(exploreArb({ nodes: 5 }), { seed: 7, numRuns: 8 })[7];
    const short = { ...s0, livenessWindowMs: MIN_WINDOW_TIMEOUTS * s0.timing.electionTimeoutMaxMs };
    expect(runChecked(coreFactory(null), short).finding?.invariant).toBe('liveness');
    expect(runChecked(coreFactory(null), s0).finding).toBeNull();
    expect(stalledInFairWindow(coreFactory(null), short)).toBe(false);
  });

  it("keeps a bug's stall, which the full window does not cure", () => {
    const bug = 'vote-ignores-log';
    const found = explore({ factory: coreFactory(bug), implementation: meta(bug), iterations: 50, seed: 1, nodes: 5, shrinkTimeMs: 0, invariants: [] });
    expect(found.failure?.finding.invariant).toBe('liveness');
    const s = found.failure!.schedule;
    const short = { ...s, livenessWindowMs: MIN_WINDOW_TIMEOUTS * s.timing.electionTimeoutMaxMs };
    expect(stalledInFairWindow(coreFactory(bug), short, [])).toBe(true);
  });
});
