/**
 * Log replication, pinned against Figure 2's "AppendEntries RPC" receiver rules and "Rules for
 * Leaders", section 5.3 (with the conflict-term back-up hint) and section 5.4.2 / Figure 8 (commit
 * only current-term entries by counting replicas). Table-driven in the style of etcd's
 * raft_paper_test.go; every expectation is the exact Output of one input.
 */
import { describe, expect, it } from 'vitest';
import type { AppendEntries, AppendEntriesReply } from './messages.js';
import { RaftCore } from './node.js';
import type { BugName } from './bugs.js';
import type { Entry } from './types.js';
import { ELECTION, HEARTBEAT, ae, aer, appliedOf, boot, elect, ent, fold, logOf, output, stored } from './test-support.js';

// ---- AppendEntries receiver ---------------------------------------------------------------------

/** Follower 1 at term 3 with log [t1, t1, t2, t2, t2]; the leader is node 2. */
const FOLLOWER_LOG = [1, 1, 2, 2, 2];
const follower = (): RaftCore => boot(1, { stored: stored(3, 2, FOLLOWER_LOG) });

describe('Figure 2, AppendEntries receiver rule 2: reply false if log has no entry at prevLogIndex whose term matches prevLogTerm (5.3)', () => {
  it.each([
    { prev: [0, 0], success: true, matchIndex: 0, conflictTerm: 0, conflictIndex: 0, why: 'the empty prefix always matches' },
    { prev: [2, 1], success: true, matchIndex: 2, conflictTerm: 0, conflictIndex: 0, why: 'match in the middle' },
    { prev: [5, 2], success: true, matchIndex: 5, conflictTerm: 0, conflictIndex: 0, why: 'match at the end' },
    { prev: [6, 2], success: false, matchIndex: 0, conflictTerm: 0, conflictIndex: 6, why: 'missing index: conflictIndex = lastIndex + 1' },
    { prev: [9, 3], success: false, matchIndex: 0, conflictTerm: 0, conflictIndex: 6, why: 'far past the end: still lastIndex + 1' },
    { prev: [4, 3], success: false, matchIndex: 0, conflictTerm: 2, conflictIndex: 3, why: 'term mismatch: conflictTerm 2, its first index 3' },
    { prev: [5, 3], success: false, matchIndex: 0, conflictTerm: 2, conflictIndex: 3, why: 'term mismatch at the last index' },
    { prev: [2, 2], success: false, matchIndex: 0, conflictTerm: 1, conflictIndex: 1, why: 'term mismatch in the first term' },
  ])('prev ($prev): success=$success, $why', ({ prev, success, matchIndex, conflictTerm, conflictIndex }) => {
    const n = follower();
    expect(n.receive(ae(2, 1, 3, prev[0], prev[1], [], 0))).toStrictEqual(
      output({ messages: [aer(1, 2, 3, success, matchIndex, conflictTerm, conflictIndex)], timer: ELECTION }),
    );
    expect(n.entries).toStrictEqual(logOf(...FOLLOWER_LOG));
  });
});

