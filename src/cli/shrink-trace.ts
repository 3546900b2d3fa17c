import { runChecked } from '../check/run.js';
import type { Minimized } from '../explore/minimize.js';
import { greedyThenScript } from '../explore/minimize-script.js';
import type { NodeFactory } from '../raft/types.js';
import type { TraceFile } from '../trace/format.js';
import { sizeOf, toTrace } from '../trace/record.js';
import type { ShrinkOutcome } from './protocol.js';

/**
 * `raft-check shrink`'s work, done in a worker under the watchdog: re-runs the trace's
 * schedule, shrinks it within the budget (the clock `now` may jump when the user interrupts,
 * which keeps the best schedule so far) and records the result.
 */
export function shrinkTrace(factory: NodeFactory, trace: TraceFile, implementation: TraceFile['implementation'], budgetMs: number, now: () => number): ShrinkOutcome {
  const invariant = trace.violation!.invariant;
  const start = now();
  const first = runChecked(factory, trace.schedule);
  if (first.finding === null || first.finding.invariant !== invariant) return { kind: 'gone', finding: first.finding };
  const before = sizeOf(trace.schedule, first);
  const from: Minimized = { schedule: trace.schedule, finding: first.finding, size: before, runs: 1 };
  const result = budgetMs <= 0 ? from : greedyThenScript(factory, from, invariant, { start, greedyUntilMs: budgetMs, untilMs: budgetMs, now, greedyRuns: Infinity, scriptRuns: Infinity });
  const ms = now() - start;
  const recorded = runChecked(factory, result.schedule, { record: true });
  const after = sizeOf(result.schedule, recorded);
  const shrunk = toTrace(
    {
      implementation,
      profile: trace.profile,
      seed: trace.seed,
      path: null,
      shrink: { before: trace.shrink?.before ?? before, after, runs: (trace.shrink?.runs ?? 0) + result.runs },
    },
    result.schedule,
    recorded,
  );
  return { kind: 'shrunk', trace: shrunk, before, after, runs: result.runs, ms };
}
