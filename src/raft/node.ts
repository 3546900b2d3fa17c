import type { BugName } from './bugs.js';
import { KvStateMachine } from './kv.js';
import { RaftLog } from './log.js';
import {
  appendEntries,
  appendEntriesReply,
  installSnapshot,
  installSnapshotReply,
  requestVote,
  requestVoteReply,
  type AppendEntries,
  type AppendEntriesReply,
  type InstallSnapshot,
  type InstallSnapshotReply,
  type RaftMessage,
  type RequestVote,
  type RequestVoteReply,
} from './messages.js';
import type {
  Applied,
  Command,
  DurableWrite,
  Entry,
  HardState,
  Message,
  NodeId,
  NodeInit,
  Observation,
  Output,
  ProposalResult,
  RaftNode,
  Role,
  Snapshot,
} from './types.js';

export interface CoreOptions {
  /** Turn on one built-in bug; null is the correct core. */
  readonly bug?: BugName | null;
  /**
   * Append a no-op entry when elected (paper section 8). Off by default: Figure 2 has no
   * such entry, the classic lab tests expect a client's first command at index 1, and the
   * no-op would hide the Figure 8 bug this tool must be able to show.
   */
  readonly noopOnElection?: boolean;
  /** Most entries one AppendEntries carries. */
  readonly maxBatch?: number;
}

/** The empty part of an output; never pushed to (see RaftCore's out* fields). */
const NOTHING: never[] = [];

/**
 * The reference Raft core (paper Figure 2, section 5.3 back-up hint, section 7 snapshots),
 * written as a pure state machine: every input returns what to persist, send and apply.
 */
export class RaftCore implements RaftNode {
  private readonly id: NodeId;
  private readonly peers: readonly NodeId[];
  private readonly clusterSize: number;
  private readonly init: NodeInit;
  private readonly bug: BugName | null;
  private readonly noop: boolean;
  private readonly maxBatch: number;

  // Persistent state (Figure 2); written through `write` before any message that depends on it.
  private term = 0;
  private votedFor: NodeId | null = null;
  private readonly log: RaftLog;
  /** The latest snapshot, kept whole for InstallSnapshot. */
  private snapshot: Snapshot | null;

  // Volatile state. Invariant: lastApplied <= commitIndex (unless bug apply-uncommitted).
  private role: Role = 'follower';
  private leaderId: NodeId | null = null;
  private commitIndex = 0;
  private lastApplied = 0;
  private readonly kv = new KvStateMachine();
  private readonly votes = new Set<NodeId>();
  /** Candidate only: peers that answered this term's RequestVote, granted or not. */
  private readonly answered = new Set<NodeId>();
  /** Election timeout still to run (ms); a candidate spends it in heartbeat-sized waits. */
  private electionLeft = 0;
  /** The last wait requested from the driver: what has elapsed when tick() comes. */
  private timerSetTo = 0;
  /** Leader only, indexed by node id. */
  private readonly nextIndex: number[] = [];
  private readonly matchIndex: number[] = [];
  /** Leader only: peers whose nextIndex is confirmed, so it may advance optimistically. */
  private readonly replicating: boolean[] = [];
  /**
   * Leader only: an AppendEntries with entries is out and not yet acknowledged. Proposals then
   * wait for the ack and go out together, so each entry crosses to each peer about once.
   */
  private readonly inflight: boolean[] = [];

  // The output under construction for the current input.
  // Empty parts are the shared NOTHING until something is pushed: most inputs apply and
  // append nothing, and an array per part per input was a good share of all garbage.
  private outMessages: Message[] = NOTHING;
  private outApplied: Applied[] = NOTHING;
  private outHard = false;
  private outSnapshot: Snapshot | undefined;
  private outTruncate: number | undefined;
  private outAppend: Entry[] = NOTHING;
  private outTimer: number | undefined;
  private outRestored: Output['restored'];
  private outProposal: ProposalResult | undefined;
  /** The last observation handed out. */
  private observed: Observation | null = null;
  /** The term as of the last output, to tell a new term's write from a vote in a known one. */
  private flushedTerm = 0;

