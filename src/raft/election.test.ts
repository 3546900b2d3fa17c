/**
 * Leader election, pinned rule by rule against the Raft paper's Figure 2 ("Rules for Servers",
 * "RequestVote RPC") and sections 5.1, 5.2 and 5.4.1, in the table-driven style of etcd's
 * raft_paper_test.go. Every expectation is the exact Output of one input.
 */
import { describe, expect, it } from 'vitest';
import type { InstallSnapshot, RaftMessage } from './messages.js';
import { RaftCore } from './node.js';
import type { NodeId, Role, StoredState } from './types.js';
import { ELECTION, HEARTBEAT, ae, aer, boot, candidate, create, elect, fold, isr, logOf, output, rv, rvr, stored } from './test-support.js';

// ---- All Servers: term rules ----------------------------------------------------------------

describe('Figure 2, Rules for All Servers: RPC request or response with term T > currentTerm -> currentTerm = T, convert to follower (5.1)', () => {
  // Node 1 has log [t1] and is at term 1 (follower) or 2 (candidate, leader). Every message is at term 5.
  const makers: Record<Role, () => RaftCore> = {
    follower: () => boot(1, { stored: stored(1, null, [1]) }),
    candidate: () => candidate(1, { stored: stored(1, null, [1]) }),
    leader: () => elect(1, { stored: stored(1, null, [1]) }),
  };
  const messages: { name: string; msg: RaftMessage; reply: RaftMessage | null; leaderId: NodeId | null; resetsTimer: boolean }[] = [
    // A candidate with an empty log is behind node 1, so the vote is refused: only the term moves.
    { name: 'RequestVote', msg: rv(2, 1, 5, 0, 0), reply: rvr(1, 2, 5, false), leaderId: null, resetsTimer: false },
    { name: 'RequestVoteReply', msg: rvr(2, 1, 5, false), reply: null, leaderId: null, resetsTimer: false },
    { name: 'AppendEntries', msg: ae(2, 1, 5, 1, 1), reply: aer(1, 2, 5, true, 1), leaderId: 2, resetsTimer: true },
    { name: 'AppendEntriesReply', msg: aer(2, 1, 5, false), reply: null, leaderId: null, resetsTimer: false },
    { name: 'InstallSnapshotReply', msg: isr(2, 1, 5, 0), reply: null, leaderId: null, resetsTimer: false },
  ];
  const rows = (['follower', 'candidate', 'leader'] as const).flatMap((role) => messages.map((m) => ({ role, ...m })));

  it.each(rows)('$role receiving a term-5 $name', ({ role, msg, reply, leaderId, resetsTimer }) => {
    const n = makers[role]();
    // A deposed leader's pending timer is a heartbeat, so it always gets a fresh election timeout.
    const timer = resetsTimer || role === 'leader' ? { timer: ELECTION } : {};
    expect(n.receive(msg)).toStrictEqual(
      output({ messages: reply === null ? [] : [reply], write: { hardState: { term: 5, votedFor: null } }, ...timer }),
    );
    expect(n.observe()).toStrictEqual({ role: 'follower', term: 5, votedFor: null, commitIndex: 0, lastApplied: 0, leaderId });
  });
});

