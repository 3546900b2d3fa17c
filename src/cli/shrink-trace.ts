import { runChecked } from '../check/run.js';
import type { Minimized } from '../explore/minimize.js';
import { greedyThenScript } from '../explore/minimize-script.js';
import type { NodeFactory } from '../raft/types.js';
import type { TraceFile } from '../trace/format.js';
import { sizeOf, toTrace } from '../trace/record.js';
import type { ShrinkOutcome } from './protocol.js';
import { scenarioOfTrace } from '../scenario/runner.js';
import { scriptFromEvents } from '../sim/script.js';
import type { Schedule } from '../sim/schedule.js';

/**
 * `raft-check shrink`'s work, done in a worker under the watchdog: re-runs the trace's
 * schedule, shrinks it within the budget (the clock `now` may jump when the user interrupts,
 * which keeps the best schedule so far) and records the result.
 */
export function shrinkTrace(factory: NodeFactory, trace: TraceFile, implementation: TraceFile['implementation'], budgetMs: number, now: () => number): ShrinkOutcome {
  const invariant = trace.violation!.invariant;
  const start = now();
  const scenario = scenarioOfTrace(trace);
  if (scenario !== null && trace.violation!.kind !== 'safety') {
    return { kind: 'unshrinkable', reason: `${invariant} is scenario ${scenario}'s own check, which holds only inside its script; shrink takes the safety findings a scenario trips (replay this trace to see it)` };
  }
  // A scenario is a program, not a schedule: its recording, as a script, is the run to shrink.
  const schedule = scenario === null ? trace.schedule : scriptOfRecording(trace);
  const first = runChecked(factory, schedule);
  if (first.finding === null || first.finding.invariant !== invariant) return { kind: 'gone', finding: first.finding };
  const before = scenario === null ? sizeOf(schedule, first) : { ...sizeOf(schedule, first), events: trace.events.length };
  const from: Minimized = { schedule, finding: first.finding, size: sizeOf(schedule, first), runs: 1 };
  const result = budgetMs <= 0 ? from : greedyThenScript(factory, from, invariant, { start, greedyUntilMs: budgetMs, untilMs: budgetMs, now, greedyRuns: Infinity, scriptRuns: Infinity });
  const ms = now() - start;
  const recorded = runChecked(factory, result.schedule, { record: true });
  const after = sizeOf(result.schedule, recorded);
  const shrunk = toTrace(
    {
      implementation,
      profile: scenario === null ? trace.profile : `from-scenario:${scenario}`,
      seed: trace.seed,
      path: null,
      shrink: { before: trace.shrink?.before ?? before, after, runs: (trace.shrink?.runs ?? 0) + result.runs },
    },
    result.schedule,
    recorded,
  );
  return { kind: 'shrunk', trace: shrunk, before, after, runs: result.runs, ms };
}

/** A scenario trace's recording as a scripted schedule: the same steps, nothing else. */
function scriptOfRecording(trace: TraceFile): Schedule {
  const steps = scriptFromEvents(trace.events);
  const s = trace.schedule as Schedule;
  return { ...s, net: { seed: null, choices: [] }, faults: [], proposals: [], livenessWindowMs: 0, durationMs: steps.length === 0 ? 0 : steps[steps.length - 1].t, script: steps };
}
