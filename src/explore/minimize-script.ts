import type { SafetyInvariant } from '../check/checkers.js';
import { runChecked } from '../check/run.js';
import type { NodeFactory } from '../raft/types.js';
import type { Schedule } from '../sim/schedule.js';
import type { TraceEvent } from '../sim/events.js';
import { scriptFromEvents, type ScriptStep } from '../sim/script.js';
import { sizeOf } from '../trace/record.js';
import { minimizeSchedule, shorterWindow, sparseHeartbeatMs, stalledInFairWindow, type Minimized } from './minimize.js';

/**
 * The last and strongest shrinking stage. A failing timed run is turned into the script of
 * its decisions (every timer, delivery, loss, crash, restart and proposal), then steps are
 * deleted, in halves down to one at a time (delta debugging), while the same invariant still
 * fails. Deleting a heartbeat is now one change that leaves every other decision alone, which
 * is what a timed schedule cannot offer: there, any change re-rolls everything after it.
 * Null when the failure is neither a safety nor a liveness finding, or the script does not repeat it.
 */
export function minimizeAsScript(
  factory: NodeFactory,
  schedule: Schedule,
  invariant: string,
  budgetMs: number,
  now: () => number = Date.now,
  maxRuns = Infinity,
  invariants?: readonly SafetyInvariant[],
  onTry?: (m: Minimized | null, runs: number) => void,
): Minimized | null {
  if (budgetMs <= 0 || maxRuns <= 0) return null;
  const start = now();
  let runs = 1;
  const recorded = runChecked(factory, schedule, { record: true, invariants });
  const found = recorded.finding;
  if (found === null || found.invariant !== invariant || !(found.kind === 'safety' || found.invariant === 'liveness')) return null;
  // A liveness finding keeps its window: the script is the faulty phase, then the run heals.
  const liveness = found.kind === 'liveness';
  let base: Schedule = {
    ...schedule,
    net: { seed: null, choices: [] },
    faults: [],
    proposals: [],
    livenessWindowMs: liveness ? schedule.livenessWindowMs : 0,
  };
  const faultyPhase = (events: readonly TraceEvent[]): readonly TraceEvent[] => {
    if (!liveness) return events;
    const healed = events.findIndex((e) => e.kind === 'phase');
    return healed < 0 ? events : events.slice(0, healed);
  };
  let smallest = Infinity;
  const attempt = (steps: readonly ScriptStep[]): Minimized | null => {
    let m = tryScript(steps);
    // A kept candidate in a shortened window must stall through the full one too.
    if (m !== null && liveness && m.size.events <= smallest) {
      runs++;
      if (!stalledInFairWindow(factory, m.schedule, invariants)) m = null;
    }
    if (m !== null) smallest = Math.min(smallest, m.size.events);
    onTry?.(m, runs);
    return m;
  };
  const tryScript = (steps: readonly ScriptStep[]): Minimized | null => {
    runs++;
    const s = withScript(base, steps);
    const r = runChecked(factory, s, { invariants });
    if (r.finding === null || r.finding.invariant !== invariant || r.script === undefined) return null;
    // Steps that did nothing, and all after the violation, go at once: the run is the same.
    const skipped = new Set(r.script.skipped);
    const end = r.script.stoppedAt ?? steps.length - 1;
    const kept = steps.filter((_, i) => i <= end && !skipped.has(i));
    const cleaned = withScript(base, kept);
    return { schedule: cleaned, finding: r.finding, size: sizeOf(cleaned, r), runs };
  };
  let best = attempt(scriptFromEvents(faultyPhase(recorded.events!)));
  if (best === null) return null;
  const outOfBudget = () => runs >= maxRuns || now() - start > budgetMs;
  for (;;) {
    const before = best.size.events;
    // A stalled cluster's window is mostly heartbeats: as sparse as safe, and the shortest fair window.
    const sparse = sparseHeartbeatMs(base);
    if (liveness && base.timing.heartbeatMs < sparse && !outOfBudget()) {
      const dense = base;
      base = { ...base, timing: { ...base.timing, heartbeatMs: sparse } };
      const r = attempt(best.schedule.script!);
      if (r !== null && r.size.events <= best.size.events) best = r;
      else base = dense;
    }
    for (let w = liveness ? shorterWindow(best.schedule) : null; w !== null && !outOfBudget(); w = shorterWindow(best.schedule)) {
      const longer = base;
      base = { ...base, livenessWindowMs: w.livenessWindowMs };
      const r = attempt(best.schedule.script!);
      if (r === null || r.size.events > best.size.events) {
        base = longer;
        break;
      }
      best = r;
    }
    best = deleteSteps(best, attempt, outOfBudget);
    if (best.size.events >= before || outOfBudget()) break;
    // Deleted steps leave later ones naming messages by their old summaries (found by type);
    // re-reading the run gives every step its message's own summary, and opens new deletions.
    runs++;
    const again = attempt(scriptFromEvents(faultyPhase(runChecked(factory, best.schedule, { record: true, invariants }).events!)));
    if (again === null || again.size.events > best.size.events) break;
    best = again;
  }
  return { ...simplerCrashes(best, attempt, outOfBudget), runs };
}

