import type { Applied, DurableWrite, NodeId, Observation, Output } from '../raft/types.js';

/** What a checker sees of one node input: the node's state before and after, and its effects. */
export interface StepInfo {
  readonly node: NodeId;
  readonly step: number;
  readonly time: number;
  /** null right after a restart. */
  readonly before: Observation | null;
  readonly after: Observation;
  readonly write: DurableWrite | undefined;
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

export type Report = Omit<Finding, 'step' | 'time' | 'kind'>;

/** A safety checker: fed every node input in order; returns a report on the first violation. */
export interface Checker {
  readonly name: string;
  onStep(info: StepInfo): Report | null;
  /** The node lost its volatile state. */
  onCrash?(node: NodeId): void;
}
