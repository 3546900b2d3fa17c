import type { Message } from '../raft/types.js';

/** A one-line summary of any message; our core's types get their fields, others type and term. */
export function describeMessage(m: Message): string {
  const r = m as unknown as Record<string, unknown>;
  switch (m.type) {
    case 'RequestVote':
      return `RequestVote t${m.term} last=${String(r.lastLogIndex)}/t${String(r.lastLogTerm)}`;
    case 'RequestVoteReply':
      return `RequestVoteReply t${m.term} ${r.granted === true ? 'granted' : 'refused'}`;
    case 'AppendEntries': {
      const entries = r.entries as readonly { index: number; term: number }[];
      const span = entries.length === 0 ? 'heartbeat' : `[${entries[0].index}..${entries[entries.length - 1].index}]`;
      return `AppendEntries t${m.term} prev=${String(r.prevLogIndex)}/t${String(r.prevLogTerm)} ${span} commit=${String(r.leaderCommit)}`;
    }
    case 'AppendEntriesReply':
      return r.success === true
        ? `AppendEntriesReply t${m.term} ok match=${String(r.matchIndex)}`
        : `AppendEntriesReply t${m.term} reject hint=${String(r.conflictIndex)}/t${String(r.conflictTerm)}`;
    case 'InstallSnapshot': {
      const s = r.snapshot as { lastIncludedIndex: number; lastIncludedTerm: number };
      return `InstallSnapshot t${m.term} through ${s.lastIncludedIndex}/t${s.lastIncludedTerm}`;
    }
    case 'InstallSnapshotReply':
      return `InstallSnapshotReply t${m.term} match=${String(r.matchIndex)}`;
    default:
      return m.term === undefined ? String(m.type) : `${String(m.type)} t${m.term}`;
  }
}