describe('Figure 2, RequestVote/AppendEntries receiver rule 1: reply false if term < currentTerm (5.1)', () => {
  const makers: Record<Role, () => RaftCore> = {
    follower: () => boot(1, { stored: stored(3, null, [1, 1]) }),
    candidate: () => candidate(1, { stored: stored(2, null, [1, 1]) }), // term 3
    leader: () => elect(1, { stored: stored(2, null, [1, 1]) }), // term 3
  };
  const rows = (['follower', 'candidate', 'leader'] as const).flatMap((role) => [
    // The stale candidate's log is more up-to-date, so only the term can refuse it.
    { role, name: 'RequestVote', msg: rv(2, 1, 2, 9, 2) as RaftMessage, reply: rvr(1, 2, 3, false) as RaftMessage },
    { role, name: 'AppendEntries', msg: ae(2, 1, 2, 0, 0, logOf(2), 9), reply: aer(1, 2, 3, false, 0, 0, 0) },
    {
      role,
      name: 'InstallSnapshot',
      msg: { type: 'InstallSnapshot', from: 2, to: 1, term: 2, snapshot: { lastIncludedIndex: 5, lastIncludedTerm: 2, digest: 0, data: { pairs: [], digest: 0 } } } satisfies InstallSnapshot,
      reply: isr(1, 2, 3, 0),
    },
  ]);

  it.each(rows)('$role rejects a term-2 $name with its term 3, writes nothing, keeps its timer', ({ role, msg, reply }) => {
    const n = makers[role]();
    const before = n.observe();
    expect(n.receive(msg)).toStrictEqual(output({ messages: [reply] }));
    expect(n.observe()).toStrictEqual(before);
    expect(n.entries).toStrictEqual(logOf(1, 1));
  });

  it.each([
    { name: 'candidate ignores a granted RequestVoteReply of an older term', make: makers.candidate, msg: rvr(2, 1, 2, true) as RaftMessage },
    { name: 'leader ignores a successful AppendEntriesReply of an older term', make: makers.leader, msg: aer(2, 1, 2, true, 2) as RaftMessage },
    { name: 'leader ignores a failed AppendEntriesReply of an older term', make: makers.leader, msg: aer(2, 1, 2, false, 0, 0, 1) as RaftMessage },
    { name: 'leader ignores an InstallSnapshotReply of an older term', make: makers.leader, msg: isr(2, 1, 2, 2) as RaftMessage },
  ])('$name', ({ make, msg }) => {
    const n = make();
    const before = n.observe();
    expect(n.receive(msg)).toStrictEqual(output({}));
    expect(n.observe()).toStrictEqual(before);
  });
});

// ---- RequestVote receiver ---------------------------------------------------------------------

describe('Figure 2, RequestVote receiver rule 2: grant if votedFor is null or candidateId, and log is up-to-date', () => {
  it.each([
    { name: 'no vote yet in the term: granted', st: stored(2, null), from: 2, term: 2, granted: true, votedFor: 2 },
    { name: 'already voted for the same candidate: granted again', st: stored(2, 2), from: 2, term: 2, granted: true, votedFor: 2 },
    { name: 'already voted for another candidate: refused', st: stored(2, 2), from: 3, term: 2, granted: false, votedFor: 2 },
    { name: 'voted for itself (restarted candidate): refused', st: stored(2, 1), from: 3, term: 2, granted: false, votedFor: 1 },
  ])('$name', ({ st, from, term, granted, votedFor }) => {
    const n = boot(1, { stored: st });
    // A granted vote is durable in the same output as the reply and resets the election timer.
    const effects = granted ? { write: { hardState: { term, votedFor } }, timer: ELECTION } : {};
    expect(n.receive(rv(from, 1, term, 0, 0))).toStrictEqual(output({ messages: [rvr(1, from, term, granted)], ...effects }));
    expect(n.observe().votedFor).toBe(votedFor);
  });

  it('one vote per term, in sequence: grant 2, refuse 3, grant 2 again; a new term frees the vote', () => {
    const n = boot(1);
    expect(n.receive(rv(2, 1, 1, 0, 0))).toStrictEqual(
      output({ messages: [rvr(1, 2, 1, true)], write: { hardState: { term: 1, votedFor: 2 } }, timer: ELECTION }),
    );
    expect(n.receive(rv(3, 1, 1, 0, 0))).toStrictEqual(output({ messages: [rvr(1, 3, 1, false)] }));
    expect(n.receive(rv(2, 1, 1, 0, 0))).toStrictEqual(
      output({ messages: [rvr(1, 2, 1, true)], write: { hardState: { term: 1, votedFor: 2 } }, timer: ELECTION }),
    );
    expect(n.receive(rv(3, 1, 2, 0, 0))).toStrictEqual(
      output({ messages: [rvr(1, 3, 2, true)], write: { hardState: { term: 2, votedFor: 3 } }, timer: ELECTION }),
    );
  });

  it('a candidate has voted for itself and refuses another candidate of its term', () => {
    const n = candidate(1); // term 1
    expect(n.receive(rv(3, 1, 1, 0, 0))).toStrictEqual(output({ messages: [rvr(1, 3, 1, false)] }));
    expect(n.observe().role).toBe('candidate');
  });

  it('a leader refuses a candidate of its own term', () => {
    const n = elect(1); // term 1
    expect(n.receive(rv(3, 1, 1, 5, 1))).toStrictEqual(output({ messages: [rvr(1, 3, 1, false)] }));
    expect(n.observe().role).toBe('leader');
  });
});

