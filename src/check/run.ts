import type { NodeFactory } from '../raft/types.js';
import type { Schedule } from '../sim/schedule.js';
import { runSimulation, type RunResult } from '../sim/simulator.js';
import { SAFETY_INVARIANTS, SafetyChecker, type SafetyInvariant } from './checkers.js';

export interface CheckedRunOptions {
  readonly record?: boolean;
  readonly maxEvents?: number;
  /** The safety invariants to check; all by default (a trace replays with those it recorded). */
  readonly invariants?: readonly SafetyInvariant[];
}

/** One simulated run with every safety checker on, and liveness checked at the end. */
export function runChecked(factory: NodeFactory, schedule: Schedule, options: CheckedRunOptions = {}): RunResult {
  return runSimulation({
    factory,
    schedule,
    checkers: [new SafetyChecker(schedule.nodes, new Set(options.invariants ?? SAFETY_INVARIANTS))],
    record: options.record ?? false,
    maxEvents: options.maxEvents,
  });
}
