/**
 * Log compaction (paper section 7, Figure 13 InstallSnapshot receiver): snapshots taken at the
 * threshold, InstallSnapshot keeping or discarding the log, stale snapshots ignored, and
 * AppendEntries that reach below a follower's snapshot.
 */
import { describe, expect, it } from 'vitest';
import { RaftCore } from './node.js';
import { ELECTION, HEARTBEAT, ae, aer, appliedOf, boot, cmd, create, ent, fold, is, isr, logOf, output, rvr, snapOf, stored } from './test-support.js';

// ---- taking snapshots -------------------------------------------------------------------------

describe('Section 7: with snapshotThreshold N a node snapshots once N applied entries sit in its log', () => {
  it('follower, threshold 3: snapshot at 3 in the same write as the append; none at 5; the next at 6', () => {
    const log = logOf(1, 1, 1, 1, 1, 1);
    const n = boot(1, { stored: stored(1, 2), snapshotThreshold: 3 });
    let disk = stored(1, 2);
    let out = n.receive(ae(2, 1, 1, 0, 0, log.slice(0, 5), 2));
    // Two applied entries are below the threshold.
    expect(out).toStrictEqual(output({ messages: [aer(1, 2, 1, true, 5)], applied: appliedOf(log, 1, 2), write: { append: log.slice(0, 5) }, timer: ELECTION }));
    disk = fold(disk, out.write);
    out = n.receive(ae(2, 1, 1, 5, 1, [], 3));
    expect(out).toStrictEqual(output({ messages: [aer(1, 2, 1, true, 5)], applied: appliedOf(log, 3, 3), write: { snapshot: snapOf(log, 3) }, timer: ELECTION }));
    disk = fold(disk, out.write);
    expect(disk).toStrictEqual({ hardState: { term: 1, votedFor: 2 }, snapshot: snapOf(log, 3), log: log.slice(3, 5) });
    // 4 and 5 applied: only 2 past the snapshot.
    out = n.receive(ae(2, 1, 1, 5, 1, [], 5));
    expect(out.write).toBeUndefined();
    expect(out.applied).toStrictEqual(appliedOf(log, 4, 5));
    // Entry 6 arrives and commits in one input: the snapshot covers it, so it is not appended.
    out = n.receive(ae(2, 1, 1, 5, 1, [log[5]], 6));
    expect(out).toStrictEqual(output({ messages: [aer(1, 2, 1, true, 6)], applied: appliedOf(log, 6, 6), write: { snapshot: snapOf(log, 6) }, timer: ELECTION }));
    disk = fold(disk, out.write);
    expect(disk).toStrictEqual({ hardState: { term: 1, votedFor: 2 }, snapshot: snapOf(log, 6), log: [] });
    expect(n.entries).toStrictEqual([]);
  });

  it('a snapshot in the same input as a conflict truncation: the write stays consistent for storage', () => {
    // Stored [1,1,1,1,1]; the leader of term 2 replaces 2.. with [2,2,2] and commits 3; threshold 2.
    const st = stored(2, 3, [1, 1, 1, 1, 1]);
    const n = boot(1, { stored: st, snapshotThreshold: 2 });
    const leaderLog = logOf(1, 2, 2, 2);
    const out = n.receive(ae(3, 1, 2, 1, 1, leaderLog.slice(1), 3));
    expect(out).toStrictEqual(
      output({
        messages: [aer(1, 3, 2, true, 4)],
        applied: appliedOf(leaderLog, 1, 3),
        write: { snapshot: snapOf(leaderLog, 3), truncateFrom: 4, append: [leaderLog[3]] },
        timer: ELECTION,
      }),
    );
    expect(fold(st, out.write)).toStrictEqual({ hardState: { term: 2, votedFor: 3 }, snapshot: snapOf(leaderLog, 3), log: [leaderLog[3]] });
    expect(n.entries).toStrictEqual([leaderLog[3]]);
  });

  it('compact() snapshots everything applied, once', () => {
    const log = logOf(1, 1, 1);
    const n = boot(1, { stored: stored(1, 2, [1, 1, 1]) });
    n.receive(ae(2, 1, 1, 3, 1, [], 2));
    expect(n.compact()).toStrictEqual(output({ write: { snapshot: snapOf(log, 2) } }));
    expect(n.compact()).toStrictEqual(output({}));
    expect(n.entries).toStrictEqual(log.slice(2));
  });
});

