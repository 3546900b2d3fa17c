/**
 * Figure 2 "Persistent state on all servers (updated on stable storage before responding to
 * RPCs)": currentTerm, votedFor, log[]. A restart rebuilds a node from its StoredState alone;
 * everything else (role, commitIndex, lastApplied, leader) is volatile and lost.
 */
import { describe, expect, it } from 'vitest';
import { RaftCore } from './node.js';
import type { Message, NodeId, Output, StoredState } from './types.js';
import { ELECTION, type Opts, ae, appliedOf, create, ent, fold, logOf, output, rv, rvr, snapOf } from './test-support.js';

/** A node plus the storage its writes build, so it can be restarted. */
class Harness {
  node: RaftCore;
  disk: StoredState | null;
  readonly outputs: Output[] = [];
  constructor(
    readonly id: NodeId,
    readonly opts: Opts = {},
  ) {
    this.disk = opts.stored ?? null;
    this.node = create(id, opts);
    this.do((n) => n.start());
  }
  do(f: (n: RaftCore) => Output): Output {
    const out = f(this.node);
    this.disk = fold(this.disk, out.write);
    this.outputs.push(out);
    return out;
  }
  restart(): Output {
    this.node = create(this.id, { ...this.opts, stored: this.disk });
    return this.do((n) => n.start());
  }
}

/** Storage must always equal the node's persistent state, so nothing it sends can get ahead of it. */
function expectDurable(h: Harness): void {
  const o = h.node.observe();
  expect(h.disk?.hardState ?? { term: 0, votedFor: null }).toStrictEqual({ term: o.term, votedFor: o.votedFor });
  expect(h.disk?.log ?? []).toStrictEqual(h.node.entries);
}

// ---- tests --------------------------------------------------------------------------------------

describe('Figure 2: persistent state (currentTerm, votedFor, log) is written in the output of the input that changed it', () => {
  it('after every input of a scripted history, storage equals the node state', () => {
    const h = new Harness(1);
    const steps: ((n: RaftCore) => Output)[] = [
      (n) => n.receive(rv(2, 1, 2, 0, 0)), // vote for 2 in term 2
      (n) => n.receive(ae(2, 1, 2, 0, 0, [ent(1, 2), ent(2, 2), ent(3, 2)], 2)), // append, commit 2
      (n) => n.receive(ae(2, 1, 2, 0, 0, [ent(1, 2)], 2)), // stale duplicate
      (n) => n.receive(ae(3, 1, 3, 2, 2, [ent(3, 3), ent(4, 3)], 4)), // new leader: truncate 3, append
      (n) => n.tick(), // campaign: term 4, vote for self
      (n) => n.receive(rvr(2, 1, 4, true)), // leader of term 4
      (n) => n.propose({ id: 'p', key: 'kp', value: 'vp' }), // index 5
      (n) => n.receive(rv(3, 1, 6, 9, 5)), // step down, vote for 3 in term 6
    ];
    for (const s of steps) {
      const out = h.do(s);
      // Any message depends on the state just written: it must already be on disk.
      expect(out.messages.length + (out.write === undefined ? 0 : 1)).toBeGreaterThan(0);
      expectDurable(h);
    }
    expect(h.disk).toStrictEqual({
      hardState: { term: 6, votedFor: 3 },
      snapshot: null,
      log: [ent(1, 2), ent(2, 2), ent(3, 3), ent(4, 3), { index: 5, term: 4, command: { id: 'p', key: 'kp', value: 'vp' } }],
    });
  });
});

