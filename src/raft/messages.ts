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