describe('Figure 2, AppendEntries receiver rules 3-4: delete a conflicting entry and all that follow it; append any new entries', () => {
  it.each([
    { name: 'new entries after a match', prev: [5, 2], entries: [ent(6, 3), ent(7, 3)], write: { append: [ent(6, 3), ent(7, 3)] }, log: [1, 1, 2, 2, 2, 3, 3], matchIndex: 7 },
    { name: 'conflict right after prev', prev: [2, 1], entries: [ent(3, 3)], write: { truncateFrom: 3, append: [ent(3, 3)] }, log: [1, 1, 3], matchIndex: 3 },
    { name: 'conflict inside the batch', prev: [2, 1], entries: [ent(3, 2), ent(4, 3), ent(5, 3)], write: { truncateFrom: 4, append: [ent(4, 3), ent(5, 3)] }, log: [1, 1, 2, 3, 3], matchIndex: 5 },
    { name: 'conflict at index 1', prev: [0, 0], entries: [ent(1, 3)], write: { truncateFrom: 1, append: [ent(1, 3)] }, log: [3], matchIndex: 1 },
    { name: 'partial overlap: only the new suffix is appended', prev: [4, 2], entries: [ent(5, 2), ent(6, 3)], write: { append: [ent(6, 3)] }, log: [1, 1, 2, 2, 2, 3], matchIndex: 6 },
    // "If an existing entry conflicts with a new one": a matching stale or duplicated batch must not truncate.
    { name: 'stale batch that matches: no truncation', prev: [1, 1], entries: [ent(2, 1), ent(3, 2)], write: undefined, log: FOLLOWER_LOG, matchIndex: 3 },
    { name: 'duplicate of the whole log: no truncation', prev: [0, 0], entries: logOf(...FOLLOWER_LOG), write: undefined, log: FOLLOWER_LOG, matchIndex: 5 },
    { name: 'stale heartbeat in the middle: no truncation', prev: [3, 2], entries: [], write: undefined, log: FOLLOWER_LOG, matchIndex: 3 },
  ])('$name', ({ prev, entries, write, log, matchIndex }) => {
    const n = follower();
    let disk = stored(3, 2, FOLLOWER_LOG);
    const out = n.receive(ae(2, 1, 3, prev[0], prev[1], entries, 0));
    expect(out).toStrictEqual(output({ messages: [aer(1, 2, 3, true, matchIndex)], timer: ELECTION, ...(write === undefined ? {} : { write }) }));
    expect(n.entries).toStrictEqual(logOf(...log));
    // The write takes storage to exactly the in-memory log.
    disk = fold(disk, out.write);
    expect(disk.log).toStrictEqual(logOf(...log));
  });

  it('a delayed copy of an earlier AppendEntries arriving after a later one does not truncate the later entries', () => {
    const n = boot(1, { stored: stored(1, 2) });
    const early = ae(2, 1, 1, 0, 0, [ent(1, 1)], 0);
    const late = ae(2, 1, 1, 1, 1, [ent(2, 1), ent(3, 1)], 0);
    expect(n.receive(early).write).toStrictEqual({ append: [ent(1, 1)] });
    expect(n.receive(late).write).toStrictEqual({ append: [ent(2, 1), ent(3, 1)] });
    expect(n.receive(early)).toStrictEqual(output({ messages: [aer(1, 2, 1, true, 1)], timer: ELECTION }));
    expect(n.entries).toStrictEqual(logOf(1, 1, 1));
  });

  it('messages are values: the receiver does not mutate the AppendEntries it got', () => {
    const n = follower();
    const m = ae(2, 1, 3, 2, 1, [ent(3, 3), ent(4, 3)], 4);
    const copy = structuredClone(m);
    n.receive(m);
    expect(m).toStrictEqual(copy);
  });
});

