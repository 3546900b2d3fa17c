import { describe, expect, it } from 'vitest';
import { coreFactory } from '../raft/index.js';
import { Ctx, runScript, ScriptError, type Client } from './dsl.js';

const ctx = (seed = 1, bug: Parameters<typeof coreFactory>[0] = null): Ctx => new Ctx({ factory: coreFactory(bug), seed, record: true });

describe('the scenario builder', () => {
  it('numbers nodes 1..n and wraps after() like the lab\'s (i + k) % n', () => {
    const s = ctx();
    s.cluster(5);
    expect(s.ids).toEqual([1, 2, 3, 4, 5]);
    expect(s.after(4, 1)).toBe(5);
    expect(s.after(5, 1)).toBe(1);
    expect(s.after(2, 4)).toBe(1);
    expect(s.after(3, 0)).toBe(3);
    expect(() => s.disconnect(0)).toThrow(ScriptError);
    expect(() => s.crash(6)).toThrow(/nodes are 1..5/);
  });

  it('elects a leader, agrees on a command, and counts it committed', () => {
    const s = ctx();
    const finding = runScript(s, (s) => {
      s.cluster(3);
      const leader = s.checkOneLeader();
      expect(s.state(leader)?.role).toBe('leader');
      expect(s.one(101, 3, false)).toBe(1);
      expect(s.nCommitted(1)).toEqual({ count: 3, value: '101' });
      expect(s.nCommitted(2)).toEqual({ count: 0, value: null });
    });
    expect(finding).toBeNull();
  });

  it('a failed expectation ends the script with an assertion finding', () => {
    const s = ctx();
    let after = false;
    const finding = runScript(s, (s) => {
      s.cluster(3);
      s.expect(false, 'my-check', 'it did not hold', [2]);
      after = true;
    });
    expect(after).toBe(false);
    expect(finding).toMatchObject({ invariant: 'my-check', kind: 'assertion', message: 'it did not hold', nodes: [2] });
    expect(s.sim.result().finding).toEqual(finding);
  });

  it('checkNoLeader fails while a connected node leads', () => {
    const s = ctx();
    const finding = runScript(s, (s) => {
      s.cluster(3);
      s.checkOneLeader();
      s.checkNoLeader();
    });
    expect(finding?.invariant).toBe('no-leader');
    expect(finding?.message).toMatch(/^checkNoLeader: expected no leader among the connected nodes, but node \d claims to lead term \d+$/);
  });

  it('a safety finding from the checkers ends the script', () => {
    let reached = false;
    // With a quorum of one, a cut-off leader keeps committing alone.
    const finding = runScript(ctx(1, 'wrong-quorum'), (s) => {
      s.cluster(3);
      const leader = s.checkOneLeader();
      s.disconnect(leader);
      s.propose(leader, 1);
      s.one(2, 2, true);
      s.connect(leader);
      for (let k = 0; k < 20; k++) s.wait(s.electionTimeout);
      reached = true;
    });
    expect(finding?.kind).toBe('safety');
    expect(reached).toBe(false);
  });

  it('crash cuts a node off and restart leaves it cut off until connect, as the lab\'s crash1/start1', () => {
    const s = ctx();
    s.cluster(3);
    s.crash(2);
    expect(s.isUp(2)).toBe(false);
    expect(s.isConnected(2)).toBe(false);
    s.restart(2);
    expect(s.isUp(2)).toBe(true);
    expect(s.isConnected(2)).toBe(false);
    s.connect(2);
    expect(s.isConnected(2)).toBe(true);
    s.reboot(3);
    expect(s.isUp(3)).toBe(true);
    expect(s.isConnected(3)).toBe(true);
  });

  it('runs background clients interleaved in virtual time, deterministically', () => {
    const s = ctx();
    s.cluster(3);
    const log: string[] = [];
    function* client(name: string, every: number): Client<number> {
      for (let k = 0; k < 3; k++) {
        log.push(`${name}@${s.now}`);
        yield every;
      }
      return every;
    }
    const start = s.now;
    const a = s.spawn(client('a', 10));
    const b = s.spawn(client('b', 15));
    s.wait(12);
    expect(log).toEqual([`a@${start}`, `b@${start}`, `a@${start + 10}`]);
    expect(s.join(b)).toBe(15);
    expect(a.done).toBe(true);
    expect(a.value).toBe(10);
    expect(log).toEqual([`a@${start}`, `b@${start}`, `a@${start + 10}`, `b@${start + 15}`, `a@${start + 20}`, `b@${start + 30}`]);
  });

  it('a client must yield its sleeps', () => {
    const s = ctx();
    s.cluster(3);
    // eslint-disable-next-line require-yield
    function* bad(): Client<void> {
      s.wait(5);
    }
    s.spawn(bad());
    expect(() => s.wait(1)).toThrow(ScriptError);
  });

  it('draws every random choice from the seed', () => {
    const draws = (seed: number): number[] => {
      const s = ctx(seed);
      s.cluster(5);
      return [s.randomNode(), s.randomValue(), s.prng.int(0, 1000)];
    };
    expect(draws(3)).toEqual(draws(3));
    expect(draws(3)).not.toEqual(draws(4));
  });
});
