import type { SafetyInvariant } from '../check/checkers.js';
import { runChecked } from '../check/run.js';
import type { NodeFactory } from '../raft/types.js';
import type { Finding } from '../sim/observer.js';
import type { Schedule } from '../sim/schedule.js';
import type { TraceSize } from '../trace/format.js';
import { sizeOf } from '../trace/record.js';
import { LIVENESS_WINDOW_TIMEOUTS } from './arbitraries.js';

export interface Minimized {
  readonly schedule: Schedule;
  readonly finding: Finding;
  readonly size: TraceSize;
  readonly runs: number;
}

/**
 * Greedy minimization after fast-check's shrinker: drop whatever comes after the violation,
 * then each fault, proposal and network misbehaviour in turn, keeping a change when the same
 * invariant still fails in no more steps. Each pass is cheap and they repeat to a fixpoint or
 * until the budget runs out.
 */
export function minimizeSchedule(
  factory: NodeFactory,
  schedule: Schedule,
  invariant: string,
  budgetMs: number,
  now: () => number = Date.now,
  maxRuns = Infinity,
  invariants?: readonly SafetyInvariant[],
  onTry?: (m: Minimized | null, runs: number) => void,
): Minimized | null {
  const start = now();
  let runs = 0;
  let smallest = Infinity;
  const attempt = (s: Schedule): Minimized | null => {
    runs++;
    const r = runChecked(factory, s, { invariants });
    let m = r.finding !== null && r.finding.invariant === invariant ? { schedule: s, finding: r.finding, size: sizeOf(s, r), runs } : null;
    // Only a candidate that would be kept pays for the check in the full window.
    if (m !== null && m.size.events <= smallest && m.finding.invariant === 'liveness') {
      runs++;
      if (!stalledInFairWindow(factory, s, invariants)) m = null;
    }
    if (m !== null) smallest = Math.min(smallest, m.size.events);
    onTry?.(m, runs);
    return m;
  };
  let best = attempt(schedule);
  if (best === null) return null;
  const outOfTime = () => runs >= maxRuns || now() - start > budgetMs;
  const tryOne = (s: Schedule): boolean => {
    if (outOfTime()) return false;
    const r = attempt(s);
    if (r === null || r.size.events > best!.size.events) return false;
    best = r;
    return true;
  };

  for (let changed = true; changed && !outOfTime(); ) {
    changed = false;
    const cur = (): Schedule => best!.schedule;
    // Nothing after the violation matters.
    const t = best.finding.time;
    if (best.finding.kind === 'safety' && (cur().durationMs > t + 1 || cur().faults.some((f) => f.at > t) || cur().proposals.some((p) => p > t))) {
      changed = tryOne({ ...cur(), durationMs: Math.min(cur().durationMs, t + 1), faults: cur().faults.filter((f) => f.at <= t), proposals: cur().proposals.filter((p) => p <= t) }) || changed;
    }
    for (let i = cur().faults.length - 1; i >= 0; i--) {
      changed = tryOne({ ...cur(), faults: cur().faults.filter((_, j) => j !== i) }) || changed;
    }
    changed = removeChunks(cur, (proposals) => tryOne({ ...cur(), proposals })) || changed;
    const k = cur().network;
    for (const knob of ['dropPerMille', 'dupPerMille', 'slowPerMille'] as const) {
      if (k[knob] > 0) changed = tryOne({ ...cur(), network: { ...cur().network, [knob]: 0 } }) || changed;
    }
    if (cur().net.choices.length > 0) changed = tryOne({ ...cur(), net: { ...cur().net, choices: [] } }) || changed;
    if (cur().net.seed !== null) changed = tryOne({ ...cur(), net: { ...cur().net, seed: null } }) || changed;
    changed = straighten(cur, (choices) => tryOne({ ...cur(), net: { ...cur().net, choices } })) || changed;
    // A crash that loses nothing is the simpler story, when it is enough.
    for (let i = cur().faults.length - 1; i >= 0; i--) {
      const f = cur().faults[i];
      if (f.kind !== 'crash' || f.loss === undefined) continue;
      const { loss: _loss, keep: _keep, ...plain } = f;
      changed = tryOne({ ...cur(), faults: cur().faults.map((g, j) => (j === i ? plain : g)) }) || changed;
    }
    for (let i = cur().faults.length - 1; i >= 0; i--) {
      const f = cur().faults[i];
      const shorter = f.kind === 'crash' ? { ...f, downMs: Math.max(1, f.downMs >> 1) } : { ...f, durationMs: Math.max(1, f.durationMs >> 1) };
      changed = tryOne({ ...cur(), faults: cur().faults.map((g, j) => (j === i ? shorter : g)) }) || changed;
    }
    // Fewer steps for the same story: everything sooner, and heartbeats as sparse as safe.
    for (const k of [0.5, 0.75, 0.9]) {
      if (cur().faults.length + cur().proposals.length > 0) changed = tryOne(compress(cur(), k)) || changed;
    }
    for (let i = cur().faults.length - 1; i >= 0; i--) {
      for (const k of [0.5, 0.9]) {
        const f = cur().faults[i];
        if (f.at < 2) continue;
        changed = tryOne({ ...cur(), faults: cur().faults.map((g, j) => (j === i ? { ...g, at: Math.floor(g.at * k) } : g)) }) || changed;
      }
    }
    const window = shorterWindow(cur());
    if (best.finding.invariant === 'liveness' && window !== null) changed = tryOne(window) || changed;
    const sparse = sparseHeartbeatMs(cur());
    if (cur().timing.heartbeatMs < sparse) changed = tryOne({ ...cur(), timing: { ...cur().timing, heartbeatMs: sparse } }) || changed;
    if (cur().drift.some((d) => d !== 1000)) changed = tryOne({ ...cur(), drift: cur().drift.map(() => 1000) }) || changed;
  }
  return { ...best, runs };
}