describe('Figure 2, AppendEntries receiver rule 5: if leaderCommit > commitIndex, commitIndex = min(leaderCommit, index of last new entry)', () => {
  it.each([
    { prev: [5, 2], entries: [] as Entry[], leaderCommit: 3, commit: 3, why: 'leaderCommit is the smaller' },
    { prev: [2, 1], entries: [] as Entry[], leaderCommit: 10, commit: 2, why: 'the last new entry of a heartbeat is prevLogIndex' },
    { prev: [5, 2], entries: [ent(6, 3)], leaderCommit: 10, commit: 6, why: 'the last new entry is the last one sent' },
    { prev: [1, 1], entries: [ent(2, 1), ent(3, 2)], leaderCommit: 10, commit: 3, why: 'a stale batch vouches only for its own entries' },
    { prev: [0, 0], entries: [] as Entry[], leaderCommit: 4, commit: 0, why: 'nothing vouched for' },
    { prev: [5, 2], entries: [] as Entry[], leaderCommit: 0, commit: 0, why: 'nothing committed yet' },
  ])('prev ($prev) + $entries.length entries, leaderCommit $leaderCommit -> commitIndex $commit ($why)', ({ prev, entries, leaderCommit, commit }) => {
    const n = follower();
    const log = [...logOf(...FOLLOWER_LOG).slice(0, prev[0]), ...entries];
    const out = n.receive(ae(2, 1, 3, prev[0], prev[1], entries, leaderCommit));
    expect(out.applied).toStrictEqual(appliedOf(log, 1, commit));
    expect(n.observe()).toMatchObject({ commitIndex: commit, lastApplied: commit });
  });

  it('commitIndex never decreases, and each entry is applied once, in order, with its digest', () => {
    const n = follower();
    const log = logOf(...FOLLOWER_LOG);
    expect(n.receive(ae(2, 1, 3, 5, 2, [], 4)).applied).toStrictEqual(appliedOf(log, 1, 4));
    // A lower leaderCommit (reordered message) leaves it.
    expect(n.receive(ae(2, 1, 3, 5, 2, [], 2))).toStrictEqual(output({ messages: [aer(1, 2, 3, true, 5)], timer: ELECTION }));
    // A higher leaderCommit on a short stale batch: min(5, 1) = 1 < 4 leaves it too.
    expect(n.receive(ae(2, 1, 3, 1, 1, [], 5))).toStrictEqual(output({ messages: [aer(1, 2, 3, true, 1)], timer: ELECTION }));
    expect(n.observe()).toMatchObject({ commitIndex: 4, lastApplied: 4 });
    // The next commit applies only the new entry.
    expect(n.receive(ae(2, 1, 3, 5, 2, [], 5)).applied).toStrictEqual(appliedOf(log, 5, 5));
    expect(n.receive(ae(2, 1, 3, 5, 2, [], 5)).applied).toStrictEqual([]);
    expect(n.observe()).toMatchObject({ commitIndex: 5, lastApplied: 5 });
  });

  it('a rejected AppendEntries commits nothing', () => {
    const n = follower();
    expect(n.receive(ae(2, 1, 3, 6, 3, [ent(7, 3)], 7))).toStrictEqual(
      output({ messages: [aer(1, 2, 3, false, 0, 0, 6)], timer: ELECTION }),
    );
    expect(n.observe().commitIndex).toBe(0);
  });

  it('digests chain over (index, term, command id): same entries give the same digests on two nodes', () => {
    const a = follower();
    const b = boot(2, { stored: stored(3, 2, FOLLOWER_LOG) });
    const da = a.receive(ae(2, 1, 3, 5, 2, [], 5)).applied;
    const db = b.receive(ae(3, 2, 3, 5, 2, [], 5)).applied;
    expect(da).toStrictEqual(db);
    expect(new Set(da.map((x) => x.digest)).size).toBe(5);
  });
});

// ---- Leaders ----------------------------------------------------------------------------------

