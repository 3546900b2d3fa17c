import { runChecked } from '../../check/run.js';
import type { NodeFactory } from '../../raft/types.js';
import { sizeOf } from '../../trace/record.js';
import type { Bounds } from './choices.js';
import { scriptSchedule } from './execution.js';
import { drive, exhaustive } from './exhaustive.js';

/**
 * The bounds `bench --bugs` searches for a bug's shortest counterexample: one crash and one
 * client command reach every election and persistence bug; iterative deepening stops at the
 * first violation, so only the budget of time decides how deep it gets.
 */
export const SHORTEST_BOUNDS: Bounds = { depth: 30, crashes: 1, drops: 0, duplicates: 0, proposals: 1, terms: 2, messages: 12 };

export interface Shortest {
  readonly invariant: string;
  /** Script steps. */
  readonly steps: number;
  /** Trace events of its recording: the unit the shrinker's sizes are in. */
  readonly events: number;
  readonly ms: number;
}

/** The shortest counterexample within SHORTEST_BOUNDS, or null when the budget runs out first (or none exists). */
export function shortestCounterexample(factory: NodeFactory, nodes: number, budgetMs: number, now: () => number): Shortest | null {
  const setup = { factory, nodes, seed: 1, snapshotThreshold: 0 };
  const start = now();
  const r = drive(exhaustive({ setup, bounds: SHORTEST_BOUNDS }), () => now() - start > budgetMs);
  if (r === null || r.end.kind !== 'violation') return null;
  const schedule = scriptSchedule(setup, r.end.path);
  const run = runChecked(factory, schedule, { record: true });
  return { invariant: r.end.finding.invariant, steps: r.end.path.length, events: sizeOf(schedule, run).events, ms: Math.round(now() - start) };
}
