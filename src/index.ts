/**
 * raft-check's public API, for checking a Raft implementation from your own tests.
 *
 * Implement the node contract (`NodeFactory`: `{ contractVersion: 1, name, create(init) }`),
 * then gate it in your suite: `it('is safe', () => { raftProperty(myFactory, { iterations: 200 }); })`.
 */
export * from './raft/types.js';
export type { RaftMessage, RequestVote, RequestVoteReply, AppendEntries, AppendEntriesReply, InstallSnapshot, InstallSnapshotReply } from './raft/messages.js';
export { coreFactory, BUGS, BUG_NAMES, isBugName, KvStateMachine, type BugName } from './raft/index.js';
export { PROFILES, type ProfileName } from './sim/schedule.js';
export type { Finding, FindingKind } from './sim/observer.js';
export { raftProperty, RaftViolationError, type RaftPropertyOptions, type RaftPropertyResult } from './cli/property.js';
export { readTrace, writeTrace, parseTrace, TraceError } from './trace/io.js';
export type { TraceFile } from './trace/format.js';
export { replayTrace, type ReplayResult, type Divergence } from './trace/replay.js';
export type { TraceEvent } from './sim/events.js';
export { VERSION } from './version.js';
