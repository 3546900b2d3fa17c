import type { NodeFactory } from '../raft/types.js';
import type { TraceEvent } from '../sim/events.js';
import type { Finding } from '../sim/observer.js';
import type { TraceFile } from '../trace/format.js';
import { TraceError } from '../trace/error.js';
import { toTrace, type TraceMeta } from '../trace/record.js';
import type { ReplayResult } from '../trace/replay.js';
import { Ctx, runScript, type Scenario } from './dsl.js';
import { findScenario, SCENARIO_NAMES } from './registry.js';

/** A scenario trace's `profile`: `scenario:<name>`; with its `seed`, all a replay needs. */
export const PROFILE_PREFIX = 'scenario:';

export interface ScenarioOptions {
  readonly factory: NodeFactory;
  readonly seed: number;
  /** The trace header's `implementation`. */
  readonly implementation: TraceMeta['implementation'];
  /** Record every event for a trace (default true); bulk runs leave it off and re-run failures. */
  readonly record?: boolean;
}

export interface ScenarioResult {
  readonly scenario: string;
  readonly seed: number;
  readonly ok: boolean;
  /** The failed assertion (kind 'assertion') or the checker's finding. */
  readonly finding: Finding | null;
  /** The recorded run; null when `record` was off. */
  readonly trace: TraceFile | null;
  /** Simulator events processed. */
  readonly events: number;
  readonly virtualMs: number;
  /** What the lab would only print (the run still passes). */
  readonly warnings: readonly string[];
  /** With `record`: every message sent and its fate (kept beside the trace, not in it). */
  readonly messages?: ReplayResult['messages'];
}

/** An unknown scenario name: the message lists the valid ones. */
export class UnknownScenarioError extends Error {
  override readonly name = 'UnknownScenarioError';
  constructor(readonly scenario: string) {
    super(`unknown scenario "${scenario}"; the scenarios are: ${SCENARIO_NAMES.join(', ')}`);
  }
}

export function scenarioNamed(name: string): Scenario {
  const s = findScenario(name);
  if (s === undefined) throw new UnknownScenarioError(name);
  return s;
}

/** Runs one scenario with one seed against an implementation. Same inputs, same run. */
export function runScenario(name: string, o: ScenarioOptions): ScenarioResult {
  const scenario = scenarioNamed(name);
  const record = o.record ?? true;
  const s = new Ctx({ factory: o.factory, seed: o.seed, record });
  const finding = runScript(s, scenario.script);
  if (s.n !== scenario.nodes) throw new Error(`scenario ${name} declares ${scenario.nodes} nodes but runs ${s.n}`);
  const run = s.sim.result();
  const trace = record
    ? toTrace({ implementation: o.implementation, profile: `${PROFILE_PREFIX}${name}`, seed: o.seed, path: null }, s.runSchedule, { ...run, finding })
    : null;
  return { scenario: name, seed: o.seed, ok: finding === null, finding, trace, events: run.stats.events, virtualMs: run.stats.virtualMs, warnings: s.warnings, messages: run.messages };
}

export interface ScenariosOptions {
  readonly factory: NodeFactory;
  readonly implementation: TraceMeta['implementation'];
  readonly names: readonly string[];
  readonly seeds: readonly number[];
  /** Called after each (scenario, seed) run, failures with their recorded trace. */
  readonly onResult?: (r: ScenarioResult) => void;
}

export interface ScenarioSummary {
  readonly scenario: string;
  readonly runs: number;
  readonly passed: number;
  /** Failing seeds with their findings and traces, in seed order. */
  readonly failures: readonly ScenarioResult[];
  readonly events: number;
  readonly virtualMs: number;
  readonly warnings: number;
}

/**
 * Runs scenarios over seeds, as students run a test many times to catch a rare failure. Runs
 * are not recorded; a failing one is run again with recording for its trace (the runs are
 * deterministic, so the second run fails the same way).
 */
export function runScenarios(o: ScenariosOptions): ScenarioSummary[] {
  const out: ScenarioSummary[] = [];
  for (const name of o.names) {
    scenarioNamed(name);
    const failures: ScenarioResult[] = [];
    let events = 0;
    let virtualMs = 0;
    let warnings = 0;
    for (const seed of o.seeds) {
      let r = runScenario(name, { factory: o.factory, implementation: o.implementation, seed, record: false });
      if (!r.ok) r = runScenario(name, { factory: o.factory, implementation: o.implementation, seed, record: true });
      events += r.events;
      virtualMs += r.virtualMs;
      warnings += r.warnings.length;
      if (!r.ok) failures.push(r);
      o.onResult?.(r);
    }
    out.push({ scenario: name, runs: o.seeds.length, passed: o.seeds.length - failures.length, failures, events, virtualMs, warnings });
  }
  return out;
}

/** The scenario a trace came from (`profile` is `scenario:<name>`), or null for a schedule trace. */
export function scenarioOfTrace(trace: Pick<TraceFile, 'profile'>): string | null {
  return trace.profile.startsWith(PROFILE_PREFIX) ? trace.profile.slice(PROFILE_PREFIX.length) : null;
}

/**
 * Replays a scenario trace: a directed run is not a Schedule, so it is re-run from its scenario
 * name and seed and compared with the recording step for step, as `replayTrace` does for
 * schedule traces.
 */
export function replayScenarioTrace(trace: TraceFile, factory: NodeFactory, file = 'trace'): ReplayResult {
  const name = scenarioOfTrace(trace);
  if (name === null) throw new TraceError(`${file}: not a scenario trace (profile is "${trace.profile}")`);
  if (findScenario(name) === undefined) throw new TraceError(`${file}: recorded from scenario "${name}", which this raft-check does not have`);
  if (trace.seed === null) throw new TraceError(`${file}: a scenario trace needs its seed`);
  const run = runScenario(name, { factory, seed: trace.seed, implementation: trace.implementation, record: true });
  const got = run.trace!.events as readonly TraceEvent[];
  const want = trace.events;
  const n = Math.max(got.length, want.length);
  for (let i = 0; i < n; i++) {
    const a = i < want.length ? canonical(want[i]) : null;
    const b = i < got.length ? canonical(got[i]) : null;
    if (a !== b) return { reproduced: false, divergence: { step: i, expected: a, actual: b }, violation: run.finding, events: got };
  }
  const expected = canonical(trace.violation);
  const actual = canonical(run.trace!.violation);
  if (expected !== actual) {
    return { reproduced: false, divergence: { step: got.length, expected, actual }, violation: run.finding, events: got };
  }
  return { reproduced: true, divergence: null, violation: run.finding, events: got, messages: run.messages };
}

/**
 * JSON with object keys sorted and undefined members dropped: a trace read from disk has its
 * keys in the schema's order, a fresh run in the simulator's.
 */
function canonical(value: unknown): string {
  return (
    JSON.stringify(value, (_key, v: unknown) => {
      if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
      const o = v as Record<string, unknown>;
      const sorted: Record<string, unknown> = {};
      for (const k of Object.keys(o).sort()) if (o[k] !== undefined) sorted[k] = o[k];
      return sorted;
    }) ?? 'null'
  );
}
