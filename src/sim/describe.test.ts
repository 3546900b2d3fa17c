/**
 * Message summaries (issue 13 part 4): our core's wording only for our core's shapes, a
 * generic line for anything else, the implementation's own summary first, and never a throw.
 */
import { describe, expect, it } from 'vitest';
import type { Message } from '../raft/types.js';
import { describeMessage, SUMMARY_MAX } from './describe.js';

const msg = (fields: Record<string, unknown>): Message => ({ from: 1, to: 2, ...fields }) as unknown as Message;

describe('describeMessage', () => {
  it("summarises our core's messages by their fields", () => {
    expect(describeMessage(msg({ type: 'RequestVoteReply', term: 3, granted: true }))).toBe('RequestVoteReply t3 granted');
    expect(describeMessage(msg({ type: 'AppendEntries', term: 2, prevLogIndex: 4, prevLogTerm: 1, entries: [{ index: 5 }, { index: 6 }], leaderCommit: 4 }))).toBe(
      'AppendEntries t2 prev=4/t1 [5..6] commit=4',
    );
    expect(describeMessage(msg({ type: 'InstallSnapshot', term: 2, snapshot: { lastIncludedIndex: 7, lastIncludedTerm: 2 } }))).toBe('InstallSnapshot t2 through 7/t2');
  });

  it("the paper's field names under our type names get a generic summary, not a wrong one", () => {
    // Figure 2's voteGranted is not our `granted`: no "refused" for a granted vote.
    const vote = describeMessage(msg({ type: 'RequestVoteReply', term: 3, voteGranted: true }));
    expect(vote).toMatch(/^RequestVoteReply t3 voteGranted=true #[0-9a-f]{6}$/);
    // Figure 13's InstallSnapshot carries its fields at top level: no crash.
    const snap = describeMessage(msg({ type: 'InstallSnapshot', term: 4, leaderId: 1, lastIncludedIndex: 9, lastIncludedTerm: 3, offset: 0, data: 'x', done: true }));
    expect(snap).toMatch(/^InstallSnapshot t4 leaderId=1 lastIncludedIndex=9 lastIncludedTerm=3 offset=0 #[0-9a-f]{6}$/);
    expect(describeMessage(msg({ type: 'AppendEntries', term: 1, entries: 'none' }))).toMatch(/^AppendEntries t1 entries="none" #/);
  });

  it("an implementation's own summary wins, without control characters and capped", () => {
    expect(describeMessage(msg({ type: 'MsgApp', term: 1, summary: 'MsgApp idx=3\u001b[31m red\n' }))).toBe('MsgApp idx=3 [31m red');
    expect(describeMessage(msg({ type: 'X', summary: 'y'.repeat(500) })).length).toBe(SUMMARY_MAX);
    // An empty or non-string summary is ignored.
    expect(describeMessage(msg({ type: 'X', term: 1, summary: 7 }))).toMatch(/^X t1 #/);
  });

  it('never throws: throwing getters, odd types, cycles', () => {
    const getter = msg({ type: 'T' });
    Object.defineProperty(getter, 'term', { get: () => { throw new Error('boom'); }, enumerable: true });
    expect(describeMessage(getter)).toBe('message (unreadable)');
    expect(describeMessage(msg({ type: { toString: () => { throw new Error('no'); } } }))).toBe('message (unreadable)');
    const cyclic: Record<string, unknown> = { type: 'Loop', term: 1 };
    cyclic.self = cyclic;
    expect(describeMessage(msg(cyclic))).toBe('Loop t1');
    expect(describeMessage(msg({ type: 42 }))).toMatch(/^42 #/);
  });
});