/**
 * The liveness window never shrinks below this many longest election timeouts. A window this
 * short is no claim by itself: after a chaotic faulty phase our correct core misses it in
 * about one run in nine (390 of 3,000 sampled chaos schedules). So a shrunk liveness finding
 * also has to stall through the run's full window (see {@link stalledInFairWindow}).
 */
export const MIN_WINDOW_TIMEOUTS = 4;

/**
 * Whether a schedule whose liveness window was shrunk still stalls when given the full
 * window exploration gives every run, in which the correct core always makes progress: a
 * shrunk trace then shows a stall that is the implementation's, not the short window's.
 */
export function stalledInFairWindow(factory: NodeFactory, s: Schedule, invariants?: readonly SafetyInvariant[]): boolean {
  const fair = LIVENESS_WINDOW_TIMEOUTS * s.timing.electionTimeoutMaxMs;
  if (s.livenessWindowMs >= fair) return true;
  const r = runChecked(factory, { ...s, livenessWindowMs: fair }, { invariants });
  return r.finding !== null && r.finding.invariant === 'liveness';
}

/**
 * The sparsest heartbeat a correct leader keeps its followers with on this schedule's healed
 * network: a heartbeat sent on the slowest clock and delayed the longest still arrives before
 * the earliest election timeout on the fastest clock, and never sparser than four fifths of the
 * shortest timeout. A stalled cluster's window is mostly heartbeats; this thins them without
 * letting a correct cluster fall into elections the bug did not cause (our correct core, at
 * this heartbeat in the full window, made progress in all of 3,000 sampled chaos schedules).
 */
export function sparseHeartbeatMs(s: Schedule): number {
  const rates = s.drift.length === 0 ? [1] : s.drift.map((d) => d / 1000);
  const fastest = Math.min(...rates);
  const slowest = Math.max(...rates);
  const min = s.timing.electionTimeoutMinMs;
  const arrivesInTime = Math.ceil((min * fastest - s.network.delayMaxMs) / slowest) - 1;
  return Math.max(1, Math.min(Math.floor((min * 4) / 5), arrivesInTime));
}

/** The schedule with half its liveness window (never below the floor); null at the floor. */
export function shorterWindow(s: Schedule): Schedule | null {
  const floor = MIN_WINDOW_TIMEOUTS * s.timing.electionTimeoutMaxMs;
  const next = Math.max(floor, Math.floor(s.livenessWindowMs / 2));
  return next < s.livenessWindowMs ? { ...s, livenessWindowMs: next } : null;
}

/** Tries dropping halves, quarters, ... then single proposals. */
function removeChunks(cur: () => Schedule, accept: (proposals: number[]) => boolean): boolean {
  let changed = false;
  for (let chunk = Math.max(1, cur().proposals.length >> 1); chunk >= 1; chunk >>= 1) {
    for (let i = cur().proposals.length - chunk; i >= 0; i -= chunk) {
      const list = cur().proposals;
      if (accept([...list.slice(0, i), ...list.slice(i + chunk)])) changed = true;
    }
    if (chunk === 1) break;
  }
  return changed;
}

/** The same faults and proposals at `k` times their instants and durations. */
function compress(s: Schedule, k: number): Schedule {
  const at = (t: number) => Math.floor(t * k);
  return {
    ...s,
    faults: s.faults.map((f) => (f.kind === 'crash' ? { ...f, at: at(f.at), downMs: Math.max(1, at(f.downMs)) } : { ...f, at: at(f.at), durationMs: Math.max(1, at(f.durationMs)) })),
    proposals: s.proposals.map(at),
    durationMs: Math.max(1, at(s.durationMs)),
  };
}

/** Sets runs of network choices to 0 (on time), halves first, down to runs of 8. */
function straighten(cur: () => Schedule, accept: (choices: number[]) => boolean): boolean {
  let changed = false;
  for (let chunk = Math.max(8, cur().net.choices.length >> 1); chunk >= 8; chunk >>= 1) {
    for (let i = 0; i < cur().net.choices.length; i += chunk) {
      const list = cur().net.choices;
      if (list.slice(i, i + chunk).every((c) => c === 0)) continue;
      if (accept(list.map((c, j) => (j >= i && j < i + chunk ? 0 : c)))) changed = true;
    }
  }
  return changed;
}