  constructor(init: NodeInit, options: CoreOptions = {}) {
    this.init = init;
    this.id = init.id;
    this.peers = init.cluster.filter((p) => p !== init.id);
    this.clusterSize = init.cluster.length;
    this.bug = options.bug ?? null;
    this.noop = options.noopOnElection ?? false;
    this.maxBatch = options.maxBatch ?? 64;
    const stored = init.stored;
    this.snapshot = stored?.snapshot ?? null;
    this.log = new RaftLog(this.snapshot, stored?.log ?? []);
    if (stored !== null) {
      this.term = this.bug === 'forget-term-on-restart' ? 0 : stored.hardState.term;
      this.votedFor = this.bug === 'forget-vote-on-restart' ? null : stored.hardState.votedFor;
    }
    this.flushedTerm = this.term;
  }

  // ---- inputs -------------------------------------------------------------------------------

  start(): Output {
    if (this.snapshot !== null) this.restoreStateMachine(this.snapshot);
    this.resetElectionTimer();
    return this.flush();
  }

  tick(): Output {
    if (this.role === 'leader') {
      this.broadcastAppend();
      this.outTimer = this.init.timing.heartbeatMs;
      return this.flush();
    }
    this.electionLeft -= this.timerSetTo;
    if (this.role === 'candidate' && this.electionLeft > 0) {
      // Section 5.1: servers retry RPCs that got no response in time.
      this.requestVotes((p) => !this.answered.has(p));
      this.outTimer = Math.min(this.init.timing.heartbeatMs, this.electionLeft);
    } else {
      this.campaign();
    }
    return this.flush();
  }

  propose(command: Command): Output {
    if (this.role !== 'leader') {
      this.outProposal = { accepted: false, leaderHint: this.leaderId };
      return this.flush();
    }
    const entry: Entry = { index: this.log.lastIndex + 1, term: this.term, command };
    this.appendEntry(entry);
    this.outProposal = { accepted: true, index: entry.index, term: entry.term };
    for (const p of this.peers) if (this.replicating[p] && !this.inflight[p]) this.sendAppend(p);
    this.maybeCommit();
    return this.flush();
  }

  compact(): Output {
    if (this.lastApplied > this.log.snapshotIndex) this.takeSnapshot();
    return this.flush();
  }

  receive(message: Message): Output {
    this.step(message as unknown as RaftMessage);
    return this.flush();
  }

  observe(): Observation {
    const o = this.observed;
    // Most inputs (heartbeats, acks) change none of it: the same immutable object then serves.
    if (
      o !== null &&
      o.role === this.role &&
      o.term === this.term &&
      o.votedFor === this.votedFor &&
      o.commitIndex === this.commitIndex &&
      o.lastApplied === this.lastApplied &&
      o.leaderId === this.leaderId
    ) {
      return o;
    }
    this.observed = {
      role: this.role,
      term: this.term,
      votedFor: this.votedFor,
      commitIndex: this.commitIndex,
      lastApplied: this.lastApplied,
      leaderId: this.leaderId,
    };
    return this.observed;
  }

  /**
   * Everything that decides what this node does next, for exhaustive search's state cache.
   * The election countdown is in it because a candidate's tick depends on it; the outgoing
   * buffers are not, since they are empty between inputs.
   */
  fingerprint(): string {
    const log = this.log.slice(this.log.snapshotIndex + 1).map((e) => `${e.index}/${e.term}/${e.command === null ? '' : e.command.id}`);
    const peers = this.role === 'leader' ? this.peers.map((p) => `${this.nextIndex[p]},${this.matchIndex[p]},${this.replicating[p] ? 1 : 0}${this.inflight[p] ? 1 : 0}`) : [];
    return [
      this.role,
      this.term,
      this.votedFor ?? '-',
      this.leaderId ?? '-',
      this.commitIndex,
      this.lastApplied,
      this.kv.digest,
      `${this.log.snapshotIndex}/${this.log.snapshotTerm}`,
      log.join(' '),
      [...this.votes].sort((a, b) => a - b).join(','),
      [...this.answered].sort((a, b) => a - b).join(','),
      this.electionLeft,
      this.timerSetTo,
      peers.join(' '),
    ].join('|');
  }

  /** For tests and debugging: the in-memory log. */
  get entries(): readonly Entry[] {
    return this.log.slice(this.log.snapshotIndex + 1);
  }

  // ---- message handling ---------------------------------------------------------------------