describe('5.4.1 election restriction: the candidate log must be at least as up-to-date (last term, then last index)', () => {
  // The voter's log is [t1, t2, t2]: last index 3, last term 2. The request is at term 3.
  it.each([
    { lastLogIndex: 1, lastLogTerm: 3, granted: true, why: 'higher last term wins although shorter' },
    { lastLogIndex: 9, lastLogTerm: 1, granted: false, why: 'lower last term loses although longer' },
    { lastLogIndex: 3, lastLogTerm: 2, granted: true, why: 'same last term and same length' },
    { lastLogIndex: 4, lastLogTerm: 2, granted: true, why: 'same last term, longer' },
    { lastLogIndex: 2, lastLogTerm: 2, granted: false, why: 'same last term, shorter' },
    { lastLogIndex: 0, lastLogTerm: 0, granted: false, why: 'empty log' },
  ])('candidate ($lastLogIndex, t$lastLogTerm): granted=$granted, $why', ({ lastLogIndex, lastLogTerm, granted }) => {
    const n = boot(1, { stored: stored(2, null, [1, 2, 2]) });
    // The higher term is adopted (and persisted) whether or not the vote is granted.
    expect(n.receive(rv(2, 1, 3, lastLogIndex, lastLogTerm))).toStrictEqual(
      output({
        messages: [rvr(1, 2, 3, granted)],
        write: { hardState: { term: 3, votedFor: granted ? 2 : null } },
        ...(granted ? { timer: ELECTION } : {}),
      }),
    );
  });
});

describe('Figure 2 "Persistent state on all servers": votedFor survives a restart', () => {
  it('a restarted node does not vote for a second candidate in the same term', () => {
    const first = create(1);
    let disk: StoredState | null = null;
    disk = fold(disk, first.start().write);
    const granted = first.receive(rv(2, 1, 4, 0, 0));
    expect(granted.messages).toStrictEqual([rvr(1, 2, 4, true)]);
    disk = fold(disk, granted.write);
    expect(disk).toStrictEqual({ hardState: { term: 4, votedFor: 2 }, snapshot: null, log: [] });

    const second = create(1, { stored: disk });
    expect(second.start()).toStrictEqual(output({ timer: ELECTION }));
    expect(second.observe()).toStrictEqual({ role: 'follower', term: 4, votedFor: 2, commitIndex: 0, lastApplied: 0, leaderId: null });
    expect(second.receive(rv(3, 1, 4, 0, 0))).toStrictEqual(output({ messages: [rvr(1, 3, 4, false)] }));
    expect(second.receive(rv(2, 1, 4, 0, 0))).toStrictEqual(
      output({ messages: [rvr(1, 2, 4, true)], write: { hardState: { term: 4, votedFor: 2 } }, timer: ELECTION }),
    );
  });
});

// ---- Candidates -------------------------------------------------------------------------------

