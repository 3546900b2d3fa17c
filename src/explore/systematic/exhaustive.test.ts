import { describe, expect, it } from 'vitest';
import { runChecked } from '../../check/run.js';
import { coreFactory, type BugName, type NodeFactory } from '../../raft/index.js';
import { keyOf, type Bounds } from './choices.js';
import { scriptSchedule, type Setup } from './execution.js';
import { drive, exhaustive } from './exhaustive.js';

const ELECTIONS: Bounds = { depth: 6, crashes: 0, drops: 0, duplicates: 0, proposals: 0, terms: 2, messages: 10 };

function setup(bug: BugName | null, factory: NodeFactory = coreFactory(bug)): Setup {
  return { factory, nodes: 3, seed: 1, snapshotThreshold: 0 };
}

function search(s: Setup, bounds: Bounds, reduction = true) {
  const r = drive(exhaustive({ setup: s, bounds, reduction }));
  if (r === null) throw new Error('unreachable: nothing stops the search');
  return r;
}

/** Our core without its fingerprint(), as a user's implementation may be. */
function withoutFingerprint(f: NodeFactory): NodeFactory {
  return {
    ...f,
    create: (init) => {
      const n = f.create(init);
      return { start: () => n.start(), tick: () => n.tick(), receive: (m) => n.receive(m), propose: (c) => n.propose(c), observe: () => n.observe() };
    },
  };
}

describe('exhaustive search', () => {
  it('finds the shortest double election with wrong-quorum: two timers', () => {
    const r = search(setup('wrong-quorum'), ELECTIONS);
    expect(r.end.kind).toBe('violation');
    if (r.end.kind !== 'violation') return;
    expect(r.end.path.map(keyOf)).toEqual(['tick 1', 'tick 2']);
    expect(r.end.finding.invariant).toBe('election-safety');
  });

  it('finds the shortest double-vote counterexample, and it replays as a trace', () => {
    const s = setup('double-vote');
    const r = search(s, ELECTIONS);
    if (r.end.kind !== 'violation') throw new Error(`expected a violation, got ${r.end.kind}`);
    // Two candidates of term 1, each granted the other's vote: six steps, no fewer.
    expect(r.end.path.map(keyOf)).toEqual([
      'tick 1',
      'tick 2',
      'deliver 1>2 RequestVote t1 last=0/t0',
      'deliver 2>1 RequestVote t1 last=0/t0',
      'deliver 2>1 RequestVoteReply t1 granted',
      'deliver 1>2 RequestVoteReply t1 granted',
    ]);
    expect(r.stats.depth).toBe(6);
    const replayed = runChecked(s.factory, scriptSchedule(s, r.end.path), { record: true });
    expect(replayed.finding?.invariant).toBe('election-safety');
    expect(replayed.finding?.message).toBe(r.end.finding.message);
  });

  it('finds forget-vote-on-restart through a crash: the restarted node votes again', () => {
    const r = search(setup('forget-vote-on-restart'), { ...ELECTIONS, depth: 8, crashes: 1, terms: 1, messages: 10 });
    if (r.end.kind !== 'violation') throw new Error(`expected a violation, got ${r.end.kind}`);
    expect(r.end.path.length).toBe(8);
    expect(r.end.path.map(keyOf)).toContain('crash 1');
    expect(r.end.finding.invariant).toBe('election-safety');
  });

  // Persistence bugs: the crash (losing what it must, for split-hard-state) comes right after
  // the vote or the unsynced acknowledgement; each shortest run is 7 or 8 steps.
  it.each([
    ['forget-term-on-restart', { depth: 8, crashes: 1, proposals: 0, messages: 8 }, 8, 'election-safety', 'crash 1'],
    ['split-hard-state', { depth: 8, crashes: 1, proposals: 0, messages: 8 }, 8, 'election-safety', 'crash 1 unsynced'],
    ['ack-before-sync', { depth: 7, crashes: 0, proposals: 1, messages: 8 }, 7, 'commit-durability', 'propose 1'],
  ] as const)('finds %s with a shortest trace', (bug, b, length, invariant, step) => {
    const r = search(setup(bug), { ...ELECTIONS, terms: 1, ...b });
    if (r.end.kind !== 'violation') throw new Error(`expected a violation, got ${r.end.kind}`);
    expect(r.end.path.length).toBe(length);
    expect(r.end.path.map(keyOf)).toContain(step);
    expect(r.end.finding.invariant).toBe(invariant);
  });

  it('exhausts small bounds on the correct core, and says whether the depth bound cut paths', () => {
    const r = search(setup(null), ELECTIONS);
    expect(r.end).toEqual({ kind: 'exhausted', complete: false });
    expect(r.stats).toMatchObject({ states: 6340, distinct: 931, depth: 6, cut: true, cached: true });
    const all = search(setup(null), { ...ELECTIONS, depth: 40, terms: 1, messages: 4 });
    expect(all.end).toEqual({ kind: 'exhausted', complete: true });
    expect(all.stats).toMatchObject({ states: 143, distinct: 15, cut: false });
  });

  it('sleep sets generate fewer states and reach exactly the same distinct states', () => {
    const bounds: Bounds = { ...ELECTIONS, depth: 6, crashes: 1, messages: 8 };
    const reduced = search(setup(null), bounds, true);
    const full = search(setup(null), bounds, false);
    expect(reduced.end).toEqual(full.end);
    expect(reduced.stats.distinct).toBe(full.stats.distinct);
    expect(reduced.stats.states).toBeLessThan(full.stats.states);
    expect([reduced.stats.states, full.stats.states, full.stats.distinct]).toEqual([13452, 21708, 1907]);
  });

  it('searches without a cache when nodes have no fingerprint(), with the same verdict', () => {
    const r = search(setup('double-vote', withoutFingerprint(coreFactory('double-vote'))), ELECTIONS);
    expect(r.stats.cached).toBe(false);
    expect(r.stats.distinct).toBeNull();
    if (r.end.kind !== 'violation') throw new Error(`expected a violation, got ${r.end.kind}`);
    expect(r.end.path.length).toBe(6);
  });

  it('is deterministic: the same bounds give the same counts', () => {
    const a = search(setup(null), { ...ELECTIONS, depth: 5 });
    const b = search(setup(null), { ...ELECTIONS, depth: 5 });
    expect(a.stats).toEqual(b.stats);
  });
});