  private step(m: RaftMessage): void {
    if (m.term > this.term) {
      const fromLeader = m.type === 'AppendEntries' || m.type === 'InstallSnapshot';
      this.becomeFollower(m.term, fromLeader ? m.from : null);
    } else if (m.term < this.term && !(this.bug === 'accept-stale-term' && m.type === 'AppendEntries')) {
      this.rejectStale(m);
      return;
    }
    switch (m.type) {
      case 'RequestVote':
        return this.handleRequestVote(m);
      case 'RequestVoteReply':
        return this.handleVoteReply(m);
      case 'AppendEntries':
        return this.handleAppendEntries(m);
      case 'AppendEntriesReply':
        return this.handleAppendReply(m);
      case 'InstallSnapshot':
        return this.handleInstallSnapshot(m);
      case 'InstallSnapshotReply':
        return this.handleSnapshotReply(m);
    }
  }

  /** A request from an older term gets our term back so its sender steps down; replies are dropped. */
  private rejectStale(m: RaftMessage): void {
    if (m.type === 'RequestVote') this.send(requestVoteReply(this.id, m.from, this.term, false));
    else if (m.type === 'AppendEntries') this.replyAppend(m.from, false, 0, 0, 0);
    else if (m.type === 'InstallSnapshot') this.send(installSnapshotReply(this.id, m.from, this.term, 0));
  }

  private handleRequestVote(m: RequestVote): void {
    const free = this.votedFor === null || this.votedFor === m.from || this.bug === 'double-vote';
    const upToDate =
      m.lastLogTerm > this.log.lastTerm || (m.lastLogTerm === this.log.lastTerm && m.lastLogIndex >= this.log.lastIndex);
    const granted = free && (upToDate || this.bug === 'vote-ignores-log');
    if (granted) {
      this.votedFor = m.from;
      this.outHard = true;
      this.resetElectionTimer();
    }
    this.send(requestVoteReply(this.id, m.from, this.term, granted));
  }

  private handleVoteReply(m: RequestVoteReply): void {
    if (this.role !== 'candidate' || m.term !== this.term) return;
    this.answered.add(m.from);
    if (!m.granted) return;
    this.votes.add(m.from);
    if (this.votes.size >= this.quorum()) this.becomeLeader();
  }

  private handleAppendEntries(m: AppendEntries): void {
    if (m.term === this.term) {
      if (this.role !== 'follower') this.becomeFollower(this.term, m.from);
      this.leaderId = m.from;
    }
    this.resetElectionTimer();

    let prevIndex = m.prevLogIndex;
    let entries = m.entries;
    // Entries at or below our snapshot are committed, so they match the leader's: skip them.
    if (prevIndex < this.log.snapshotIndex) {
      entries = entries.filter((e) => e.index > this.log.snapshotIndex);
      prevIndex = this.log.snapshotIndex;
    } else if (prevIndex > this.log.lastIndex) {
      return this.replyAppend(m.from, false, 0, 0, this.log.lastIndex + 1);
    } else if (this.log.termAt(prevIndex) !== m.prevLogTerm && this.bug !== 'skip-prev-check') {
      const conflictTerm = this.log.termAt(prevIndex)!;
      return this.replyAppend(m.from, false, 0, conflictTerm, this.log.firstIndexOfTerm(conflictTerm, prevIndex));
    }

    if (this.bug === 'truncate-on-match' && prevIndex < this.log.lastIndex) this.truncate(prevIndex + 1);
    for (const e of entries) {
      if (e.index <= this.log.lastIndex) {
        if (this.log.termAt(e.index) === e.term) continue;
        this.truncate(e.index); // a conflict: this entry and all that follow it go
      }
      this.appendEntry(e);
    }
    const lastNew = entries.length === 0 ? prevIndex : entries[entries.length - 1].index;
    if (m.leaderCommit > this.commitIndex) {
      this.setCommitIndex(Math.max(this.commitIndex, Math.min(m.leaderCommit, lastNew)));
    } else if (this.bug === 'apply-uncommitted') {
      this.applyCommitted();
    }
    this.replyAppend(m.from, true, lastNew, 0, 0);
  }

  private replyAppend(to: NodeId, success: boolean, matchIndex: number, conflictTerm: number, conflictIndex: number): void {
    this.send(appendEntriesReply(this.id, to, this.term, success, matchIndex, conflictTerm, conflictIndex));
  }

