import type { NodeId, Role } from '../raft/types.js';

/** What a trace records, one line per step. The viewer and the text renderer read only this. */
export type EventKind =
  | 'start'
  | 'deliver'
  | 'drop'
  | 'duplicate'
  | 'timer'
  | 'crash'
  | 'restart'
  | 'partition'
  | 'heal'
  | 'propose'
  | 'apply'
  | 'snapshot'
  | 'install-snapshot'
  | 'phase';

export interface NodeState {
  readonly role: Role;
  readonly term: number;
  readonly vote: NodeId | null;
  readonly commit: number;
  readonly applied: number;
}

/**
 * A log change: snapshot through [index, term], truncate from, append [index, term, command id].
 * `sync: false`: written but not yet durable. `reset` (on a crash that lost writes): the log is
 * replaced by exactly this snapshot and these entries, what survived on disk.
 */
export interface LogChange {
  readonly snap?: readonly [number, number];
  readonly trunc?: number;
  readonly app?: readonly (readonly [number, number, string | null])[];
  readonly sync?: false;
  readonly reset?: true;
}

export interface TraceEvent {
  readonly step: number;
  /** Virtual time, ms. */
  readonly t: number;
  readonly kind: EventKind;
  /** The node the event happens to (0 for cluster-wide events). */
  readonly node: NodeId;
  readonly from?: NodeId;
  /** A one-line message summary. */
  readonly msg?: string;
  /** Why a message was dropped, what a fault did, what a proposal got. */
  readonly note?: string;
  /** Links cut (partition) or restored (heal), as [from, to] pairs. */
  readonly links?: readonly (readonly [NodeId, NodeId])[];
  /** The node's state after the event. */
  readonly state?: NodeState;
  readonly log?: LogChange;
  /** Several writes of one input, or unsynced ones, in order (one synced change is `log`). */
  readonly logs?: readonly LogChange[];
  /** A crash with unsynced writes: [parts buffered, parts kept]. */
  readonly lost?: readonly [number, number];
  /** Applied entries [first, last] and the state digest after the last. */
  readonly apply?: readonly [number, number, number];
}
