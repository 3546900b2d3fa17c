import { describe, expect, it } from 'vitest';
import { runChecked } from '../../check/run.js';
import { coreFactory, type BugName } from '../../raft/index.js';
import { scriptSchedule } from './execution.js';
import { chainCount, pctBound, pctBoundOver, pctRun, type PctOptions } from './pct.js';

const options = (bug: BugName | null): PctOptions => ({
  setup: { factory: coreFactory(bug), nodes: 3, seed: 1 },
  depth: 3,
  steps: 100,
  crashes: 3,
  drops: 4,
  duplicates: 3,
  proposals: 8,
  snapshots: true,
});

/** The first iteration below `limit` that finds a violation, and the run. */
function firstFinding(o: PctOptions, limit: number) {
  for (let i = 0; i < limit; i++) {
    const r = pctRun(o, 1, i);
    if (r.finding !== null) return { iteration: i, run: r };
  }
  return null;
}

describe('pct', () => {
  it('states the paper bound for n² chains and k steps', () => {
    expect(chainCount(3)).toBe(9);
    expect(pctBound(3, 100, 3)).toBeCloseTo(1 / (9 * 100 * 100), 12);
    expect(pctBound(3, 100, 1)).toBeCloseTo(1 / 9, 12);
    expect(pctBoundOver(0.5, 2)).toBeCloseTo(0.75, 12);
  });

  it('finds election bugs within a few hundred runs, and the run replays as a scripted trace', () => {
    for (const bug of ['double-vote', 'forget-vote-on-restart', 'ack-before-sync'] as const) {
      const o = options(bug);
      const hit = firstFinding(o, 1000);
      expect(hit, bug).not.toBeNull();
      const s = { ...o.setup, snapshotThreshold: hit!.run.snapshotThreshold };
      const replayed = runChecked(o.setup.factory, scriptSchedule(s, hit!.run.path), { record: true });
      expect(replayed.finding?.invariant, bug).toBe(hit!.run.finding!.invariant);
    }
  });

  it('is deterministic: a run depends only on the seed and the iteration', () => {
    const a = pctRun(options(null), 7, 3);
    const b = pctRun(options(null), 7, 3);
    expect(a).toEqual(b);
    expect(a.finding).toBeNull();
    expect(a.path.length).toBe(100);
    expect(pctRun(options(null), 7, 4).path).not.toEqual(a.path);
  });
});