  private handleAppendReply(m: AppendEntriesReply): void {
    if (this.role !== 'leader' || m.term !== this.term) return;
    const p = m.from;
    if (m.success) {
      if (m.matchIndex > this.matchIndex[p]) this.matchIndex[p] = m.matchIndex;
      if (this.nextIndex[p] <= this.matchIndex[p]) this.nextIndex[p] = this.matchIndex[p] + 1;
      this.replicating[p] = true;
      if (this.matchIndex[p] + 1 >= this.nextIndex[p]) this.inflight[p] = false;
      this.maybeCommit();
      if (this.nextIndex[p] <= this.log.lastIndex) this.sendAppend(p);
      return;
    }
    // A rejection that points at or below what the follower already acknowledged is stale
    // (a reordered or duplicated reply to an older AppendEntries): resending would only repeat
    // entries in flight.
    if (m.conflictIndex > 0 && m.conflictIndex <= this.matchIndex[p]) return;
    // Back nextIndex up with the section 5.3 hint, by at least one, never below 1.
    let next = m.conflictIndex;
    if (m.conflictTerm > 0) {
      const last = this.log.lastIndexOfTerm(m.conflictTerm);
      if (last > 0) next = last + 1;
    }
    next = Math.max(1, Math.min(next, this.nextIndex[p] - 1));
    this.nextIndex[p] = next;
    this.replicating[p] = false;
    this.inflight[p] = false;
    this.sendAppend(p);
  }

  private handleInstallSnapshot(m: InstallSnapshot): void {
    if (m.term === this.term) {
      if (this.role !== 'follower') this.becomeFollower(this.term, m.from);
      this.leaderId = m.from;
    }
    this.resetElectionTimer();
    const s = m.snapshot;
    // A stale or duplicated snapshot must never move this node backwards.
    const fresh = s.lastIncludedIndex > this.commitIndex && s.lastIncludedIndex > this.log.snapshotIndex;
    if (fresh || (this.bug === 'stale-snapshot-regress' && s.lastIncludedIndex !== this.log.snapshotIndex)) {
      const keep = this.log.termAt(s.lastIncludedIndex) === s.lastIncludedTerm && this.bug !== 'install-snapshot-truncates';
      this.log.compact(s, keep);
      this.snapshot = s;
      this.outSnapshot = s;
      this.outAppend = this.outAppend.filter((e) => e.index > s.lastIncludedIndex);
      if (!keep) this.outTruncate = s.lastIncludedIndex + 1;
      else if (this.outTruncate !== undefined && this.outTruncate <= s.lastIncludedIndex) this.outTruncate = undefined;
      this.commitIndex = Math.max(this.commitIndex, s.lastIncludedIndex);
      this.restoreStateMachine(s);
    } else if (this.bug === 'install-snapshot-truncates' && s.lastIncludedIndex > this.log.snapshotIndex && this.log.termAt(s.lastIncludedIndex) === s.lastIncludedTerm && this.log.lastIndex > s.lastIncludedIndex) {
      // The bug also bites on a late duplicate: the log is cut back to the snapshot's end.
      this.truncate(s.lastIncludedIndex + 1);
    }
    this.send(installSnapshotReply(this.id, m.from, this.term, s.lastIncludedIndex));
  }

  private handleSnapshotReply(m: InstallSnapshotReply): void {
    if (this.role !== 'leader' || m.term !== this.term) return;
    const p = m.from;
    if (m.matchIndex > this.matchIndex[p]) this.matchIndex[p] = m.matchIndex;
    this.nextIndex[p] = Math.max(this.nextIndex[p], this.matchIndex[p] + 1);
    this.replicating[p] = true;
    this.maybeCommit();
    if (this.nextIndex[p] <= this.log.lastIndex) this.sendAppend(p);
  }

  // ---- roles --------------------------------------------------------------------------------

  private becomeFollower(term: number, leader: NodeId | null): void {
    // A deposed leader's pending timer is a heartbeat; without a fresh election timeout it
    // would campaign again at once.
    if (this.role === 'leader') this.resetElectionTimer();
    if (term !== this.term) {
      this.term = term;
      this.votedFor = null;
      this.outHard = true;
    }
    this.role = 'follower';
    this.leaderId = leader;
    this.votes.clear();
  }

  private campaign(): void {
    this.term += 1;
    this.role = 'candidate';
    this.leaderId = null;
    this.votedFor = this.id;
    this.outHard = true;
    this.votes.clear();
    this.votes.add(this.id);
    this.answered.clear();
    this.resetElectionTimer();
    if (this.votes.size >= this.quorum()) return this.becomeLeader();
    // Wake at heartbeat pace to retry unanswered requests until the election times out.
    this.outTimer = Math.min(this.init.timing.heartbeatMs, this.electionLeft);
    this.requestVotes(() => true);
  }