describe('Figure 2, Rules for Leaders: replicate from nextIndex, advance matchIndex/nextIndex on success', () => {
  it('an exact exchange: propose, first ack, entries sent, commit on majority, heartbeat carries leaderCommit', () => {
    const l = elect(1); // term 1, empty log
    const c1 = { id: 'c1', key: 'a', value: '1' };
    const c2 = { id: 'c2', key: 'b', value: '2' };
    const e1: Entry = { index: 1, term: 1, command: c1 };
    const e2: Entry = { index: 2, term: 1, command: c2 };
    // Peers have not acknowledged yet: the entry waits for the next heartbeat or ack.
    expect(l.propose(c1)).toStrictEqual(output({ write: { append: [e1] }, proposal: { accepted: true, index: 1, term: 1 } }));
    // Node 2 acks the election heartbeat (matchIndex 0): nextIndex 1 <= lastIndex, so entry 1 goes out.
    expect(l.receive(aer(2, 1, 1, true, 0))).toStrictEqual(output({ messages: [ae(1, 2, 1, 0, 0, [e1], 0)] }));
    // Node 2 has entry 1: with the leader that is 2 of 3.
    expect(l.receive(aer(2, 1, 1, true, 1))).toStrictEqual(output({ applied: appliedOf([e1], 1, 1) }));
    expect(l.observe().commitIndex).toBe(1);
    // Node 2 is replicating, so a proposal goes to it at once; node 3 is not.
    expect(l.propose(c2)).toStrictEqual(
      output({ messages: [ae(1, 2, 1, 1, 1, [e2], 1)], write: { append: [e2] }, proposal: { accepted: true, index: 2, term: 1 } }),
    );
    // Heartbeat: entry 2 to node 2 is still unacknowledged, so it goes again from the match;
    // node 3 is still at nextIndex 1.
    expect(l.tick()).toStrictEqual(output({ messages: [ae(1, 2, 1, 1, 1, [e2], 1), ae(1, 3, 1, 0, 0, [e1, e2], 1)], timer: HEARTBEAT }));
    expect(l.receive(aer(3, 1, 1, true, 2))).toStrictEqual(output({ applied: appliedOf([e1, e2], 2, 2) }));
    // A reordered, older ack does not move matchIndex back.
    expect(l.receive(aer(3, 1, 1, true, 1))).toStrictEqual(output({}));
    expect(l.observe().commitIndex).toBe(2);
  });

  it('proposals on a non-leader are refused with a leader hint', () => {
    const c = { id: 'x', key: 'k', value: 'v' };
    const fresh = boot(1);
    expect(fresh.propose(c)).toStrictEqual(output({ proposal: { accepted: false, leaderHint: null } }));
    fresh.receive(ae(2, 1, 1, 0, 0));
    expect(fresh.propose(c)).toStrictEqual(output({ proposal: { accepted: false, leaderHint: 2 } }));
    const cand = boot(1);
    cand.tick();
    expect(cand.propose(c)).toStrictEqual(output({ proposal: { accepted: false, leaderHint: null } }));
    const deposed = elect(1); // term 1
    deposed.receive(ae(3, 1, 2, 0, 0));
    expect(deposed.propose(c)).toStrictEqual(output({ proposal: { accepted: false, leaderHint: 3 } }));
    expect(deposed.entries).toStrictEqual([]);
  });
});

