import { describe, expect, it } from 'vitest';
import { FIXTURE_EVENTS, VIOLATION_STEP, fixtureTrace } from './fixture.js';
import { TraceModel, foldEvent, holding, initialState, lastIndex, partitionGroups, termAt, touches, type ClusterState } from './model.js';
import { initialView, reduce, visibleEvents, type ViewState } from './navigation.js';
import { KIND_FILTERS } from './model.js';

/** The state after event i by folding from the start, with no checkpoints: the reference. */
function naive(i: number): ClusterState {
  let s = initialState(3);
  for (let x = 0; x <= i; x++) s = foldEvent(s, FIXTURE_EVENTS[x], x);
  return s;
}

const at = (kind: string, node?: number) => FIXTURE_EVENTS.findIndex((e) => e.kind === kind && (node === undefined || e.node === node));

describe('fold', () => {
  const m = new TraceModel(fixtureTrace());

  it('starts with nodes not started and empty logs', () => {
    const s = m.stateAt(-1);
    expect(s.at).toBe(-1);
    expect(s.nodes.map((n) => n.started)).toEqual([false, false, false]);
    expect(m.stateAt(0).nodes[0].started).toBe(true);
  });

  it('tracks role, term, vote, commit and applied from the recorded state', () => {
    const s = m.stateAt(at('deliver', 1));
    expect(s.nodes[0]).toMatchObject({ role: 'leader', term: 1, vote: 1 });
    const c = m.stateAt(at('apply', 1));
    expect(c.nodes[0]).toMatchObject({ commit: 2, applied: 2 });
  });

  it('rebuilds logs from appends, truncations and snapshots', () => {
    const before = m.stateAt(at('apply', 1)).nodes[0];
    expect(before.log).toEqual([
      [1, 1, null],
      [2, 1, 'c1'],
    ]);
    const snap = m.stateAt(at('timer', 1) + 8).nodes[0]; // after the compaction on n1
    expect(snap.snapIndex).toBe(1);
    expect(snap.snapTerm).toBe(1);
    expect(snap.log).toEqual([[2, 1, 'c1']]);
    expect(lastIndex(snap)).toBe(2);
    expect(termAt(snap, 1)).toBe(1);
    expect(termAt(snap, 2)).toBe(1);
    expect(termAt(snap, 3)).toBeUndefined();
    const n2 = m.stateAt(VIOLATION_STEP).nodes[1];
    expect(n2.log).toEqual([
      [1, 1, null],
      [2, 2, 'c9'],
      [3, 2, null],
    ]);
  });

  it('marks crashed nodes down until they restart', () => {
    expect(m.stateAt(at('crash')).nodes[2].up).toBe(false);
    expect(m.stateAt(at('restart')).nodes[2].up).toBe(true);
    expect(m.stateAt(at('restart')).nodes[2].term).toBe(0);
  });

  it('describes what each event changed', () => {
    expect(m.changes[at('deliver', 1)]).toBe('leader t1, +1/t1');
    expect(m.changes[at('apply', 1)]).toBe('applied 1..2');
    expect(m.changes[17]).toBe('leader t2, trunc 2.., +2..3/t2');
  });

  it('finds the violation and what it involves', () => {
    expect(m.violationAt).toBe(VIOLATION_STEP);
    expect(m.involvement).toEqual({ nodes: [1, 3], index: 2, terms: [2] });
    const s = m.stateAt(VIOLATION_STEP);
    expect(holding(s.nodes[0], 2)).toEqual({ kind: 'entry', term: 1, cmd: 'c1' });
    expect(holding(s.nodes[2], 2)).toEqual({ kind: 'entry', term: 2, cmd: 'c9' });
    expect(holding(s.nodes[0], 1)).toEqual({ kind: 'snapshot' });
    expect(holding(m.stateAt(0).nodes[0], 2)).toEqual({ kind: 'missing' });
  });
});

describe('checkpoints', () => {
  it('keeps one every K steps and reaches every step as the plain fold does, in any order', () => {
    const k = 4;
    const m = new TraceModel(fixtureTrace(), k);
    expect(m.checkpointCount).toBe(Math.floor(FIXTURE_EVENTS.length / k) + 1);
    const order = [...FIXTURE_EVENTS.keys()].reverse().concat([3, 17, 0, 20, 9, 8, 7]);
    for (const i of order) expect(m.stateAt(i)).toEqual(naive(i));
  });

  it('steps back with at most K - 1 folds', () => {
    const k = 4;
    const m = new TraceModel(fixtureTrace(), k);
    m.stateAt(FIXTURE_EVENTS.length - 1);
    for (let i = FIXTURE_EVENTS.length - 2; i >= 0; i--) {
      const before = m.folds;
      m.stateAt(i);
      expect(m.folds - before).toBeLessThan(k);
    }
  });

  it('steps forward with one fold', () => {
    const m = new TraceModel(fixtureTrace(), 64);
    m.stateAt(5);
    const before = m.folds;
    m.stateAt(6);
    expect(m.folds - before).toBe(1);
  });

  it('refuses a checkpoint interval that is not a whole number >= 1', () => {
    expect(() => new TraceModel(fixtureTrace(), 0)).toThrow(/checkpoint interval/);
  });
});