  private requestVotes(to: (p: NodeId) => boolean): void {
    for (const p of this.peers) {
      if (!to(p)) continue;
      this.send(requestVote(this.id, p, this.term, this.log.lastIndex, this.log.lastTerm));
    }
  }

  private becomeLeader(): void {
    this.role = 'leader';
    this.leaderId = this.id;
    for (const p of this.peers) {
      this.nextIndex[p] = this.log.lastIndex + 1;
      this.matchIndex[p] = 0;
      this.replicating[p] = false;
      this.inflight[p] = false;
    }
    if (this.noop) this.appendEntry({ index: this.log.lastIndex + 1, term: this.term, command: null });
    this.broadcastAppend();
    this.outTimer = this.init.timing.heartbeatMs;
    this.maybeCommit();
  }

  private quorum(): number {
    return this.bug === 'wrong-quorum' ? Math.floor(this.clusterSize / 2) : Math.floor(this.clusterSize / 2) + 1;
  }

  // ---- replication and commit ---------------------------------------------------------------

  private broadcastAppend(): void {
    for (const p of this.peers) {
      // Still unacknowledged a heartbeat later: assume it was lost and resend from the match.
      if (this.inflight[p] && this.replicating[p]) this.nextIndex[p] = this.matchIndex[p] + 1;
      this.sendAppend(p);
    }
  }

  private sendAppend(p: NodeId): void {
    const next = this.nextIndex[p];
    const prev = next - 1;
    if (prev < this.log.snapshotIndex && this.snapshot !== null) {
      this.send(installSnapshot(this.id, p, this.term, this.snapshot));
      return;
    }
    const entries = this.log.slice(next, next + this.maxBatch - 1);
    this.send(appendEntries(this.id, p, this.term, prev, this.log.termAt(prev) ?? 0, entries, this.commitIndex));
    if (entries.length > 0) this.inflight[p] = true;
    if (this.replicating[p] && entries.length > 0) this.nextIndex[p] = entries[entries.length - 1].index + 1;
  }

  /** Commit the highest index a quorum holds, but only one of the current term (Figure 8). */
  private maybeCommit(): void {
    const q = this.quorum();
    for (let n = this.log.lastIndex; n > this.commitIndex; n--) {
      const t = this.log.termAt(n);
      if (t === undefined) break;
      if (t !== this.term && this.bug !== 'commit-previous-term') {
        if (t < this.term) break;
        continue;
      }
      let count = 1;
      for (const p of this.peers) if (this.matchIndex[p] >= n) count++;
      if (count >= q) {
        this.setCommitIndex(n);
        return;
      }
    }
  }

  private setCommitIndex(n: number): void {
    this.commitIndex = n;
    this.applyCommitted();
  }

  private applyCommitted(): void {
    this.applyThrough(this.bug === 'apply-uncommitted' ? this.log.lastIndex : Math.min(this.commitIndex, this.log.lastIndex));
    const threshold = this.init.snapshotThreshold;
    if (threshold <= 0) return;
    if (this.bug === 'snapshot-uncommitted') {
      if (this.log.lastIndex - this.log.snapshotIndex >= threshold) {
        this.applyThrough(this.log.lastIndex);
        this.takeSnapshot();
      }
    } else if (this.lastApplied - this.log.snapshotIndex >= threshold) {
      this.takeSnapshot();
    }
  }

  private applyThrough(upTo: number): void {
    while (this.lastApplied < upTo) {
      const e = this.log.entry(this.lastApplied + 1);
      this.lastApplied = e.index;
      const digest = this.kv.apply(e.index, e.term, e.command);
      if (this.outApplied === NOTHING) this.outApplied = [];
      this.outApplied.push({ index: e.index, term: e.term, command: e.command, digest });
    }
  }

  private takeSnapshot(): void {
    const s: Snapshot = {
      lastIncludedIndex: this.lastApplied,
      lastIncludedTerm: this.log.termAt(this.lastApplied)!,
      digest: this.kv.digest,
      data: this.kv.save(),
    };
    this.log.compact(s, true);
    this.snapshot = s;
    this.outSnapshot = s;
    this.outAppend = this.outAppend.filter((e) => e.index > s.lastIncludedIndex);
    if (this.outTruncate !== undefined && this.outTruncate <= s.lastIncludedIndex) this.outTruncate = s.lastIncludedIndex + 1;
  }

  private restoreStateMachine(s: Snapshot): void {
    this.kv.restore(s.data);
    this.commitIndex = Math.max(this.commitIndex, s.lastIncludedIndex);
    this.lastApplied = s.lastIncludedIndex;
    this.outRestored = { index: s.lastIncludedIndex, term: s.lastIncludedTerm, digest: s.digest };
  }

