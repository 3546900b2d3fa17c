import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { buildEtcdAdapter } from './build.js';
import { etcdAdapter } from './test-support.js';

const adapter = etcdAdapter();

/** Feeds request lines to a fresh adapter process; its response lines and exit. */
function talk(binary: string, args: readonly string[], requests: readonly object[]): { lines: any[]; status: number | null; stderr: string } {
  const r = spawnSync(binary, args, { input: requests.map((q) => JSON.stringify(q) + '\n').join(''), encoding: 'utf8' });
  return { lines: r.stdout.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l)), status: r.status, stderr: r.stderr };
}

const timing = { electionTimeoutMinMs: 150, electionTimeoutMaxMs: 300, heartbeatMs: 50 };
const create = (instance: number, stored: object | null = null) => ({ type: 'create', instance, node: 1, cluster: [1, 2, 3], timing, snapshotThreshold: 0, seed: 7, stored });
/** A node alone on ticks: after its randomized timeout (3-5 ticks of 50 ms) it campaigns. */
const campaign = [{ type: 'hello', protocol: 1, driver: 'test' }, { type: 'reset' }, create(1), { type: 'start', instance: 1 }, ...Array.from({ length: 8 }, () => ({ type: 'tick', instance: 1 }))];

describe('the build', () => {
  it('says what to install when Go or the etcd source is missing', () => {
    const noGo = buildEtcdAdapter({ go: 'raft-check-no-such-go' });
    expect(noGo).toMatchObject({ kind: 'missing' });
    expect(noGo.kind === 'missing' && noGo.reason).toContain('apt-get install -y golang-go golang-etcd-server-dev');
    if (adapter.skip !== null) return; // with Go missing, the source check cannot be reached
    const noSource = buildEtcdAdapter({ gopath: '/nonexistent-gopath' });
    expect(noSource.kind === 'missing' && noSource.reason).toMatch(/^etcd's raft source is not installed \(no \/nonexistent-gopath\/src\/go\.etcd\.io\/etcd\/raft\/.*apt-get install/);
  });
});

if (adapter.skip !== null) {
  it.skip(`etcd raft adapter: skipped because ${adapter.skip}`, () => {});
} else {
  const bin = adapter.binary;

  describe('the etcd raft adapter process', () => {
    it('names etcd, its version and its options in hello', () => {
      expect(talk(bin, [], campaign.slice(0, 1)).lines[0]).toEqual({ type: 'hello', protocol: 1, name: 'etcd raft 3.4.23' });
      const named = talk(bin, ['-pre-vote', '-check-quorum', '-mutation', 'forget-vote'], campaign.slice(0, 1)).lines[0];
      expect(named.name).toBe('etcd raft 3.4.23 (pre-vote, check-quorum, mutation forget-vote)');
    });

    it('campaigns on its own ticks, writing its vote before it asks for votes', () => {
      const { lines } = talk(bin, [], campaign);
      const vote = lines.find((l) => l.messages?.length > 0);
      expect(vote.writes).toEqual([{ hardState: { term: 1, votedFor: 1 } }]);
      expect(vote.messages.map((m: any) => [m.type, m.to, m.summary])).toEqual([
        ['MsgVote', 2, 'MsgVote t1 last 0/0'],
        ['MsgVote', 3, 'MsgVote t1 last 0/0'],
      ]);
      expect(vote.timer).toBe(50);
      expect(vote.observation).toEqual({ role: 'candidate', term: 1, votedFor: 1, commitIndex: 0, lastApplied: 0, leaderId: null });
    });

    it('gives the same bytes for the same requests, and after a reset', () => {
      const once = talk(bin, [], campaign).lines;
      const twice = talk(bin, [], [...campaign, ...campaign.slice(1)]).lines;
      expect(twice.slice(0, once.length)).toEqual(once);
      expect(twice.slice(once.length)).toEqual(once.slice(1));
    });

    it('answers a dropped proposal with no leader to hint at', () => {
      const { lines } = talk(bin, [], [create(1), { type: 'start', instance: 1 }, { type: 'propose', instance: 1, command: { id: 'c1', key: 'k', value: 'v' } }]);
      expect(lines[2].proposal).toEqual({ accepted: false, leaderHint: null });
    });

    it('turns a panic inside etcd into an error with panic: true, and keeps serving', () => {
      const gap = { hardState: { term: 2, votedFor: 1 }, snapshot: null, log: [{ index: 3, term: 1, command: null }] };
      const { lines, status } = talk(bin, [], [create(1, gap), { type: 'observe', instance: 1 }, create(2), { type: 'observe', instance: 2 }]);
      expect(lines[0]).toMatchObject({ type: 'error', panic: true, message: 'panic: missing log entry [last: 0, append at: 3]' });
      expect(lines[1]).toEqual({ type: 'error', message: 'observe: no instance 1' });
      expect(lines[3]).toMatchObject({ type: 'observation', role: 'follower', term: 0 });
      expect(status).toBe(0);
    });

    it('restarts from stored state: the vote, the log, and the snapshot restored', () => {
      const stored = {
        hardState: { term: 3, votedFor: 2 },
        snapshot: { lastIncludedIndex: 2, lastIncludedTerm: 1, data: { index: 2, term: 1, kv: { k: 'v2' } } },
        log: [{ index: 3, term: 2, command: { id: 'c3', key: 'k', value: 'v3' } }],
      };
      const { lines } = talk(bin, [], [create(1, stored), { type: 'start', instance: 1 }]);
      expect(lines[1]).toMatchObject({ restored: { index: 2, term: 1 }, observation: { role: 'follower', term: 3, votedFor: 2, commitIndex: 2, lastApplied: 2 } });
      const forgot = talk(bin, ['-mutation', 'forget-vote'], [create(1, stored), { type: 'start', instance: 1 }]).lines;
      expect(forgot[1].observation).toMatchObject({ term: 3, votedFor: null });
    });

    it('refuses an unknown mutation with one line and exit 2', () => {
      const r = talk(bin, ['-mutation', 'no-such'], []);
      expect(r.status).toBe(2);
      expect(r.stderr).toBe('raft-check-etcd: unknown mutation "no-such" (known: commit-beyond-new, commit-old-term, forget-vote, vote-any-log)\n');
    });
  });
}
