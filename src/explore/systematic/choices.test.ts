import { describe, expect, it } from 'vitest';
import type { ScriptView } from '../../sim/simulator.js';
import { choicesAt, dependent, keyOf, NOTHING_USED, spend, type Bounds, type Choice } from './choices.js';

const BOUNDS: Bounds = { depth: 10, crashes: 2, drops: 1, duplicates: 0, proposals: 1, terms: 3, messages: 20 };
const follower = { role: 'follower' as const, term: 1, votedFor: null, commitIndex: 0, lastApplied: 0, leaderId: null };

const view: ScriptView = {
  nodes: [
    { id: 1, up: true, timer: true, obs: { ...follower, role: 'leader', leaderId: 1 }, unsynced: 2 },
    { id: 2, up: true, timer: false, obs: follower, unsynced: 0 },
    { id: 3, up: false, timer: false, obs: null, unsynced: 0 },
  ],
  inFlight: [
    { from: 1, to: 2, summary: 'AppendEntries t1' },
    { from: 1, to: 2, summary: 'AppendEntries t1' },
    { from: 2, to: 1, summary: 'AppendEntriesReply t1 ok' },
  ],
  sent: 3,
};

describe('choice points', () => {
  it('lists every enabled step once, in a fixed order, within the budgets', () => {
    expect(choicesAt(view, NOTHING_USED, BOUNDS).map(keyOf)).toEqual([
      'tick 1',
      'deliver 1>2 AppendEntries t1',
      'deliver 2>1 AppendEntriesReply t1 ok',
      'propose 1',
      'crash 1',
      'crash 1 unsynced',
      'crash 1 torn 1',
      'crash 2',
      'restart 3',
      'drop 1>2 AppendEntries t1',
      'drop 2>1 AppendEntriesReply t1 ok',
    ]);
    const spent = spend(spend(spend(NOTHING_USED, { do: 'crash', node: 1 }), { do: 'crash', node: 2 }), { do: 'drop', from: 1, to: 2, msg: 'x' });
    expect(choicesAt(view, spend(spent, { do: 'propose', node: 1, id: 'c1' }), BOUNDS).map(keyOf)).toEqual(['tick 1', 'deliver 1>2 AppendEntries t1', 'deliver 2>1 AppendEntriesReply t1 ok', 'restart 3']);
  });

  it('steps at different nodes commute; the same node, the same message or the last unit of a budget do not', () => {
    const tick1: Choice = { do: 'tick', node: 1 };
    const tick2: Choice = { do: 'tick', node: 2 };
    const toTwo: Choice = { do: 'deliver', from: 1, to: 2, msg: 'm' };
    const dropIt: Choice = { do: 'drop', from: 1, to: 2, msg: 'm' };
    const crash1: Choice = { do: 'crash', node: 1 };
    const crash2: Choice = { do: 'crash', node: 2 };
    expect(dependent(tick1, tick2, NOTHING_USED, BOUNDS)).toBe(false);
    expect(dependent(tick2, toTwo, NOTHING_USED, BOUNDS)).toBe(true);
    expect(dependent(tick1, toTwo, NOTHING_USED, BOUNDS)).toBe(false);
    expect(dependent(dropIt, toTwo, NOTHING_USED, BOUNDS)).toBe(true);
    expect(dependent(dropIt, tick2, NOTHING_USED, BOUNDS)).toBe(false);
    expect(dependent(crash1, crash2, NOTHING_USED, BOUNDS)).toBe(false);
    expect(dependent(crash1, crash2, spend(NOTHING_USED, crash1), BOUNDS)).toBe(true);
    expect(dependent({ do: 'propose', node: 1, id: 'c1' }, { do: 'propose', node: 2, id: 'c1' }, NOTHING_USED, { ...BOUNDS, proposals: 5 })).toBe(true);
  });
});