describe('Section 7: a leader whose nextIndex for a peer is compacted away sends InstallSnapshot', () => {
  it('exact exchange with a fresh follower', () => {
    const log = logOf(1, 1);
    const l = boot(1, { snapshotThreshold: 2 });
    l.tick();
    l.receive(rvr(2, 1, 1, true)); // leader of term 1
    l.propose(cmd(1, 1));
    l.propose(cmd(2, 1));
    expect(l.receive(aer(2, 1, 1, true, 0))).toStrictEqual(output({ messages: [ae(1, 2, 1, 0, 0, log, 0)] }));
    expect(l.receive(aer(2, 1, 1, true, 2))).toStrictEqual(output({ applied: appliedOf(log, 1, 2), write: { snapshot: snapOf(log, 2) } }));
    // Node 3 never answered: its nextIndex is 1, below the snapshot.
    expect(l.tick()).toStrictEqual(output({ messages: [ae(1, 2, 1, 2, 1, [], 2), is(1, 3, 1, snapOf(log, 2))], timer: HEARTBEAT }));

    const f = boot(3);
    expect(f.receive(is(1, 3, 1, snapOf(log, 2)))).toStrictEqual(
      output({
        messages: [isr(3, 1, 1, 2)],
        // Past the end of an empty log: nothing to keep (truncateFrom lastIncludedIndex + 1).
        write: { hardState: { term: 1, votedFor: null }, snapshot: snapOf(log, 2), truncateFrom: 3 },
        timer: ELECTION,
        restored: { index: 2, term: 1, digest: snapOf(log, 2).digest },
      }),
    );
    expect(f.observe()).toStrictEqual({ role: 'follower', term: 1, votedFor: null, commitIndex: 2, lastApplied: 2, leaderId: 1 });
    // Up to date now: nothing more to send until the next proposal, which goes to both peers.
    expect(l.receive(isr(3, 1, 1, 2))).toStrictEqual(output({}));
    const e3 = ent(3, 1);
    expect(l.propose(e3.command!).messages).toStrictEqual([ae(1, 2, 1, 2, 1, [e3], 2), ae(1, 3, 1, 2, 1, [e3], 2)]);
  });
});

// ---- InstallSnapshot receiver -----------------------------------------------------------------