describe('partition groups', () => {
  const m = new TraceModel(fixtureTrace());

  it('splits the cluster while links are cut both ways and joins it on heal', () => {
    expect(m.stateAt(at('partition') - 1).groups).toBeNull();
    expect(m.stateAt(at('partition')).groups).toEqual([0, 1, 1]);
    expect(m.stateAt(at('heal')).groups).toBeNull();
    expect(m.stateAt(at('heal')).blocked.every((x) => x === 0)).toBe(true);
  });

  it('reports one-way cuts apart from groups', () => {
    const blocked = new Array<number>(9).fill(0);
    blocked[0 * 3 + 2] = 1; // 1 -> 3
    expect(partitionGroups(3, blocked)).toEqual({ groups: null, oneWay: [[1, 3]] });
    blocked[2 * 3 + 0] = 1; // 3 -> 1 as well: still one group through node 2
    expect(partitionGroups(3, blocked).groups).toBeNull();
  });

  it('counts overlapping cuts: a link opens when every cut on it has healed', () => {
    let s = initialState(3);
    const cut = { step: 0, t: 0, kind: 'partition' as const, node: 0, links: [[1, 2], [2, 1]] as [number, number][] };
    s = foldEvent(s, cut, 0);
    s = foldEvent(s, { ...cut, step: 1 }, 1);
    s = foldEvent(s, { ...cut, step: 2, kind: 'heal' }, 2);
    expect(s.blocked[0 * 3 + 1]).toBe(1);
    s = foldEvent(s, { step: 3, t: 0, kind: 'phase', node: 0, note: 'faults healed' }, 3);
    expect(s.blocked.every((x) => x === 0)).toBe(true);
  });

  it('puts three islands in three groups, numbered by their smallest member', () => {
    const blocked = new Array<number>(16).fill(1);
    for (let i = 0; i < 4; i++) blocked[i * 4 + i] = 0;
    blocked[1 * 4 + 3] = 0;
    blocked[3 * 4 + 1] = 0;
    expect(partitionGroups(4, blocked).groups).toEqual([0, 1, 2, 1]);
  });
});

describe('navigation', () => {
  const m = new TraceModel(fixtureTrace());
  const go = (s: ViewState, ...as: Parameters<typeof reduce>[2][]) => as.reduce((x, a) => reduce(m, x, a), s);
  const v0 = initialView(m);

  it('starts at the first step with the first named node selected', () => {
    expect(v0.cursor).toBe(0);
    expect(v0.selected).toBe(1);
  });

  it('steps, pages and clamps', () => {
    expect(go(v0, { type: 'step', by: 1 }).cursor).toBe(1);
    expect(go(v0, { type: 'step', by: -1 }).cursor).toBe(0);
    expect(go(v0, { type: 'step', by: 10 }).cursor).toBe(10);
    expect(go(v0, { type: 'step', by: 10 }, { type: 'step', by: 10 }, { type: 'step', by: 10 }).cursor).toBe(FIXTURE_EVENTS.length - 1);
    expect(go(v0, { type: 'end' }, { type: 'home' }).cursor).toBe(0);
  });

  it('jumps to the violation and turns the highlight on', () => {
    const s = go(v0, { type: 'violation' });
    expect(s.cursor).toBe(VIOLATION_STEP);
    expect(s.highlight).toBe(true);
  });

  it('finds the next and previous event touching the selected node', () => {
    const s = go(v0, { type: 'select', node: 3 }, { type: 'node-event', dir: 1 });
    expect(s.cursor).toBe(2); // n3 starts
    const t = go(s, { type: 'node-event', dir: 1 });
    expect(t.cursor).toBe(8); // the drop addressed to n3
    expect(touches(FIXTURE_EVENTS[at('partition')], 3)).toBe(true);
    const back = go(t, { type: 'node-event', dir: -1 });
    expect(back.cursor).toBe(2);
    const none = go(back, { type: 'node-event', dir: -1 });
    expect(none.cursor).toBe(2);
    expect(none.message).toMatch(/no earlier event touches n3/);
  });

  it('cycles the selection with tab and refuses a node that does not exist', () => {
    expect(go(v0, { type: 'select-next', dir: 1 }).selected).toBe(2);
    expect(go(v0, { type: 'select-next', dir: -1 }).selected).toBe(3);
    expect(go(v0, { type: 'select', node: 7 }).message).toMatch(/no node 7/);
  });

  it('steps through the events a filter keeps', () => {
    const faults = KIND_FILTERS.findIndex((f) => f.name === 'faults');
    let s = v0;
    while (s.filter !== faults) s = go(s, { type: 'filter' });
    expect(visibleEvents(m, faults).map((i) => FIXTURE_EVENTS[i].kind)).toEqual(['partition', 'crash', 'restart', 'heal']);
    s = go(s, { type: 'step', by: 1 });
    expect(FIXTURE_EVENTS[s.cursor].kind).toBe('partition');
    s = go(s, { type: 'step', by: 1 }, { type: 'step', by: 1 });
    expect(FIXTURE_EVENTS[s.cursor].kind).toBe('restart');
    s = go(s, { type: 'end' });
    expect(FIXTURE_EVENTS[s.cursor].kind).toBe('heal');
  });

  it('closes help on any key, without acting on it', () => {
    const s = go(v0, { type: 'help' });
    expect(s.help).toBe(true);
    const t = go(s, { type: 'step', by: 1 });
    expect(t.help).toBe(false);
    expect(t.cursor).toBe(0);
  });
});
