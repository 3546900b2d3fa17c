/**
 * Every scenario against our core, and the built-in bugs each scenario is meant to expose.
 * Seeds are pinned: a run is a pure function of (scenario, seed, implementation).
 */
import { describe, expect, it } from 'vitest';
import { coreFactory, type BugName } from '../raft/index.js';
import type { NodeFactory } from '../raft/types.js';
import { SAFETY_INVARIANTS } from '../check/checkers.js';
import { slowBackupFactory } from './fixtures.js';
import { SCENARIOS, SCENARIO_NAMES } from './registry.js';
import { runScenario, type ScenarioResult } from './runner.js';

const CORE = { name: 'raft-check core', bug: null, module: null };

function run(name: string, seed: number, factory: NodeFactory = coreFactory(null), record = false): ScenarioResult {
  return runScenario(name, { factory, seed, implementation: { ...CORE, name: factory.name }, record });
}

const bugged = (bug: BugName): NodeFactory => coreFactory(bug);

describe('the scenario list', () => {
  it('has the lab test names, in the lab order, each with its story', () => {
    expect(SCENARIO_NAMES).toEqual([
      'initial-election',
      're-election',
      'many-elections',
      'election-rpc-count',
      'basic-agree',
      'rpc-count-per-command',
      'follower-failure',
      'leader-failure',
      'fail-agree',
      'fail-no-agree',
      'concurrent-starts',
      'rejoin',
      'backup',
      'persist-1',
      'persist-2',
      'persist-3',
      'figure8',
      'unreliable-agree',
      'figure8-unreliable',
      'reliable-churn',
      'unreliable-churn',
      'snapshot-basic',
      'snapshot-install',
      'snapshot-install-unreliable',
      'snapshot-install-crash',
      'snapshot-install-uncrash',
      'snapshot-all-crash',
      'snapshot-init',
    ]);
    for (const s of SCENARIOS) {
      expect(s.story.length, s.name).toBeGreaterThan(20);
      expect(s.asserts.length, s.name).toBeGreaterThan(10);
    }
  });

  it('runs each scenario on the number of nodes it declares', () => {
    for (const s of SCENARIOS) expect(run(s.name, 1).trace, s.name).toBeNull();
    for (const s of SCENARIOS) expect(run(s.name, 1, coreFactory(null), true).trace!.schedule.nodes, s.name).toBe(s.nodes);
  });
});

/** The first seed in 1..limit on which the scenario fails, with its result; null if none. */
function firstFailing(name: string, factory: NodeFactory, limit = 100): ScenarioResult | null {
  for (let seed = 1; seed <= limit; seed++) {
    const r = run(name, seed, factory);
    if (!r.ok) return r;
  }
  return null;
}

describe('our core passes every scenario', () => {
  for (const name of SCENARIO_NAMES) {
    if (name === 'rpc-count-per-command') continue; // see the known failure below
    it(name, () => {
      for (const seed of [1, 2, 3]) {
        const r = run(name, seed);
        expect(r.finding, `${name} seed ${seed}`).toBeNull();
        expect(r.ok).toBe(true);
        expect(r.virtualMs).toBeGreaterThan(0);
      }
    });
  }

  // Each command crosses to each peer about once: stale rejections are ignored and proposals
  // wait for the previous batch's ack.
  it('rpc-count-per-command holds the lab bound, seeds 1..10', () => {
    expect(firstFailing('rpc-count-per-command', coreFactory(null), 10)?.finding ?? null).toBeNull();
  });
});

// The seeds are searched, not pinned: a change to the simulator's streams moves them, and the
// claim is "some seed in 100" (the README lists the first ones found).
describe('the scenarios expose the built-in bugs they are meant to', () => {
  it('figure8 catches commit-previous-term within 100 seeds', () => {
    const r = firstFailing('figure8', bugged('commit-previous-term'));
    expect(r?.finding?.kind).toBe('safety');
    expect(['leader-completeness', 'state-machine-safety']).toContain(r?.finding?.invariant);
    expect(run('figure8', r!.seed).finding).toBeNull();
  });

  it('figure8-unreliable catches commit-previous-term within 100 seeds', () => {
    const r = firstFailing('figure8-unreliable', bugged('commit-previous-term'));
    expect(['leader-completeness', 'state-machine-safety']).toContain(r?.finding?.invariant);
    expect(run('figure8-unreliable', r!.seed).finding).toBeNull();
  });

  it('persist-1 catches forget-vote-on-restart within 100 seeds: two leaders in one term', () => {
    const r = firstFailing('persist-1', bugged('forget-vote-on-restart'));
    expect(r?.finding?.invariant).toBe('election-safety');
    expect(run('persist-1', r!.seed).finding).toBeNull();
  });

  it('backup catches skip-prev-check', () => {
    const r = run('backup', 1, bugged('skip-prev-check'));
    expect(r.finding?.kind).toBe('safety');
    expect(SAFETY_INVARIANTS as readonly string[]).toContain(r.finding?.invariant);
  });

  it('backup catches a leader that backs nextIndex up one entry per round trip', () => {
    const r = run('backup', 1, slowBackupFactory());
    expect(r.finding?.invariant).toBe('backup-speed');
    expect(r.finding?.kind).toBe('assertion');
    expect(r.finding?.message).toMatch(/messages .* expected at most 40/);
  });

  it('fail-no-agree catches wrong-quorum: a minority commits', () => {
    const r = run('fail-no-agree', 1, bugged('wrong-quorum'));
    // commit-durability sees the minority commit at the moment it happens, before the
    // scenario's own assertion looks.
    expect(r.finding?.invariant).toBe('commit-durability');
  });
});

describe('runs are deterministic', () => {
  it('the same seed gives the same trace, recorded or not', () => {
    const a = run('figure8-unreliable', 7, coreFactory(null), true);
    const b = run('figure8-unreliable', 7, coreFactory(null), true);
    const c = run('figure8-unreliable', 7);
    expect(JSON.stringify(a.trace)).toBe(JSON.stringify(b.trace));
    expect(c.events).toBe(a.events);
    expect(c.virtualMs).toBe(a.virtualMs);
  });

  it('different seeds give different runs', () => {
    expect(run('many-elections', 1).events).not.toBe(run('many-elections', 2).events);
  });
});

describe('the README scenario table', () => {
  it('has a row for every scenario, with its node count', async () => {
    const { readFileSync } = await import('node:fs');
    const doc = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    for (const s of SCENARIOS) expect(doc, s.name).toContain(`| \`${s.name}\` | ${s.lab} | ${s.nodes} |`);
  });
});