describe('Figure 13, InstallSnapshot receiver: keep the log after a matching last included entry, else discard it', () => {
  // Follower 1 at term 2 with log [1,1,2,2]; nothing committed.
  const FOLLOWER_LOG = [1, 1, 2, 2];
  it.each([
    { name: 'last included entry matches in the middle: suffix kept', leader: [1, 1, 2, 2, 3], at: 2, truncateFrom: undefined, kept: [3, 4] },
    { name: 'last included entry matches the last entry: nothing left', leader: [1, 1, 2, 2], at: 4, truncateFrom: undefined, kept: [] },
    { name: 'last included entry conflicts: log discarded', leader: [1, 1, 3, 3], at: 3, truncateFrom: 4, kept: [] },
    { name: 'last included entry past the end: log discarded', leader: [1, 1, 2, 2, 2, 2], at: 6, truncateFrom: 7, kept: [] },
  ])('$name', ({ leader, at, truncateFrom, kept }) => {
    const st = stored(2, 2, FOLLOWER_LOG);
    const n = boot(1, { stored: st });
    const s = snapOf(logOf(...leader), at);
    const out = n.receive(is(2, 1, 2, s));
    expect(out).toStrictEqual(
      output({
        messages: [isr(1, 2, 2, at)],
        write: { snapshot: s, ...(truncateFrom === undefined ? {} : { truncateFrom }) },
        timer: ELECTION,
        restored: { index: at, term: s.lastIncludedTerm, digest: s.digest },
      }),
    );
    const keptEntries = kept.map((i) => ent(i, FOLLOWER_LOG[i - 1]));
    expect(n.entries).toStrictEqual(keptEntries);
    expect(n.observe()).toMatchObject({ commitIndex: at, lastApplied: at });
    const disk = fold(st, out.write);
    expect(disk).toStrictEqual({ hardState: { term: 2, votedFor: 2 }, snapshot: s, log: keptEntries });
    // A restart from that storage restores the same state.
    const r = create(1, { stored: disk });
    expect(r.start().restored).toStrictEqual({ index: at, term: s.lastIncludedTerm, digest: s.digest });
    expect(r.entries).toStrictEqual(keptEntries);
  });

  it('after a matching snapshot, applying continues from its digest', () => {
    const n = boot(1, { stored: stored(2, 2, FOLLOWER_LOG) });
    n.receive(is(2, 1, 2, snapOf(logOf(...FOLLOWER_LOG), 2)));
    expect(n.receive(ae(2, 1, 2, 4, 2, [], 4)).applied).toStrictEqual(appliedOf(logOf(...FOLLOWER_LOG), 3, 4));
  });

  it.each([
    { name: 'older than commitIndex', at: 2 },
    { name: 'equal to commitIndex', at: 3 },
  ])('a stale snapshot ($name) changes nothing', ({ at }) => {
    const n = boot(1, { stored: stored(2, 2, FOLLOWER_LOG) });
    n.receive(ae(2, 1, 2, 4, 2, [], 3));
    const before = n.observe();
    expect(n.receive(is(2, 1, 2, snapOf(logOf(...FOLLOWER_LOG), at)))).toStrictEqual(output({ messages: [isr(1, 2, 2, at)], timer: ELECTION }));
    expect(n.observe()).toStrictEqual(before);
    expect(n.entries).toStrictEqual(logOf(...FOLLOWER_LOG));
  });

  it('a duplicated snapshot is installed once', () => {
    const n = boot(1, { stored: stored(2, 2, FOLLOWER_LOG) });
    const m = is(2, 1, 2, snapOf(logOf(1, 1, 3), 3));
    expect(n.receive(m).write).toStrictEqual({ snapshot: m.snapshot, truncateFrom: 4 });
    expect(n.receive(m)).toStrictEqual(output({ messages: [isr(1, 2, 2, 3)], timer: ELECTION }));
  });

  it('a candidate receiving InstallSnapshot from the leader of its term becomes its follower', () => {
    const n = boot(1, { stored: stored(1, null, [1]) });
    n.tick(); // candidate of term 2
    const s = snapOf(logOf(1, 2), 2);
    const out = n.receive(is(3, 1, 2, s));
    expect(out.write).toStrictEqual({ snapshot: s, truncateFrom: 3 });
    expect(n.observe()).toStrictEqual({ role: 'follower', term: 2, votedFor: 1, commitIndex: 2, lastApplied: 2, leaderId: 3 });
  });
});

describe('AppendEntries reaching below the follower snapshot: the covered entries are committed, so they are skipped', () => {
  const full = logOf(1, 1, 2, 2, 2);
  const snapped = (): RaftCore => {
    const n = create(1, { stored: { hardState: { term: 2, votedFor: 2 }, snapshot: snapOf(full, 2), log: full.slice(2, 4) } });
    n.start();
    return n;
  };

  it.each([
    { name: 'whole log from index 1: only the new entry is appended', prev: [0, 0], entries: full, write: { append: [full[4]] }, matchIndex: 5 },
    { name: 'entirely below the snapshot', prev: [1, 1], entries: [full[1]], write: undefined, matchIndex: 2 },
    { name: 'straddling the snapshot, all matching', prev: [1, 1], entries: full.slice(1, 4), write: undefined, matchIndex: 4 },
    { name: 'prev at the snapshot index', prev: [2, 1], entries: full.slice(2), write: { append: [full[4]] }, matchIndex: 5 },
  ])('$name', ({ prev, entries, write, matchIndex }) => {
    const n = snapped();
    expect(n.receive(ae(2, 1, 2, prev[0], prev[1], entries, 0))).toStrictEqual(
      output({ messages: [aer(1, 2, 2, true, matchIndex)], timer: ELECTION, ...(write === undefined ? {} : { write }) }),
    );
  });
});
