import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { etcdAdapter } from './test-support.js';

// Each mutation's patch is live and does what its name says: one etcd instance, a stored
// state and one message a peer could send, with the mutation off and on. (Finding the
// mutations by search is etcd.test.ts's and the README's business.)
const adapter = etcdAdapter();

/** Protobuf for the raftpb.Message fields used here (raft.proto's field numbers). */
function varint(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) b |= 128;
    out.push(b);
  } while (n > 0);
  return out;
}
const field = (num: number, v: number) => [...varint(num * 8), ...varint(v)];
const bytes = (num: number, b: number[]) => [...varint(num * 8 + 2), ...varint(b.length), ...b];
interface Msg {
  type: number;
  to: number;
  from: number;
  term: number;
  logTerm?: number;
  index?: number;
  entries?: { term: number; index: number }[];
  commit?: number;
}
const MSG_APP = 3;
const MSG_APP_RESP = 4;
const MSG_VOTE = 5;
const MSG_VOTE_RESP = 6;
const TYPE_NAMES: Record<number, string> = { 3: 'MsgApp', 4: 'MsgAppResp', 5: 'MsgVote', 6: 'MsgVoteResp' };

function wire(m: Msg): object {
  const b = [
    ...field(1, m.type),
    ...field(2, m.to),
    ...field(3, m.from),
    ...field(4, m.term),
    ...field(5, m.logTerm ?? 0),
    ...field(6, m.index ?? 0),
    ...(m.entries ?? []).flatMap((e) => bytes(7, [...field(1, 0), ...field(2, e.term), ...field(3, e.index)])),
    ...field(8, m.commit ?? 0),
  ];
  return { type: TYPE_NAMES[m.type], from: m.from, to: m.to, term: m.term, raft: Buffer.from(b).toString('base64') };
}

const timing = { electionTimeoutMinMs: 150, electionTimeoutMaxMs: 300, heartbeatMs: 50 };
const noop = (index: number, term: number) => ({ index, term, command: null });
const cmd = (index: number, term: number, id: string) => ({ index, term, command: { id, key: 'k', value: id } });

/** The adapter's responses to `requests` about one instance (1) of node `node`. */
function run(mutation: string | null, node: number, stored: object, requests: readonly object[]): any[] {
  const lines = [
    { type: 'create', instance: 1, node, cluster: [1, 2, 3], timing, snapshotThreshold: 0, seed: 11, stored },
    { type: 'start', instance: 1 },
    ...requests,
  ];
  const args = mutation === null ? [] : ['-mutation', mutation];
  const r = spawnSync(adapter.binary!, args, { input: lines.map((l) => JSON.stringify(l) + '\n').join(''), encoding: 'utf8' });
  return r.stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l));
}
const receive = (m: Msg) => ({ type: 'receive', instance: 1, message: wire(m) });

if (adapter.skip !== null) {
  it.skip(`etcd raft mutations: skipped because ${adapter.skip}`, () => {});
} else {
  describe('etcd raft mutations, one message each', () => {
    it('commit-old-term: a new leader commits its predecessor-term entry once a quorum holds it', () => {
      // Node 1 restarts holding two term-1 entries, campaigns for term 2 within 5 ticks (its
      // timeout is 3 to 5), wins with node 2's vote and appends its no-op at 3; node 2 then
      // acknowledges index 1 only.
      const stored = { hardState: { term: 1, votedFor: 1 }, snapshot: null, log: [noop(1, 1), cmd(2, 1, 'c1')] };
      const script = [
        ...Array.from({ length: 5 }, () => ({ type: 'tick', instance: 1 })),
        receive({ type: MSG_VOTE_RESP, to: 1, from: 2, term: 2 }),
        receive({ type: MSG_APP_RESP, to: 1, from: 2, term: 2, index: 1 }),
      ];
      const plain = run(null, 1, stored, script);
      const mutated = run('commit-old-term', 1, stored, script);
      expect(plain[7].observation).toMatchObject({ role: 'leader', term: 2 });
      expect(plain[8].observation.commitIndex).toBe(0);
      expect(mutated[8].observation.commitIndex).toBe(1);
    });

    it('vote-any-log: a vote for a candidate whose log is behind', () => {
      const stored = { hardState: { term: 1, votedFor: null }, snapshot: null, log: [noop(1, 1)] };
      const script = [receive({ type: MSG_VOTE, to: 2, from: 3, term: 1, logTerm: 0, index: 0 })];
      expect(run(null, 2, stored, script)[2].messages[0].summary).toBe('MsgVoteResp t1 rejected');
      expect(run('vote-any-log', 2, stored, script)[2].messages[0].summary).toBe('MsgVoteResp t1 granted');
    });

    it('forget-vote: a second vote in the term after a restart', () => {
      const stored = { hardState: { term: 2, votedFor: 1 }, snapshot: null, log: [] };
      const script = [receive({ type: MSG_VOTE, to: 2, from: 3, term: 2 })];
      expect(run(null, 2, stored, script)[2].messages[0].summary).toBe('MsgVoteResp t2 rejected');
      const mutated = run('forget-vote', 2, stored, script)[2];
      expect(mutated.messages[0].summary).toBe('MsgVoteResp t2 granted');
      expect(mutated.writes).toEqual([{ hardState: { term: 2, votedFor: 3 } }]);
    });

    it('commit-beyond-new: a follower commits its own stale entry past the MsgApp', () => {
      // Node 2 holds a term-1 entry at 2 that the leader of term 2 does not vouch for: the
      // MsgApp carries entry 1 only, with commit 2.
      const stored = { hardState: { term: 1, votedFor: null }, snapshot: null, log: [noop(1, 1), cmd(2, 1, 'stale')] };
      const script = [receive({ type: MSG_APP, to: 2, from: 1, term: 2, entries: [{ term: 1, index: 1 }], commit: 2 })];
      const plain = run(null, 2, stored, script)[2];
      const mutated = run('commit-beyond-new', 2, stored, script)[2];
      expect(plain.applied.map((e: any) => e.index)).toEqual([1]);
      expect(mutated.applied.map((e: any) => e.index)).toEqual([1, 2]);
      expect(mutated.observation.commitIndex).toBe(2);
    });
  });
}
