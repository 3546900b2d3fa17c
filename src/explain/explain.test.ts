/**
 * Explanations of small hand-built histories: the invariants no committed trace covers yet
 * (commit durability, liveness), the fallback for findings without an explainer, and an
 * explainer that cannot follow its trace.
 */
import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '../sim/events.js';
import type { Finding } from '../sim/observer.js';
import { explain, renderExplanation } from './index.js';

type Ev = Omit<TraceEvent, 'step'>;
const F = (term: number, vote: number | null, commit = 0) => ({ role: 'follower' as const, term, vote, commit, applied: commit });
const C = (term: number, id: number) => ({ role: 'candidate' as const, term, vote: id, commit: 0, applied: 0 });
const L = (term: number, id: number, commit = 0) => ({ role: 'leader' as const, term, vote: id, commit, applied: commit });

function steps(evs: Ev[]): TraceEvent[] {
  return evs.map((e, step) => ({ step, ...e }));
}

function finding(over: Partial<Finding> & Pick<Finding, 'invariant' | 'step' | 'message'>): Finding {
  return { kind: 'safety', time: 0, nodes: [], ...over };
}

/** Three nodes: n1 is elected, appends c1, n2 acknowledges though its log is empty, n1 commits. */
const ACK_WITHOUT_WRITE = steps([
  { t: 0, kind: 'start', node: 1, state: F(0, null) },
  { t: 0, kind: 'start', node: 2, state: F(0, null) },
  { t: 0, kind: 'start', node: 3, state: F(0, null) },
  { t: 150, kind: 'timer', node: 1, state: C(1, 1) },
  { t: 151, kind: 'deliver', node: 2, from: 1, msg: 'RequestVote t1 last=0/t0', state: F(1, 1) },
  { t: 152, kind: 'deliver', node: 1, from: 2, msg: 'RequestVoteReply t1 granted', state: L(1, 1) },
  { t: 160, kind: 'propose', node: 1, note: 'c1', state: L(1, 1), log: { app: [[1, 1, 'c1']] } },
  { t: 162, kind: 'deliver', node: 2, from: 1, msg: 'AppendEntries t1 prev=0/t0 [1..1] commit=0', state: F(1, 1) },
  { t: 164, kind: 'deliver', node: 1, from: 2, msg: 'AppendEntriesReply t1 ok match=1', state: L(1, 1, 1) },
]);

describe('commit-durability', () => {
  it('names the entry, the reply from a node that did not hold it, and the commit', () => {
    const f = finding({ invariant: 'commit-durability', step: 8, nodes: [1], index: 1, terms: [1], message: 'node 1 committed index 1 (term 1) while no node of 3 had it on disk' });
    const x = explain({ schedule: { nodes: 3 }, events: ACK_WITHOUT_WRITE, violation: f })!;
    expect(x.steps.map((s) => s.step)).toEqual([6, 8]);
    expect(x.steps[0].text).toMatch(/appended c1 at index 1 in term 1/);
    expect(x.steps[1].text).toMatch(/counted AppendEntriesReply t1 ok match=1 from node 2, which did not have index 1 \(term 1\) on disk/);
    expect(x.steps[1].text).toMatch(/marked index 1 \(c1, an entry of term 1\) committed.*; node 1 committed index 1 \(term 1\) while no node of 3 had it on disk/);
    expect(x.summary).toMatch(/no node of 3 had it on disk: it counted replies from node 2, which acknowledged the entry before it was on their disk/);
  });
});

describe('leader-completeness on a hand-built history', () => {
  it('a commit on a majority, then a leader elected by a node without the entry', () => {
    const evs = steps([
      ...ACK_WITHOUT_WRITE.slice(0, 7).map(({ step: _s, ...e }) => e),
      { t: 162, kind: 'deliver', node: 2, from: 1, msg: 'AppendEntries t1 prev=0/t0 [1..1] commit=0', state: F(1, 1), log: { app: [[1, 1, 'c1']] } },
      { t: 164, kind: 'deliver', node: 1, from: 2, msg: 'AppendEntriesReply t1 ok match=1', state: L(1, 1, 1) },
      { t: 400, kind: 'timer', node: 3, state: C(2, 3) },
      { t: 401, kind: 'deliver', node: 2, from: 3, msg: 'RequestVote t2 last=0/t0', state: F(2, 3) },
      { t: 402, kind: 'deliver', node: 3, from: 2, msg: 'RequestVoteReply t2 granted', state: L(2, 3) },
    ]);
    const f = finding({ invariant: 'leader-completeness', step: 11, nodes: [3, 1], index: 1, terms: [1, 2], message: 'leader 3 of term 2 lacks index 1, which node 1 saw committed in term 1' });
    const x = explain({ schedule: { nodes: 3 }, events: evs, violation: f })!;
    expect(x.steps.map((s) => s.step)).toEqual([6, 8, 9, 10, 11]);
    expect(x.steps[1].text).toMatch(/counted 2 of 3 logs holding it \(nodes 1 and 2\), a majority/);
    expect(x.steps[3].text).toMatch(/Node 2 voted for node 3 in term 2: its last entry 1\/t1 against the candidate's 0\/t0.*must refuse/);
  });
});

describe('liveness', () => {
  it('counts the elections since the network healed', () => {
    const evs = steps([
      { t: 0, kind: 'start', node: 1, state: F(0, null) },
      { t: 0, kind: 'start', node: 2, state: F(0, null) },
      { t: 0, kind: 'start', node: 3, state: F(0, null) },
      { t: 100, kind: 'phase', node: 0, note: 'faults healed; liveness window starts' },
      { t: 250, kind: 'timer', node: 2, state: C(1, 2) },
      { t: 251, kind: 'drop', node: 1, from: 2, msg: 'RequestVote t1 last=0/t0', note: 'lost' },
      { t: 400, kind: 'timer', node: 2, state: C(2, 2) },
    ]);
    const f = finding({ invariant: 'liveness', kind: 'liveness', step: 6, message: 'no leader at term 2 after 1000 ms of a healed, stable network' });
    const x = explain({ schedule: { nodes: 3 }, events: evs, violation: f })!;
    expect(x.steps.map((s) => s.step)).toEqual([3, 4, 6]);
    expect(x.summary).toMatch(/2 elections since the network healed \(by node 2\), 0 won, 1 message dropped/);
  });
});

describe('findings without an explainer', () => {
  it('keep their own sentence at their own step', () => {
    const f = finding({ invariant: 'implementation-error', kind: 'implementation', step: 2, message: 'node 3 threw on timer: Error: boom' });
    const x = explain({ schedule: { nodes: 3 }, events: ACK_WITHOUT_WRITE.slice(0, 3), violation: f })!;
    expect(x).toEqual({ summary: 'node 3 threw on timer: Error: boom', steps: [{ step: 2, text: 'node 3 threw on timer: Error: boom' }] });
    expect(renderExplanation(x)).toEqual(['why: node 3 threw on timer: Error: boom', '  #   2  node 3 threw on timer: Error: boom']);
  });

  it('an explainer that cannot read its finding falls back too', () => {
    const f = finding({ invariant: 'election-safety', step: 8, nodes: [1], message: 'nodes 1 and ? were both leader' });
    expect(explain({ schedule: { nodes: 3 }, events: ACK_WITHOUT_WRITE, violation: f })!.steps).toEqual([{ step: 8, text: 'nodes 1 and ? were both leader' }]);
  });

  it('no violation, no explanation', () => {
    expect(explain({ schedule: { nodes: 3 }, events: ACK_WITHOUT_WRITE, violation: null })).toBeNull();
  });
});
