/**
 * The node contract, version 2: the only way the simulator talks to a Raft node.
 *
 * A node is a pure state machine. The driver feeds it one input at a time (start, tick,
 * receive, propose, compact) and gets an {@link Output} back. The driver makes every synced
 * write durable before it sends `messages`, so a reply never gets ahead of the state it
 * depends on; a write marked `sync: false` is the node's own risk (see {@link DurableWrite}).
 * Our core (`./node.ts`) is the first implementation; users plug in their own through
 * {@link NodeFactory}.
 *
 * Version 2 only adds optional fields to version 1 (`Output.writes`, `DurableWrite.sync`,
 * `Message.summary`, `NodeInit.seed`, `RaftNode.fingerprint`, `RaftNode.destroy`,
 * `NodeFactory.beginRun`), so a version-1 module runs
 * unchanged and declares `contractVersion: 1`.
 */
export const CONTRACT_VERSION = 2;
/** Every contract version a factory may declare. */
export const CONTRACT_VERSIONS: readonly number[] = [1, 2];

/** Nodes are numbered 1..n. */
export type NodeId = number;

export interface Command {
  /** Unique per proposal across a run: state-machine-safety compares these. */
  readonly id: string;
  readonly key: string;
  readonly value: string;
}

export interface Entry {
  readonly index: number;
  readonly term: number;
  /** null is a no-op entry. */
  readonly command: Command | null;
}

/**
 * Anything a node sends. The driver routes on `to` and reads nothing else except for
 * summaries in traces; the payload is the implementation's business. Messages are values:
 * the driver may deliver one object twice (duplication), so receivers must not mutate them.
 */
export interface Message {
  readonly type: string;
  readonly from: NodeId;
  readonly to: NodeId;
  readonly term?: number;
  /**
   * Contract 2, optional: the implementation's own one-line summary for traces (at most 200
   * characters; control characters are stripped). Without it the driver summarises our core's
   * message shapes by their fields and any other message by type, term and a content digest.
   */
  readonly summary?: string;
}

export interface HardState {
  readonly term: number;
  readonly votedFor: NodeId | null;
}

export interface Snapshot {
  readonly lastIncludedIndex: number;
  readonly lastIncludedTerm: number;
  /** State machine digest after applying lastIncludedIndex. */
  readonly digest: number;
  /** The state machine itself, JSON-serializable. */
  readonly data: unknown;
}

/**
 * A durable write, applied by storage in this order: snapshot (entries up to its
 * lastIncludedIndex are dropped), truncateFrom (entries with index >= it are dropped), append
 * (the first appended index must be the storage's last index + 1).
 *
 * Its parts, in that order (hardState, snapshot, truncateFrom, then each appended entry), are
 * what a torn write keeps a prefix of.
 */
export interface DurableWrite {
  readonly hardState?: HardState;
  readonly snapshot?: Snapshot;
  readonly truncateFrom?: number;
  readonly append?: readonly Entry[];
  /**
   * Contract 2. Absent or true: an fsync point. This write and every earlier write of the node
   * are durable before the messages of this input are sent. false: written but buffered (no
   * fsync): it becomes durable at the node's next synced write, and a crash before that may
   * lose it (all of it, or a torn tail of the buffered writes, as the crash fault says).
   */
  readonly sync?: boolean;
}

export interface Applied {
  readonly index: number;
  readonly term: number;
  readonly command: Command | null;
  /** State machine digest after this entry. */
  readonly digest: number;
}

export type ProposalResult =
  | { readonly accepted: true; readonly index: number; readonly term: number }
  | { readonly accepted: false; readonly leaderHint: NodeId | null };

export interface Output {
  readonly messages: readonly Message[];
  /** One write; shorthand for `writes: [write]`. An output carries `write` or `writes`, not both. */
  readonly write?: DurableWrite;
  /** Contract 2: several writes, made in order (see {@link DurableWrite.sync}). */
  readonly writes?: readonly DurableWrite[];
  /** Entries applied to the state machine by this input, in index order, each exactly once. */
  readonly applied: readonly Applied[];
  /** The state machine was replaced by a snapshot (InstallSnapshot or restart). */
  readonly restored?: { readonly index: number; readonly term: number; readonly digest: number };
  /**
   * Virtual milliseconds until the node wants `tick()`. Replaces any earlier request;
   * undefined leaves the current one in place.
   */
  readonly timer?: number;
  /** Only for `propose`. */
  readonly proposal?: ProposalResult;
}

export type Role = 'follower' | 'candidate' | 'leader';

/** Read-only view for checkers and viewers. Logs are observed through durable writes. */
export interface Observation {
  readonly role: Role;
  readonly term: number;
  readonly votedFor: NodeId | null;
  readonly commitIndex: number;
  readonly lastApplied: number;
  readonly leaderId: NodeId | null;
}

/** What storage held when the node (re)starts; null on a first boot. */
export interface StoredState {
  readonly hardState: HardState;
  readonly snapshot: Snapshot | null;
  readonly log: readonly Entry[];
}

export interface Timing {
  /** Election timeout is drawn uniformly from [min, max] virtual ms. */
  readonly electionTimeoutMinMs: number;
  readonly electionTimeoutMaxMs: number;
  readonly heartbeatMs: number;
}

export interface NodeInit {
  readonly id: NodeId;
  /** All node ids of the cluster, including this one, ascending. */
  readonly cluster: readonly NodeId[];
  /** Uniform integer in [min, max]: the only randomness a node may use. */
  readonly randomInt: (min: number, max: number) => number;
  /**
   * Contract 2: a 32-bit seed for this instance, for an implementation that brings its own
   * generator (the stdin/stdout protocol hands it over instead of randomInt). It depends only
   * on the schedule's seed, the node id and how many times the node has booted.
   */
  readonly seed: number;
  readonly stored: StoredState | null;
  readonly timing: Timing;
  /** Take a snapshot when this many applied entries sit in the log; 0 turns compaction off. */
  readonly snapshotThreshold: number;
}

export interface RaftNode {
  /** First input after creation or restart: arm timers, restore the state machine. */
  start(): Output;
  /** The timer the node asked for has fired. */
  tick(): Output;
  receive(message: Message): Output;
  propose(command: Command): Output;
  /** The driver asks for a snapshot now (optional). */
  compact?(): Output;
  observe(): Observation;
  /**
   * Contract 2, optional: a string that is equal for two instances exactly when they would
   * behave the same from here on (role, term, vote, log, commit, applied state, timers armed).
   * Exhaustive search caches explored states by it; without it, it searches without caching.
   */
  fingerprint?(): string;
  /**
   * Contract 2, optional: the node crashed and this instance is dropped (its storage stays
   * with the driver). For an implementation that holds something outside the object, such as
   * an instance in another process.
   */
  destroy?(): void;
}

export interface NodeFactory {
  /** 1 or 2 (see {@link CONTRACT_VERSIONS}). */
  readonly contractVersion: number;
  readonly name: string;
  create(init: NodeInit): RaftNode;
  /**
   * Contract 2, optional: a run starts; drop anything kept from earlier runs. Called before
   * the run's first create().
   */
  beginRun?(): void;
}
