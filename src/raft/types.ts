/**
 * The node contract, version 1: the only way the simulator talks to a Raft node.
 *
 * A node is a pure state machine. The driver feeds it one input at a time (start, tick,
 * receive, propose, compact) and gets an {@link Output} back. The driver makes `write` durable
 * before it sends `messages`, so a reply never gets ahead of the state it depends on.
 * Our core (`./node.ts`) is the first implementation; users plug in their own through
 * {@link NodeFactory}.
 */
export const CONTRACT_VERSION = 1;

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
 */
export interface DurableWrite {
  readonly hardState?: HardState;
  readonly snapshot?: Snapshot;
  readonly truncateFrom?: number;
  readonly append?: readonly Entry[];
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
  readonly write?: DurableWrite;
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
}

export interface NodeFactory {
  readonly contractVersion: typeof CONTRACT_VERSION;
  readonly name: string;
  create(init: NodeInit): RaftNode;
}
