import type { Entry, NodeId, Snapshot } from './types.js';

/** The messages of our core (paper Figure 2 plus InstallSnapshot from section 7). */
export type RaftMessage =
  | RequestVote
  | RequestVoteReply
  | AppendEntries
  | AppendEntriesReply
  | InstallSnapshot
  | InstallSnapshotReply;

interface Envelope {
  readonly from: NodeId;
  readonly to: NodeId;
  readonly term: number;
}

export interface RequestVote extends Envelope {
  readonly type: 'RequestVote';
  readonly lastLogIndex: number;
  readonly lastLogTerm: number;
}

export interface RequestVoteReply extends Envelope {
  readonly type: 'RequestVoteReply';
  readonly granted: boolean;
}

export interface AppendEntries extends Envelope {
  readonly type: 'AppendEntries';
  readonly prevLogIndex: number;
  readonly prevLogTerm: number;
  readonly entries: readonly Entry[];
  readonly leaderCommit: number;
}

export interface AppendEntriesReply extends Envelope {
  readonly type: 'AppendEntriesReply';
  readonly success: boolean;
  /** On success: the last index known to match the leader's log. */
  readonly matchIndex: number;
  /** On failure (section 5.3 hint): the term of the conflicting entry, 0 when the log is short. */
  readonly conflictTerm: number;
  /** On failure: the first index of conflictTerm, or lastIndex + 1 when the log is short. */
  readonly conflictIndex: number;
}

export interface InstallSnapshot extends Envelope {
  readonly type: 'InstallSnapshot';
  readonly snapshot: Snapshot;
}

export interface InstallSnapshotReply extends Envelope {
  readonly type: 'InstallSnapshotReply';
  /** The snapshot's last included index, acknowledged. */
  readonly matchIndex: number;
}

/**
 * Every message our core sends has this one layout, the fields of other types undefined: the
 * driver and the core read `type`, `from`, `to` and `term` of every message at a few sites,
 * and with a shape per type those reads were megamorphic. JSON leaves undefined fields out,
 * so on the wire (and in any summary) each message has exactly its type's fields.
 */
class CoreMessage {
  constructor(
    readonly type: RaftMessage['type'],
    readonly from: NodeId,
    readonly to: NodeId,
    readonly term: number,
    readonly lastLogIndex: number | undefined,
    readonly lastLogTerm: number | undefined,
    readonly granted: boolean | undefined,
    readonly prevLogIndex: number | undefined,
    readonly prevLogTerm: number | undefined,
    readonly entries: readonly Entry[] | undefined,
    readonly leaderCommit: number | undefined,
    readonly success: boolean | undefined,
    readonly matchIndex: number | undefined,
    readonly conflictTerm: number | undefined,
    readonly conflictIndex: number | undefined,
    readonly snapshot: Snapshot | undefined,
  ) {}
}

const _ = undefined;

export function requestVote(from: NodeId, to: NodeId, term: number, lastLogIndex: number, lastLogTerm: number): RequestVote {
  return new CoreMessage('RequestVote', from, to, term, lastLogIndex, lastLogTerm, _, _, _, _, _, _, _, _, _, _) as RequestVote;
}

export function requestVoteReply(from: NodeId, to: NodeId, term: number, granted: boolean): RequestVoteReply {
  return new CoreMessage('RequestVoteReply', from, to, term, _, _, granted, _, _, _, _, _, _, _, _, _) as RequestVoteReply;
}

export function appendEntries(from: NodeId, to: NodeId, term: number, prevLogIndex: number, prevLogTerm: number, entries: readonly Entry[], leaderCommit: number): AppendEntries {
  return new CoreMessage('AppendEntries', from, to, term, _, _, _, prevLogIndex, prevLogTerm, entries, leaderCommit, _, _, _, _, _) as AppendEntries;
}

export function appendEntriesReply(from: NodeId, to: NodeId, term: number, success: boolean, matchIndex: number, conflictTerm: number, conflictIndex: number): AppendEntriesReply {
  return new CoreMessage('AppendEntriesReply', from, to, term, _, _, _, _, _, _, _, success, matchIndex, conflictTerm, conflictIndex, _) as AppendEntriesReply;
}

export function installSnapshot(from: NodeId, to: NodeId, term: number, snapshot: Snapshot): InstallSnapshot {
  return new CoreMessage('InstallSnapshot', from, to, term, _, _, _, _, _, _, _, _, _, _, _, snapshot) as InstallSnapshot;
}

export function installSnapshotReply(from: NodeId, to: NodeId, term: number, matchIndex: number): InstallSnapshotReply {
  return new CoreMessage('InstallSnapshotReply', from, to, term, _, _, _, _, _, _, _, _, matchIndex, _, _, _) as InstallSnapshotReply;
}
