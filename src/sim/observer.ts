import type { Applied, DurableWrite, NodeId, Observation, Output, StoredState } from '../raft/types.js';

/** What a checker sees of one node input: the node's state before and after, and its effects. */
export interface StepInfo {
  readonly node: NodeId;
  readonly step: number;
  readonly time: number;
  /** null right after a restart. */
  readonly before: Observation | null;
  readonly after: Observation;
  /**
   * The input's writes in order (an output's `write` is the one-element list). The synced
   * ones, and every write before the last synced one, are durable once the input is done.
   */
  readonly writes: readonly DurableWrite[];
  readonly applied: readonly Applied[];
  readonly restored: Output['restored'];
}

export type FindingKind = 'safety' | 'liveness' | 'implementation' | 'assertion';

export interface Finding {
  /** The checker's name, e.g. `state-machine-safety`. */
  readonly invariant: string;
  readonly kind: FindingKind;
  readonly step: number;
  readonly time: number;
  readonly nodes: readonly NodeId[];
  readonly index?: number;
  readonly terms?: readonly number[];
  /** One sentence a person can read. */
  readonly message: string;
}

/** What a crash left on the node's disk. */
export interface CrashInfo {
  /** Some unsynced writes, or parts of them, were lost. */
  readonly lost: boolean;
  /** The disk after the crash: what the node restarts with. */
  readonly stored: StoredState | null;
}

export type Report = Omit<Finding, 'step' | 'time' | 'kind'>;

/** A safety checker: fed every node input in order; returns a report on the first violation. */
export interface Checker {
  readonly name: string;
  onStep(info: StepInfo): Report | null;
  /** The node lost its volatile state, and maybe unsynced writes (see {@link CrashInfo}). */
  onCrash?(node: NodeId, info: CrashInfo): void;
}