describe('Restart: term, votedFor and log come back from StoredState alone; role, commitIndex, lastApplied and leader are lost', () => {
  const log = logOf(1, 1, 2);
  const st: StoredState = { hardState: { term: 2, votedFor: 2 }, snapshot: null, log };

  it.each([
    {
      role: 'follower with entries committed',
      drive: (h: Harness) => h.do((n) => n.receive(ae(2, 1, 2, 3, 2, [], 3))),
      term: 2,
      votedFor: 2,
    },
    { role: 'candidate', drive: (h: Harness) => h.do((n) => n.tick()), term: 3, votedFor: 1 },
    {
      role: 'leader with entries committed',
      drive: (h: Harness) => {
        h.do((n) => n.tick());
        h.do((n) => n.receive(rvr(3, 1, 3, true)));
        h.do((n) => n.propose({ id: 'p', key: 'k', value: 'v' }));
        h.do((n) => n.receive({ type: 'AppendEntriesReply', from: 3, to: 1, term: 3, success: true, matchIndex: 4, conflictTerm: 0, conflictIndex: 0 } as Message));
      },
      term: 3,
      votedFor: 1,
    },
  ])('$role', ({ drive, term, votedFor }) => {
    const h = new Harness(1, { stored: st });
    drive(h);
    const before = h.node.entries;
    expect(h.node.observe().term).toBe(term);
    expect(h.restart()).toStrictEqual(output({ timer: ELECTION }));
    expect(h.node.observe()).toStrictEqual({ role: 'follower', term, votedFor, commitIndex: 0, lastApplied: 0, leaderId: null });
    expect(h.node.entries).toStrictEqual(before);
  });

  it('after a restart the committed entries are applied again from index 1, with the same digests', () => {
    const h = new Harness(1, { stored: st });
    const first = h.do((n) => n.receive(ae(2, 1, 2, 3, 2, [], 3))).applied;
    expect(first).toStrictEqual(appliedOf(log, 1, 3));
    h.restart();
    expect(h.do((n) => n.receive(ae(2, 1, 2, 3, 2, [], 3))).applied).toStrictEqual(first);
  });

  it('a restarted node keeps refusing a stale term and an already-used vote', () => {
    const h = new Harness(1, { stored: st });
    h.restart();
    expect(h.do((n) => n.receive(rv(3, 1, 1, 9, 9)))).toStrictEqual(output({ messages: [rvr(1, 3, 2, false)] }));
    expect(h.do((n) => n.receive(rv(3, 1, 2, 9, 9)))).toStrictEqual(output({ messages: [rvr(1, 3, 2, false)] }));
  });

  it('restart from a StoredState with a snapshot emits restored on start() and resumes after it', () => {
    const full = logOf(1, 1, 2, 2);
    const snap = snapOf(full, 2);
    const n = create(1, { stored: { hardState: { term: 2, votedFor: null }, snapshot: snap, log: full.slice(2) } });
    expect(n.start()).toStrictEqual(output({ timer: ELECTION, restored: { index: 2, term: 1, digest: snap.digest } }));
    expect(n.observe()).toStrictEqual({ role: 'follower', term: 2, votedFor: null, commitIndex: 2, lastApplied: 2, leaderId: null });
    expect(n.entries).toStrictEqual(full.slice(2));
    // Applying continues from the snapshot's digest.
    expect(n.receive(ae(2, 1, 2, 4, 2, [], 4)).applied).toStrictEqual(appliedOf(full, 3, 4));
  });

  it('storage may still hold entries the snapshot covers: they are ignored', () => {
    const full = logOf(1, 1, 2, 2);
    const snap = snapOf(full, 2);
    const n = create(1, { stored: { hardState: { term: 2, votedFor: null }, snapshot: snap, log: full } });
    expect(n.start().restored).toStrictEqual({ index: 2, term: 1, digest: snap.digest });
    expect(n.entries).toStrictEqual(full.slice(2));
  });

  it('a leader restarted in the middle of a term campaigns in the next term, not the same one', () => {
    const h = new Harness(1, { stored: st });
    h.do((n) => n.tick());
    h.do((n) => n.receive(rvr(2, 1, 3, true)));
    h.restart();
    expect(h.do((n) => n.tick()).write).toStrictEqual({ hardState: { term: 4, votedFor: 1 } });
  });
});