describe('5.3 back-up: after a rejection, nextIndex uses the conflict hint (never below 1)', () => {
  // Figure 7's leader: log [1,1,1,4,4,5,5,6,6,6], elected in term 8, so nextIndex starts at 11.
  const LEADER_LOG = [1, 1, 1, 4, 4, 5, 5, 6, 6, 6];
  const leader = (): RaftCore => elect(1, { stored: stored(7, null, LEADER_LOG) });
  const L = logOf(...LEADER_LOG);
  const expectedAppend = (next: number) => ae(1, 2, 8, next - 1, next === 1 ? 0 : LEADER_LOG[next - 2], L.slice(next - 1), 0);

  it.each([
    { hint: [0, 10], next: 10, why: 'short follower: conflictIndex' },
    { hint: [0, 5], next: 5, why: 'much shorter follower: conflictIndex' },
    { hint: [4, 4], next: 6, why: 'conflictTerm 4 is in the leader log: last index of term 4 + 1' },
    { hint: [1, 1], next: 4, why: 'conflictTerm 1 is in the leader log: last index of term 1 + 1' },
    { hint: [3, 7], next: 7, why: 'conflictTerm 3 is not in the leader log: conflictIndex' },
    { hint: [2, 4], next: 4, why: 'conflictTerm 2 is not in the leader log: conflictIndex' },
    { hint: [0, 0], next: 1, why: 'never below 1' },
  ])('hint (conflictTerm $hint.0, conflictIndex $hint.1) -> nextIndex $next ($why)', ({ hint, next }) => {
    const l = leader();
    expect(l.receive(aer(2, 1, 8, false, 0, hint[0], hint[1]))).toStrictEqual(output({ messages: [expectedAppend(next)] }));
  });

  it('a chain of rejections walks a divergent follower back to the match, then it catches up', () => {
    // Figure 7 (f): follower log [1,1,1,2,2,2,3,3,3,3,3].
    const l = leader();
    const f = boot(2, { stored: stored(3, null, [1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3]) });
    let toF = ae(1, 2, 8, 10, 6, [], 0);
    const seen: number[] = [];
    for (let i = 0; i < 5; i++) {
      const reply = f.receive(toF).messages[0] as AppendEntriesReply;
      if (reply.success) break;
      const out = l.receive(reply);
      toF = out.messages[0] as AppendEntries;
      seen.push(toF.prevLogIndex);
    }
    // term 3 is unknown to the leader -> conflictIndex 7 (prev 6); then term 2 -> conflictIndex 4 (prev 3), which matches.
    expect(seen).toStrictEqual([6, 3]);
    expect(f.entries).toStrictEqual(L);
  });

  it('a stale rejection (its hint at or below matchIndex) is ignored: no resend of entries in flight', () => {
    const l = leader();
    l.receive(aer(2, 1, 8, false, 0, 0, 6));
    expect(l.receive(aer(2, 1, 8, true, 10))).toStrictEqual(output({}));
    expect(l.receive(aer(2, 1, 8, false, 0, 0, 1))).toStrictEqual(output({}));
  });
});

describe('Figure 2, Rules for Leaders: commit N only if a majority has matchIndex >= N and log[N].term == currentTerm (5.4.2, Figure 8)', () => {
  // Leader 1 was elected in term 4 with log [t1, t2]: entry 2 is from an earlier term.
  const figure8 = (bug: BugName | null = null): RaftCore => elect(1, { stored: stored(3, null, [1, 2]), bug });

  it('a previous-term entry on every node is not committed by counting replicas', () => {
    const l = figure8();
    expect(l.receive(aer(2, 1, 4, true, 2))).toStrictEqual(output({}));
    expect(l.receive(aer(3, 1, 4, true, 2))).toStrictEqual(output({}));
    expect(l.observe().commitIndex).toBe(0);
  });

  it('a current-term entry on a majority commits it and, with it, every earlier entry', () => {
    const l = figure8();
    l.receive(aer(2, 1, 4, true, 2));
    l.receive(aer(3, 1, 4, true, 2));
    const c = { id: 'c3', key: 'k', value: 'v' };
    const e3: Entry = { index: 3, term: 4, command: c };
    expect(l.propose(c)).toStrictEqual(
      output({ messages: [ae(1, 2, 4, 2, 2, [e3], 0), ae(1, 3, 4, 2, 2, [e3], 0)], write: { append: [e3] }, proposal: { accepted: true, index: 3, term: 4 } }),
    );
    expect(l.receive(aer(2, 1, 4, true, 3))).toStrictEqual(output({ applied: appliedOf([...logOf(1, 2), e3], 1, 3) }));
    expect(l.observe().commitIndex).toBe(3);
  });

  it.each([
    { acks: [2], committed: false },
    { acks: [2, 3], committed: true },
    { acks: [4, 5], committed: true },
    { acks: [2, 2], committed: false },
  ])('5 nodes: leader + acks from $acks -> committed=$committed', ({ acks, committed }) => {
    const l = elect(1, { cluster: [1, 2, 3, 4, 5] }); // term 1
    for (const p of [2, 3, 4, 5]) l.receive(aer(p, 1, 1, true, 0));
    l.propose({ id: 'c1', key: 'k', value: 'v' });
    for (const p of acks) l.receive(aer(p, 1, 1, true, 1));
    expect(l.observe().commitIndex).toBe(committed ? 1 : 0);
  });
});