/** Crash steps that lose no writes, wherever the failure does not need the loss. */
function simplerCrashes(first: Minimized, attempt: (steps: readonly ScriptStep[]) => Minimized | null, outOfBudget: () => boolean): Minimized {
  let best = first;
  for (let i = best.schedule.script!.length - 1; i >= 0 && !outOfBudget(); i--) {
    const st = best.schedule.script![i];
    if (st === undefined || st.do !== 'crash' || st.loss === undefined) continue;
    const { loss: _loss, keep: _keep, ...plain } = st;
    const r = attempt(best.schedule.script!.map((x, j) => (j === i ? plain : x)));
    if (r !== null && r.size.events <= best.size.events) best = r;
  }
  return best;
}

export interface StageLimits {
  /** When the stages started, on `now`'s clock. */
  readonly start: number;
  /** The greedy pass ends this many ms after `start`, the scripted one at `untilMs`. */
  readonly greedyUntilMs: number;
  readonly untilMs: number;
  readonly now: () => number;
  readonly greedyRuns: number;
  readonly scriptRuns: number;
  /** The safety invariants checked (default: all). */
  readonly invariants?: readonly SafetyInvariant[];
  /** After every run of either stage: the smallest failure so far and the runs so far. */
  readonly onProgress?: (best: Minimized, runs: number) => void;
}

/**
 * The stages after fast-check's shrinker: the greedy pass over a timed schedule, then the
 * scripted one (a scripted schedule goes straight to it). The smallest failure wins; `runs`
 * counts both stages' runs on top of `from`'s.
 */
export function greedyThenScript(factory: NodeFactory, from: Minimized, invariant: string, l: StageLimits): Minimized {
  const left = (until: number) => Math.max(0, until - (l.now() - l.start));
  let best = from;
  let runs = from.runs;
  // Each stage counts its own runs from 0; progress shows the total and the smallest yet.
  const watch = (before: number) => (m: Minimized | null, stageRuns: number): void => {
    if (m !== null && m.size.events <= best.size.events) best = m;
    l.onProgress?.(best, before + stageRuns);
  };
  const greedy = from.schedule.script === undefined ? minimizeSchedule(factory, from.schedule, invariant, left(l.greedyUntilMs), l.now, l.greedyRuns, l.invariants, watch(runs)) : null;
  runs += greedy?.runs ?? 0;
  if (greedy !== null && greedy.size.events <= best.size.events) best = greedy;
  const scripted = minimizeAsScript(factory, best.schedule, invariant, left(l.untilMs), l.now, l.scriptRuns, l.invariants, watch(runs));
  runs += scripted?.runs ?? 0;
  if (scripted !== null && scripted.size.events <= best.size.events) best = scripted;
  return { ...best, runs };
}

/** Delta debugging over the steps; returns the smallest failing script it reaches. */
function deleteSteps(first: Minimized, attempt: (steps: readonly ScriptStep[]) => Minimized | null, outOfBudget: () => boolean): Minimized {
  let best = first;
  const steps = (): readonly ScriptStep[] => best.schedule.script!;

  // Sweeps from halves down to single steps, from the end backwards (late steps depend on
  // early ones, not the other way round), until a whole sweep deletes nothing.
  for (let sweepChanged = true; sweepChanged && !outOfBudget(); ) {
    sweepChanged = false;
    for (let chunk = Math.max(1, steps().length >> 1); chunk >= 1 && !outOfBudget(); chunk = chunk === 1 ? 0 : Math.max(1, chunk >> 1)) {
      for (let i = steps().length - chunk; i > -chunk && !outOfBudget(); i -= chunk) {
        const from = Math.max(0, i);
        const list = steps();
        const r = attempt([...list.slice(0, from), ...list.slice(i + chunk)]);
        if (r !== null && r.size.events <= best.size.events) {
          best = r;
          sweepChanged = true;
        }
      }
    }
  }
  return best;
}

function withScript(base: Schedule, steps: readonly ScriptStep[]): Schedule {
  return { ...base, durationMs: steps.length === 0 ? 0 : steps[steps.length - 1].t, script: steps };
}
