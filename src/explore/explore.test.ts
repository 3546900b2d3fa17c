import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runChecked } from '../check/run.js';
import { coreFactory } from '../raft/index.js';
import { scheduleSchema } from '../trace/format.js';
import { sizeOf } from '../trace/record.js';
import { serializeTrace } from '../trace/write.js';
import { exploreArb, scheduleArb } from './index.js';
import { explore, scheduleAt } from './explore.js';
import { minimizeSchedule } from './minimize.js';

const meta = (bug: string | null) => ({ name: 'core', bug, module: null });

describe('schedules fast-check draws', () => {
  it('always satisfy the trace schema, so every counterexample can be written and read back', () => {
    fc.assert(
      fc.property(scheduleArb(), (s) => {
        const r = scheduleSchema.safeParse(s);
        expect(r.success, r.success ? '' : JSON.stringify(r.error.issues[0])).toBe(true);
        expect(s.drift).toHaveLength(s.nodes);
      }),
      { numRuns: 300, seed: 7 },
    );
  });

  it('keep election timeout ranges at least 20 ms wide, so a healed cluster can elect', () => {
    fc.assert(
      fc.property(exploreArb({}), (s) => s.timing.electionTimeoutMaxMs - s.timing.electionTimeoutMinMs >= 20),
      { numRuns: 300, seed: 8 },
    );
  });
});

describe('explore', () => {
  it('finds the same first failure for the same seed, and slices agree with one thread', () => {
    const run = (slice?: { index: number; count: number }) =>
      explore({ factory: coreFactory('wrong-quorum'), implementation: meta('wrong-quorum'), iterations: 200, seed: 3, nodes: 5, shrinkTimeMs: 0, slice });
    const a = run();
    const b = run();
    expect(a.failure?.runIndex).toBe(b.failure?.runIndex);
    expect(a.failure?.finding).toEqual(b.failure?.finding);
    const halves = [run({ index: 0, count: 2 }), run({ index: 1, count: 2 })];
    const first = Math.min(...halves.map((h) => h.failure?.runIndex ?? Infinity));
    expect(first).toBe(a.failure!.runIndex);
    // The slice that owns that iteration reports the same failure, trace byte for byte.
    const owner = halves[a.failure!.runIndex % 2].failure!;
    expect({ ...owner, shrinkMs: 0 }).toEqual({ ...a.failure!, shrinkMs: 0 });
    expect(serializeTrace(owner.trace)).toBe(serializeTrace(a.failure!.trace));
  });

  it('gives every slice the schedules one thread draws at the same iterations', () => {
    // recheck sees each passing run's schedule and iteration: a probe into what was run.
    const drawn = (slice?: { index: number; count: number }) => {
      const got = new Map<number, string>();
      const r = explore({
        factory: coreFactory(null),
        implementation: meta(null),
        iterations: 24,
        seed: 11,
        nodes: 5,
        shrinkTimeMs: 0,
        slice,
        recheck: (schedule, index) => {
          got.set(index, JSON.stringify(schedule));
          return null;
        },
      });
      expect(r.ok).toBe(true);
      return got;
    };
    const one = drawn();
    expect([...one.keys()]).toEqual(Array.from({ length: 24 }, (_, i) => i));
    const thirds = [0, 1, 2].map((index) => drawn({ index, count: 3 }));
    thirds.forEach((third, index) => {
      expect([...third.keys()]).toEqual([...one.keys()].filter((i) => i % 3 === index));
      for (const [i, schedule] of third) expect(schedule, `iteration ${i}`).toBe(one.get(i));
    });
    for (const i of [0, 7, 23]) expect(JSON.stringify(scheduleAt({ seed: 11, nodes: 5 }, i))).toBe(one.get(i));
  });

  it('writes the shrunk counterexample as a trace that states its sizes', () => {
    const r = explore({ factory: coreFactory('double-vote'), implementation: meta('double-vote'), iterations: 100, seed: 1, nodes: 5, shrinkTimeMs: 2000 });
    const f = r.failure!;
    expect(f.trace.violation?.invariant).toBe('election-safety');
    expect(f.trace.shrink?.after.events).toBe(f.trace.events.length);
    expect(f.shrunk.events).toBeLessThanOrEqual(f.original.events);
    // The last stage leaves a script; with no time for it the trace stays timed.
    expect(f.trace.schedule.script?.length).toBeGreaterThan(0);
    // Progress follows every stage, to the end: its last report is the result (a live view's shrink line).
    const reports: { shrinkRuns: number; events: number }[] = [];
    const watched = explore({
      factory: coreFactory('double-vote'),
      implementation: meta('double-vote'),
      iterations: 100,
      seed: 1,
      nodes: 5,
      shrinkTimeMs: 2000,
      onProgress: (p) => {
        if (p.phase === 'shrink' && p.size !== null) reports.push({ shrinkRuns: p.shrinkRuns, events: p.size.events });
      },
    }).failure!;
    expect(reports.at(-1)).toEqual({ shrinkRuns: watched.shrinkRuns, events: watched.shrunk.events });
    const timed = explore({ factory: coreFactory('double-vote'), implementation: meta('double-vote'), iterations: 100, seed: 1, nodes: 5, shrinkTimeMs: 0 });
    expect(timed.failure!.trace.schedule.script).toBeUndefined();
  });
});

describe('minimizeSchedule', () => {
  it('keeps the same invariant failing in no more steps', () => {
    const found = explore({ factory: coreFactory('apply-uncommitted'), implementation: meta('apply-uncommitted'), iterations: 100, seed: 2, nodes: 5, shrinkTimeMs: 0 });
    const schedule = found.failure!.schedule;
    const before = sizeOf(schedule, runChecked(coreFactory('apply-uncommitted'), schedule));
    const invariant = found.failure!.finding.invariant;
    const m = minimizeSchedule(coreFactory('apply-uncommitted'), schedule, invariant, 60_000);
    expect(m).not.toBeNull();
    expect(runChecked(coreFactory('apply-uncommitted'), m!.schedule).finding?.invariant).toBe(invariant);
    expect(m!.size.events).toBeLessThanOrEqual(before.events);
    expect(m!.schedule.faults.length).toBeLessThanOrEqual(schedule.faults.length);
  });

  it('returns null when the schedule does not fail that way', () => {
    const s = fc.sample(scheduleArb({ nodes: 3, faultKinds: [], lossy: false }), { numRuns: 1, seed: 4 })[0];
    expect(minimizeSchedule(coreFactory(null), s, 'election-safety', 1000)).toBeNull();
  });
});
