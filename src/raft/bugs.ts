/**
 * Built-in bugs: each is one flag away from the correct core and is a bug real Raft
 * implementations have had (shared RAFT-BUGS notes). `invariant` is what the checkers are
 * expected to report when the bug bites.
 */
export const BUGS = {
  'commit-previous-term': {
    invariant: 'leader-completeness',
    summary: 'a leader commits an entry of an earlier term by counting replicas (paper Figure 8)',
  },
  'vote-ignores-log': {
    invariant: 'leader-completeness',
    summary: 'votes are granted without the log up-to-date check',
  },
  'double-vote': {
    invariant: 'election-safety',
    summary: 'a node votes for more than one candidate in a term',
  },
  'forget-vote-on-restart': {
    invariant: 'election-safety',
    summary: 'votedFor is not persisted, so a restarted node can vote twice in a term',
  },
  'forget-term-on-restart': {
    invariant: 'election-safety',
    summary: 'currentTerm is not persisted, so a restarted node rejoins at term 0 and can vote twice',
  },
  'truncate-on-match': {
    invariant: 'state-machine-safety',
    summary: 'a follower drops entries after prevLogIndex even when they match the leader',
  },
  'accept-stale-term': {
    invariant: 'state-machine-safety',
    summary: 'a follower accepts AppendEntries from a leader of an older term',
  },
  'skip-prev-check': {
    invariant: 'log-matching',
    summary: 'a follower appends without the prevLogIndex/prevLogTerm consistency check',
  },
  'wrong-quorum': {
    invariant: 'election-safety',
    summary: 'a majority is computed as floor(n/2) including the node itself',
  },
  'apply-uncommitted': {
    invariant: 'state-machine-safety',
    summary: 'a node applies entries before they are committed',
  },
  'snapshot-uncommitted': {
    invariant: 'state-machine-safety',
    summary: 'a node snapshots past its commitIndex, taking uncommitted entries into its state',
  },
  'install-snapshot-truncates': {
    invariant: 'state-machine-safety',
    summary: 'a follower discards the entries that follow a snapshot matching its log, even on a late duplicate',
  },
  'stale-snapshot-regress': {
    invariant: 'state-machine-safety',
    summary: 'a stale InstallSnapshot rolls the state machine back',
  },
  'ack-before-sync': {
    invariant: 'commit-durability',
    summary: 'a follower acknowledges AppendEntries before its new entries are synced (written without fsync, trusting a later one)',
  },
  'split-hard-state': {
    invariant: 'election-safety',
    summary:
      'currentTerm and votedFor are two writes, and the vote is not fsynced before the reply leaves (hashicorp/raft issue 661): a crash that loses it lets the node vote again in that term',
  },
} as const satisfies Record<string, { invariant: string; summary: string }>;

export type BugName = keyof typeof BUGS;

export const BUG_NAMES = Object.keys(BUGS) as BugName[];

export function isBugName(name: string): name is BugName {
  return Object.prototype.hasOwnProperty.call(BUGS, name);
}
