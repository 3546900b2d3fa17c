import type { Message } from '../raft/types.js';

/** A one-line summary of any message; our core's types get their fields, others type, term and a digest. */
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
    default: {
      // Type and term alone would name many different messages alike; a short digest of the
      // content tells them apart, in a trace and for a script step that must find its message.
      const head = m.term === undefined ? String(m.type) : `${String(m.type)} t${m.term}`;
      const digest = contentDigest(m);
      return digest === null ? head : `${head} #${digest}`;
    }
  }
}

/** FNV-1a of the message's JSON, as 6 hex digits; null for a message JSON cannot encode. */
function contentDigest(m: Message): string | null {
  let text: string;
  try {
    text = JSON.stringify(m);
  } catch {
    return null;
  }
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return ((h >>> 0) & 0xffffff).toString(16).padStart(6, '0');
}
