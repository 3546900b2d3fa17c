/**
 * Whole clusters of RaftCore driven by a tiny delivery loop written here: a FIFO queue of
 * messages (delivered instantly, in order), and when it is empty the node with the earliest
 * timer ticks. Randomness comes from a seeded LCG, so every run is reproducible. Checked on
 * every step: Election Safety (one leader per term) and State Machine Safety (one command and
 * digest per index across all nodes and incarnations).
 */
import { describe, expect, it } from 'vitest';
import { RaftCore } from './node.js';
import type { Applied, Command, Message, NodeId, Output, StoredState } from './types.js';
import { create, fold, lcg } from './test-support.js';

class Cluster {
  readonly ids: NodeId[];
  readonly nodes = new Map<NodeId, RaftCore>();
  readonly disks = new Map<NodeId, StoredState | null>();
  readonly deadlines = new Map<NodeId, number>();
  readonly down = new Set<NodeId>();
  readonly queue: Message[] = [];
  /** Per node, the applied entries of its current incarnation. */
  readonly applied = new Map<NodeId, Applied[]>();
  /** Per node, the state machine position: last applied index and digest (restores included). */
  readonly position = new Map<NodeId, { index: number; digest: number }>();
  /** State Machine Safety: index -> (command id, digest) as first applied anywhere. */
  readonly history = new Map<number, { id: string | null; digest: number }>();
  /** Election Safety: term -> leader. */
  readonly leaders = new Map<number, NodeId>();
  readonly delivered = new Map<string, number>();
  readonly rand: (lo: number, hi: number) => number;
  now = 0;

  constructor(
    size: number,
    seed: number,
    readonly snapshotThreshold = 0,
  ) {
    this.ids = Array.from({ length: size }, (_, i) => i + 1);
    this.rand = lcg(seed);
    for (const id of this.ids) {
      this.disks.set(id, null);
      this.boot(id);
    }
  }

  boot(id: NodeId): void {
    const node = create(id, { cluster: this.ids, randomInt: this.rand, stored: this.disks.get(id)!, snapshotThreshold: this.snapshotThreshold });
    this.nodes.set(id, node);
    this.applied.set(id, []);
    this.position.set(id, { index: 0, digest: 0 });
    this.down.delete(id);
    this.handle(id, node.start());
  }

  crash(id: NodeId): void {
    this.down.add(id);
    this.deadlines.delete(id);
  }

  private handle(id: NodeId, out: Output): void {
    this.disks.set(id, fold(this.disks.get(id)!, out.write)); // durable before the messages go out
    if (out.timer !== undefined) this.deadlines.set(id, this.now + out.timer);
    if (out.restored !== undefined) this.position.set(id, { index: out.restored.index, digest: out.restored.digest });
    for (const a of out.applied) {
      const pos = this.position.get(id)!;
      expect(a.index, `node ${id} applies in order`).toBe(pos.index + 1);
      this.position.set(id, { index: a.index, digest: a.digest });
      this.applied.get(id)!.push(a);
      const seen = this.history.get(a.index);
      const mine = { id: a.command?.id ?? null, digest: a.digest };
      if (seen === undefined) this.history.set(a.index, mine);
      else expect(mine, `state machine safety at index ${a.index}`).toStrictEqual(seen);
    }
    const o = this.nodes.get(id)!.observe();
    if (o.role === 'leader') {
      const other = this.leaders.get(o.term);
      expect(other ?? id, `election safety in term ${o.term}`).toBe(id);
      this.leaders.set(o.term, id);
    }
    this.queue.push(...out.messages);
  }

  /** Deliver the oldest message, or else fire the earliest timer. */
  step(): void {
    const m = this.queue.shift();
    if (m !== undefined) {
      if (this.down.has(m.to)) return;
      this.delivered.set(m.type, (this.delivered.get(m.type) ?? 0) + 1);
      this.handle(m.to, this.nodes.get(m.to)!.receive(m));
      return;
    }
    let next: NodeId | undefined;
    for (const [id, t] of this.deadlines) if (next === undefined || t < this.deadlines.get(next)!) next = id;
    if (next === undefined) throw new Error('no timers and no messages');
    this.now = this.deadlines.get(next)!;
    this.deadlines.delete(next);
    this.handle(next, this.nodes.get(next)!.tick());
  }

  run(until: () => boolean, maxSteps = 20_000): void {
    for (let i = 0; i < maxSteps; i++) {
      if (until()) return;
      this.step();
    }
    throw new Error(`condition not reached in ${maxSteps} steps (t=${this.now})`);
  }

  /** The up nodes that believe they lead, highest term first. */
  leadersUp(): NodeId[] {
    return this.ids
      .filter((id) => !this.down.has(id) && this.nodes.get(id)!.observe().role === 'leader')
      .sort((a, b) => this.nodes.get(b)!.observe().term - this.nodes.get(a)!.observe().term);
  }

  /** Propose until accepted, waiting for a leader as needed; returns the index. */
  propose(c: Command): number {
    for (let i = 0; i < 1000; i++) {
      const l = this.leadersUp()[0];
      if (l !== undefined) {
        const out = this.nodes.get(l)!.propose(c);
        this.handle(l, out);
        if (out.proposal?.accepted) return out.proposal.index;
      }
      this.step();
    }
    throw new Error('no leader accepted the proposal');
  }