describe('Figure 2, Rules for Followers/Candidates: election timeout -> increment term, vote for self, send RequestVote (5.2)', () => {
  it.each([
    { name: 'first boot', st: null, term: 1, lastLogIndex: 0, lastLogTerm: 0 },
    { name: 'had voted for another node', st: stored(4, 3, [1, 1, 3]), term: 5, lastLogIndex: 3, lastLogTerm: 3 },
    { name: 'log ends in an older term', st: stored(7, null, [1, 2]), term: 8, lastLogIndex: 2, lastLogTerm: 2 },
  ])('follower ($name) -> candidate of term $term', ({ st, term, lastLogIndex, lastLogTerm }) => {
    const n = boot(1, { stored: st });
    expect(n.tick()).toStrictEqual(
      output({
        messages: [rv(1, 2, term, lastLogIndex, lastLogTerm), rv(1, 3, term, lastLogIndex, lastLogTerm)],
        write: { hardState: { term, votedFor: 1 } },
        // A candidate wakes at heartbeat pace to retry unanswered requests (5.1).
        timer: HEARTBEAT,
      }),
    );
    expect(n.observe()).toStrictEqual({ role: 'candidate', term, votedFor: 1, commitIndex: 0, lastApplied: 0, leaderId: null });
  });

  it('a candidate retries RequestVote to peers that have not answered, at heartbeat pace (5.1)', () => {
    const n = candidate(1); // term 1, election timeout 150 ms
    n.receive(rvr(2, 1, 1, false));
    expect(n.tick()).toStrictEqual(output({ messages: [rv(1, 3, 1, 0, 0)], timer: HEARTBEAT }));
    expect(n.observe().term).toBe(1);
  });

  it('a candidate whose election times out starts a new election in the next term', () => {
    const n = candidate(1); // term 1, election timeout 150 ms = three heartbeat waits
    n.tick();
    n.tick();
    expect(n.tick()).toStrictEqual(
      output({ messages: [rv(1, 2, 2, 0, 0), rv(1, 3, 2, 0, 0)], write: { hardState: { term: 2, votedFor: 1 } }, timer: HEARTBEAT }),
    );
  });

  it('3 nodes: one granted vote is a majority -> leader, empty AppendEntries to every peer, heartbeat timer', () => {
    const n = candidate(1, { stored: stored(2, null, [1, 1, 2]) }); // term 3
    expect(n.receive(rvr(2, 1, 3, true))).toStrictEqual(
      output({ messages: [ae(1, 2, 3, 3, 2, [], 0), ae(1, 3, 3, 3, 2, [], 0)], timer: HEARTBEAT }),
    );
    expect(n.observe()).toStrictEqual({ role: 'leader', term: 3, votedFor: 1, commitIndex: 0, lastApplied: 0, leaderId: 1 });
  });

  it('5 nodes: refusals and duplicate grants do not count; the third vote (with its own) wins', () => {
    const cluster = [1, 2, 3, 4, 5];
    const n = candidate(1, { cluster }); // term 1
    expect(n.receive(rvr(2, 1, 1, true))).toStrictEqual(output({}));
    expect(n.receive(rvr(2, 1, 1, true))).toStrictEqual(output({}));
    expect(n.receive(rvr(3, 1, 1, false))).toStrictEqual(output({}));
    expect(n.observe().role).toBe('candidate');
    expect(n.receive(rvr(4, 1, 1, true))).toStrictEqual(
      output({ messages: [2, 3, 4, 5].map((p) => ae(1, p, 1, 0, 0)), timer: HEARTBEAT }),
    );
    expect(n.observe().role).toBe('leader');
    // Late votes change nothing.
    expect(n.receive(rvr(5, 1, 1, true))).toStrictEqual(output({}));
  });

  it('a vote reply reaching a follower (election lost) is ignored', () => {
    const n = candidate(1); // term 1
    n.receive(ae(2, 1, 1, 0, 0));
    expect(n.receive(rvr(3, 1, 1, true))).toStrictEqual(output({}));
    expect(n.observe().role).toBe('follower');
  });

  it('single-node cluster: the first tick makes it leader; a proposal commits at once', () => {
    const n = create(1, { cluster: [1] });
    expect(n.start()).toStrictEqual(output({ timer: ELECTION }));
    expect(n.tick()).toStrictEqual(output({ write: { hardState: { term: 1, votedFor: 1 } }, timer: HEARTBEAT }));
    expect(n.observe()).toStrictEqual({ role: 'leader', term: 1, votedFor: 1, commitIndex: 0, lastApplied: 0, leaderId: 1 });
    const out = n.propose({ id: 'c1', key: 'k', value: 'v' });
    expect(out.proposal).toStrictEqual({ accepted: true, index: 1, term: 1 });
    expect(out.applied.map((a) => a.index)).toStrictEqual([1]);
    expect(n.observe().commitIndex).toBe(1);
  });

  it('Figure 2 Candidates: AppendEntries from the new leader of the same term -> follower', () => {
    const n = candidate(1); // term 1
    expect(n.receive(ae(3, 1, 1, 0, 0))).toStrictEqual(output({ messages: [aer(1, 3, 1, true, 0)], timer: ELECTION }));
    expect(n.observe()).toStrictEqual({ role: 'follower', term: 1, votedFor: 1, commitIndex: 0, lastApplied: 0, leaderId: 3 });
  });
});

describe('Figure 2, Rules for Leaders: heartbeats during idle periods', () => {
  it('a leader tick sends AppendEntries to every peer and re-arms the heartbeat', () => {
    const n = elect(1, { stored: stored(1, null, [1]) }); // term 2
    expect(n.tick()).toStrictEqual(output({ messages: [ae(1, 2, 2, 1, 1), ae(1, 3, 2, 1, 1)], timer: HEARTBEAT }));
  });

  it('a follower that hears from the leader resets its election timer, also on a rejected AppendEntries', () => {
    const n = boot(1, { stored: stored(1, null) });
    expect(n.receive(ae(2, 1, 1, 0, 0))).toStrictEqual(output({ messages: [aer(1, 2, 1, true)], timer: ELECTION }));
    expect(n.receive(ae(2, 1, 1, 4, 1))).toStrictEqual(output({ messages: [aer(1, 2, 1, false, 0, 0, 1)], timer: ELECTION }));
  });
});