  // ---- output -------------------------------------------------------------------------------

  private appendEntry(e: Entry): void {
    this.log.append(e);
    if (this.outAppend === NOTHING) this.outAppend = [];
    this.outAppend.push(e);
  }

  private truncate(from: number): void {
    this.log.truncateFrom(from);
    this.outAppend = this.outAppend.filter((e) => e.index < from);
    if (this.outTruncate === undefined || from < this.outTruncate) this.outTruncate = from;
  }

  private resetElectionTimer(): void {
    const { electionTimeoutMinMs: lo, electionTimeoutMaxMs: hi } = this.init.timing;
    this.electionLeft = this.init.randomInt(lo, hi);
    this.outTimer = this.electionLeft;
  }

  private send(m: RaftMessage): void {
    if (this.outMessages === NOTHING) this.outMessages = [];
    this.outMessages.push(m);
  }

  private flush(): Output {
    const hard = this.outHard;
    const write =
      hard || this.outSnapshot !== undefined || this.outTruncate !== undefined || this.outAppend.length > 0
        ? new CoreWrite(
            hard ? { term: this.term, votedFor: this.votedFor } : undefined,
            this.outSnapshot,
            this.outTruncate,
            this.outAppend.length > 0 ? this.outAppend : undefined,
            undefined,
          )
        : undefined;
    const writes = write === undefined ? undefined : this.bugWrites(write);
    const out = new CoreOutput(
      this.outMessages,
      writes === undefined ? write : undefined,
      writes,
      this.outApplied,
      this.outRestored,
      this.outTimer,
      this.outProposal,
    );
    if (this.outTimer !== undefined) this.timerSetTo = this.outTimer;
    this.outMessages = NOTHING;
    this.outApplied = NOTHING;
    this.outHard = false;
    this.outSnapshot = undefined;
    this.outTruncate = undefined;
    this.outAppend = NOTHING;
    this.outTimer = undefined;
    this.outRestored = undefined;
    this.outProposal = undefined;
    this.flushedTerm = this.term;
    return out;
  }

  /** The persistence bugs split the one write; undefined leaves it whole. */
  private bugWrites(w: CoreWrite): DurableWrite[] | undefined {
    if (this.bug === 'ack-before-sync' && this.role === 'follower' && w.append !== undefined && this.outMessages.length > 0) {
      const first = new CoreWrite(w.hardState, w.snapshot, w.truncateFrom, undefined, undefined);
      return [...(first.isEmpty() ? [] : [first]), new CoreWrite(undefined, undefined, undefined, w.append, false)];
    }
    if (this.bug === 'split-hard-state' && w.hardState !== undefined && w.hardState.votedFor !== null) {
      // As hashicorp/raft's setCurrentTerm then persistVote: a new term (with no vote) is
      // written first and synced; the vote follows unsynced, and the reply does not wait.
      const newTerm = w.hardState.term !== this.flushedTerm;
      const first = new CoreWrite(newTerm ? { term: w.hardState.term, votedFor: null } : undefined, w.snapshot, w.truncateFrom, w.append, undefined);
      return [...(first.isEmpty() ? [] : [first]), new CoreWrite(w.hardState, undefined, undefined, undefined, false)];
    }
    return undefined;
  }
}

/**
 * Every output and every write of our core has one layout, absent parts undefined: with a
 * shape per combination of parts (up to sixteen), each read of them in the simulator, storage
 * and checkers was a megamorphic load. JSON (the protocol adapter) leaves undefined out.
 */
class CoreOutput implements Output {
  constructor(
    readonly messages: Message[],
    readonly write: DurableWrite | undefined,
    readonly writes: readonly DurableWrite[] | undefined,
    readonly applied: Applied[],
    readonly restored: Output['restored'],
    readonly timer: number | undefined,
    readonly proposal: ProposalResult | undefined,
  ) {}
}

class CoreWrite implements DurableWrite {
  constructor(
    readonly hardState: HardState | undefined,
    readonly snapshot: Snapshot | undefined,
    readonly truncateFrom: number | undefined,
    readonly append: readonly Entry[] | undefined,
    readonly sync: boolean | undefined,
  ) {}

  isEmpty(): boolean {
    return this.hardState === undefined && this.snapshot === undefined && this.truncateFrom === undefined && this.append === undefined;
  }
}