  appliedIds(id: NodeId): (string | null)[] {
    return this.applied.get(id)!.map((a) => a.command?.id ?? null);
  }
}

const command = (i: number): Command => ({ id: `c${i}`, key: `k${i % 3}`, value: `v${i}` });
const SEEDS = [1, 2, 3, 7, 42];

describe.each([3, 5])('%i-node cluster', (size) => {
  it.each(SEEDS)('seed %i: exactly one leader is elected and every node applies the same commands in order', (seed) => {
    const c = new Cluster(size, seed);
    c.run(() => c.leadersUp().length > 0);
    const leader = c.leadersUp()[0];
    const term = c.nodes.get(leader)!.observe().term;
    // The other nodes follow it once its first heartbeat is through.
    c.run(() => c.queue.length === 0);
    for (const id of c.ids) {
      expect(c.nodes.get(id)!.observe()).toMatchObject({ term, leaderId: leader, role: id === leader ? 'leader' : 'follower' });
    }

    const ids: string[] = [];
    for (let i = 1; i <= 10; i++) {
      expect(c.propose(command(i))).toBe(i); // no no-op entry: the first command is index 1
      ids.push(`c${i}`);
      if (i % 3 === 0) c.run(() => c.queue.length === 0);
    }
    c.run(() => c.ids.every((id) => c.appliedIds(id).length === 10));
    expect(c.leaders).toStrictEqual(new Map([[term, leader]]));
    for (const id of c.ids) {
      expect(c.appliedIds(id)).toStrictEqual(ids);
      expect(c.applied.get(id)!.map((a) => a.digest)).toStrictEqual(c.applied.get(leader)!.map((a) => a.digest));
    }
    // Quiet afterwards: heartbeats keep the same leader for a while of virtual time.
    const until = c.now + 2_000;
    c.run(() => c.now >= until);
    expect(c.leadersUp()).toStrictEqual([leader]);
    expect(c.nodes.get(leader)!.observe().term).toBe(term);
  });
});

describe('5-node cluster with the leader crashing and restarting from its storage', () => {
  it.each(SEEDS)('seed %i: a new leader is elected, the old one catches up, all apply the same sequence', (seed) => {
    const c = new Cluster(5, seed);
    for (let i = 1; i <= 5; i++) c.propose(command(i));
    c.run(() => c.ids.every((id) => c.appliedIds(id).length === 5));
    const first = c.leadersUp()[0];
    const firstTerm = c.nodes.get(first)!.observe().term;
    c.crash(first);

    c.run(() => c.leadersUp().length > 0);
    const second = c.leadersUp()[0];
    expect(second).not.toBe(first);
    expect(c.nodes.get(second)!.observe().term).toBeGreaterThan(firstTerm);
    for (let i = 6; i <= 10; i++) c.propose(command(i));
    const up = c.ids.filter((id) => id !== first);
    c.run(() => up.every((id) => c.appliedIds(id).length === 10));

    c.boot(first); // a new incarnation: it applies everything again from index 1
    c.run(() => c.appliedIds(first).length === 10);
    const ids = Array.from({ length: 10 }, (_, i) => `c${i + 1}`);
    for (const id of c.ids) expect(c.appliedIds(id)).toStrictEqual(ids);
    expect(c.leadersUp()).toStrictEqual([second]);
    // One leader per term over the whole run is checked on every step; here the two reigns.
    expect(c.leaders.get(firstTerm)).toBe(first);
    expect(c.leaders.get(c.nodes.get(second)!.observe().term)).toBe(second);
    // The restarted node rejoined as a follower of the new term.
    expect(c.nodes.get(first)!.observe()).toMatchObject({ role: 'follower', term: c.nodes.get(second)!.observe().term, leaderId: second });
  });

  it.each(SEEDS)('seed %i, snapshotThreshold 4: the restarted node catches up through InstallSnapshot', (seed) => {
    const c = new Cluster(5, seed, 4);
    for (let i = 1; i <= 5; i++) c.propose(command(i));
    c.run(() => c.ids.every((id) => c.position.get(id)!.index === 5));
    const first = c.leadersUp()[0];
    c.crash(first);
    for (let i = 6; i <= 12; i++) c.propose(command(i));
    const up = c.ids.filter((id) => id !== first);
    c.run(() => up.every((id) => c.position.get(id)!.index === 12));
    const snapshotsBefore = c.delivered.get('InstallSnapshot') ?? 0;
    c.boot(first);
    c.run(() => c.position.get(first)!.index === 12);
    expect(c.delivered.get('InstallSnapshot') ?? 0).toBeGreaterThan(snapshotsBefore);
    const digests = new Set(c.ids.map((id) => c.position.get(id)!.digest));
    expect(digests.size).toBe(1);
    expect(digests).toStrictEqual(new Set([c.history.get(12)!.digest]));
    // Storage of every node is a valid compacted log: snapshot plus contiguous entries.
    for (const id of c.ids) {
      const d = c.disks.get(id)!;
      expect(d.snapshot).not.toBeNull();
      d.log.forEach((e, i) => expect(e.index).toBe(d.snapshot!.lastIncludedIndex + 1 + i));
    }
  });
});
