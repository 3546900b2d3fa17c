/**
 * The edits raft-check makes to etcd's raft source, applied at build time to the installed
 * files and handed to `go build -overlay` (etcd's code is never committed here). Each is one
 * guarded line: with its switch off (as in a plain `go build` of etcd), the line does exactly
 * what etcd's does.
 */
export interface Patch {
  /** The adapter's `-mutation` name this edit implements. */
  readonly name: string;
  /** A file of go.etcd.io/etcd/raft. */
  readonly file: string;
  /** Text that must occur exactly once in the installed file. */
  readonly find: string;
  readonly replace: string;
}

export const PATCHES: readonly Patch[] = [
  {
    name: 'commit-old-term',
    file: 'log.go',
    find: 'if maxIndex > l.committed && l.zeroTermOnErrCompacted(l.term(maxIndex)) == term {',
    replace: 'if maxIndex > l.committed && (RaftCheckMutations.CommitOldTerm || l.zeroTermOnErrCompacted(l.term(maxIndex)) == term) {',
  },
  {
    name: 'vote-any-log',
    file: 'raft.go',
    find: 'if canVote && r.raftLog.isUpToDate(m.Index, m.LogTerm) {',
    replace: 'if canVote && (RaftCheckMutations.VoteAnyLog || r.raftLog.isUpToDate(m.Index, m.LogTerm)) {',
  },
  {
    name: 'commit-beyond-new',
    file: 'log.go',
    find: 'l.commitTo(min(committed, lastnewi))',
    replace: 'l.commitTo(min(committed, raftCheckCommitBound(lastnewi, l.lastIndex())))',
  },
];

/** The new file the overlay adds to the raft package (the seeding hook and the switches). */
export const HOOKS_FILE = 'raft_hooks.go';

export class PatchError extends Error {}

/** `source` (the installed `file`) with every patch for that file applied. */
export function applyPatches(file: string, path: string, source: string, patches: readonly Patch[] = PATCHES): string {
  let out = source;
  for (const p of patches) {
    if (p.file !== file) continue;
    const at = out.indexOf(p.find);
    if (at < 0 || out.indexOf(p.find, at + 1) >= 0) {
      const how = at < 0 ? 'expected text not found' : 'expected text found more than once';
      throw new PatchError(`patch ${p.name}: ${path}: ${how}: ${p.find}`);
    }
    out = out.slice(0, at) + p.replace + out.slice(at + p.find.length);
  }
  return out;
}
