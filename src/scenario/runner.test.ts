import { describe, expect, it } from 'vitest';
import { coreFactory } from '../raft/index.js';
import { parseTrace, serializeTrace, TraceError } from '../trace/io.js';
import { replayScenarioTrace, runScenario, runScenarios, scenarioOfTrace, UnknownScenarioError } from './runner.js';

const IMPL = { name: 'raft-check core', bug: null, module: null };

/** The first seed on which persist-1 catches forget-vote-on-restart (searched: seeds move when the simulator's streams change). */
const FAILING = ((): number => {
  for (let seed = 1; seed <= 200; seed++) {
    if (!runScenario('persist-1', { factory: coreFactory('forget-vote-on-restart'), seed, implementation: IMPL, record: false }).ok) return seed;
  }
  throw new Error('persist-1 did not catch forget-vote-on-restart in 200 seeds');
})();

describe('runScenario and scenario traces', () => {
  it('records a valid trace whose profile names the scenario', () => {
    const r = runScenario('basic-agree', { factory: coreFactory(null), seed: 9, implementation: IMPL });
    expect(r.ok).toBe(true);
    const t = r.trace!;
    expect(t.profile).toBe('scenario:basic-agree');
    expect(t.seed).toBe(9);
    expect(t.violation).toBeNull();
    expect(t.schedule.faults).toEqual([]);
    expect(t.schedule.proposals).toEqual([]);
    expect(scenarioOfTrace(t)).toBe('basic-agree');
    expect(scenarioOfTrace({ profile: 'chaos' })).toBeNull();
    const back = parseTrace(serializeTrace(t), 'mem');
    expect(back.events.length).toBe(t.events.length);
  });

  it('replays a failing scenario trace read back from its file, step for step', () => {
    const bug = coreFactory('forget-vote-on-restart');
    const r = runScenario('persist-1', { factory: bug, seed: FAILING, implementation: { ...IMPL, bug: 'forget-vote-on-restart' } });
    expect(r.ok).toBe(false);
    const t = parseTrace(serializeTrace(r.trace!), 'mem');
    expect(t.violation?.invariant).toBe(r.finding!.invariant);
    const replay = replayScenarioTrace(t, bug);
    expect(replay.divergence).toBeNull();
    expect(replay.reproduced).toBe(true);
    expect(replay.violation?.invariant).toBe(r.finding!.invariant);
    // Against the correct core the same scenario and seed pass: the replay diverges.
    const fixed = replayScenarioTrace(t, coreFactory(null));
    expect(fixed.reproduced).toBe(false);
    expect(fixed.violation).toBeNull();
  });

  it('refuses traces that are not scenario traces, or name an unknown scenario', () => {
    const t = runScenario('basic-agree', { factory: coreFactory(null), seed: 1, implementation: IMPL }).trace!;
    expect(() => replayScenarioTrace({ ...t, profile: 'chaos' }, coreFactory(null), 'x.json')).toThrow(TraceError);
    expect(() => replayScenarioTrace({ ...t, profile: 'scenario:nope' }, coreFactory(null), 'x.json')).toThrow(/scenario "nope"/);
  });

  it('names the valid scenarios for an unknown one', () => {
    expect(() => runScenario('nope', { factory: coreFactory(null), seed: 1, implementation: IMPL })).toThrow(UnknownScenarioError);
    expect(() => runScenario('nope', { factory: coreFactory(null), seed: 1, implementation: IMPL })).toThrow(/figure8-unreliable/);
  });

  it('runScenarios sums seeds and records the failing ones', () => {
    const seeds = Array.from({ length: FAILING }, (_, k) => k + 1);
    const [s] = runScenarios({ factory: coreFactory('forget-vote-on-restart'), implementation: IMPL, names: ['persist-1'], seeds });
    expect(s.runs).toBe(FAILING);
    expect(s.failures.map((f) => f.seed)).toEqual([FAILING]);
    expect(s.passed).toBe(FAILING - 1);
    expect(s.failures[0].trace?.violation?.invariant).toBe('election-safety');
  });
});

