package raft

// raft-check's hooks into etcd raft, added to the package by the adapter's build (an
// overlay file next to etcd's own; etcd's source is never copied into the repository).

import "math/rand"

// RaftCheckSetRand makes etcd's election-timeout draws come from r until the next call.
// etcd keeps one unexported, clock-seeded generator for every raft group in the process;
// the adapter hands each node instance its own seeded generator before each call into it.
func RaftCheckSetRand(r *rand.Rand) {
	globalRand.mu.Lock()
	globalRand.rand = r
	globalRand.mu.Unlock()
}

// RaftCheckMutations are deliberate bugs for raft-check to find; all false is etcd as
// released. The patched lines read them.
var RaftCheckMutations struct {
	// CommitOldTerm: raftLog.maybeCommit commits without checking the entry's term.
	CommitOldTerm bool
	// VoteAnyLog: Step grants MsgVote and MsgPreVote without raftLog.isUpToDate.
	VoteAnyLog bool
	// CommitBeyondNew: maybeAppend commits up to the leader's commit index even past the
	// last entry the MsgApp carried (bounded only by the local log).
	CommitBeyondNew bool
}

// raftCheckCommitBound is how far a follower may commit on a MsgApp whose last new entry is
// lastNew in a log that ends at last.
func raftCheckCommitBound(lastNew, last uint64) uint64 {
	if RaftCheckMutations.CommitBeyondNew {
		return last
	}
	return lastNew
}
