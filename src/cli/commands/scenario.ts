import { randomInt } from 'node:crypto';
import { join } from 'node:path';
import { EXIT, UsageError, type ExitCode } from '../errors.js';
import { describeSpec, implFlag, implementationInfo, importHang, loadFactory, userSpec, type ImplSpec } from '../impl.js';
import { checkOutDir } from '../out-dir.js';
import { SEED_MAX } from '../options.js';
import { renderCount, renderDuration, renderFinding, shellQuote, cliCommand, counted, didYouMean } from '../text.js';
import type { BugName } from '../../raft/index.js';
import type { Finding } from '../../sim/observer.js';
import { readTrace, writeNewTrace } from '../../trace/io.js';
import { shrinkTrace } from '../shrink-trace.js';
import { shrunkName } from './shrink.js';
import type { ShrinkOutcome } from '../protocol.js';
import { SCENARIOS, SCENARIO_NAMES } from '../../scenario/registry.js';
import { runScenarios, type ScenarioResult, type ScenarioSummary } from '../../scenario/runner.js';
import { runTask, taskShared } from '../pool.js';
import { HANG_INVARIANT } from '../protocol.js';

export interface ScenarioCommandOptions {
  readonly list: boolean;
  readonly all: boolean;
  readonly seed: number | 'random';
  readonly seeds: number;
  readonly bug?: BugName;
  readonly impl?: string;
  readonly exec?: string;
  readonly hangTimeout: number;
  /** Seconds to shrink each scenario's first safety failure (0: do not). */
  readonly shrinkTime: number;
  readonly out: string;
  readonly json: boolean;
}

/** Where output goes; the command writes whole lines. */
export interface ScenarioIo {
  readonly out: (s: string) => void;
}

const processIo: ScenarioIo = { out: (s) => void process.stdout.write(s) };

/** The first failure of a scenario, as reported: its trace file and how to replay it. */
interface Reported {
  readonly seed: number;
  readonly finding: Finding;
  readonly trace: string;
  readonly replay: string;
}

/** The file a failing run's trace is written to. */
export function traceFileFor(out: string, name: string, seed: number): string {
  return join(out, `scenario-${name}-seed${seed}.json`);
}

/** `raft-check scenario`: --list, one scenario, or --all, over one or more seeds. */
export async function scenarioCommand(name: string | undefined, o: ScenarioCommandOptions, io: ScenarioIo = processIo): Promise<ExitCode> {
  const line = (s: string): void => io.out(`${s}\n`);
  if (o.list) {
    if (name !== undefined || o.all) throw new UsageError('--list takes no scenario name and no --all');
    list(o.json, line);
    return EXIT.ok;
  }
  if (name !== undefined && o.all) throw new UsageError(`give a scenario name or --all, not both`);
  if (name === undefined && !o.all) throw new UsageError(`name a scenario, or pass --all or --list; the scenarios are: ${SCENARIO_NAMES.join(', ')}`);
  if (name !== undefined && !SCENARIO_NAMES.includes(name)) {
    const near = didYouMean(name, SCENARIO_NAMES);
    throw new UsageError(`unknown scenario "${name}"${near === null ? '' : ` (did you mean ${near}?)`}; the scenarios are: ${SCENARIO_NAMES.join(', ')}`);
  }

  const first = o.seed === 'random' ? randomInt(0, SEED_MAX - o.seeds + 1) : o.seed;
  const seeds = Array.from({ length: o.seeds }, (_, k) => first + k);
  const spec: ImplSpec = userSpec(o) ?? { kind: 'core', bug: o.bug ?? null };
  // Where a failure will be written is checked now, not after the runs.
  checkOutDir(o.out);
  const names = name !== undefined ? [name] : [...SCENARIO_NAMES];
  const say = (s: string): void => {
    if (!o.json) line(s);
  };

  const seedText = o.seeds === 1 ? `seed ${first}` : `seeds ${first}..${first + o.seeds - 1}`;
  say(`raft-check scenario: ${names.length === 1 ? names[0] : `${names.length} scenarios`}, ${seedText}, ${describeSpec(spec)}`);
  const started = Date.now();
  const reported = new Map<string, Reported>();
  const warnings = new Map<string, string[]>();
  const summaries: ScenarioSummary[] = [];
  let current: ScenarioResult[] = [];
  let t0 = Date.now();
  // Results arrive in the order names x seeds, from this thread or from a worker.
  const onResult = (r: ScenarioResult): void => {
    const n = r.scenario;
    if (r.warnings.length > 0 && o.seeds === 1) warnings.set(n, [...r.warnings]);
    if (!r.ok && !reported.has(n)) reported.set(n, save(o.out, r, spec));
    current.push(r);
    if (current.length < seeds.length) return;
    const summary = summarize(n, current);
    summaries.push(summary);
    say(renderSummary(summary, Date.now() - t0, o.seeds, reported.get(n) ?? null, warnings.get(n) ?? []));
    current = [];
    t0 = Date.now();
  };
  const stopped = await runAll(spec, names, seeds, onResult, Math.round(o.hangTimeout * 1000));
  if (stopped !== null) {
    // The run the implementation did not finish: a failure of its scenario, with no trace
    // (it has no recording); the printed command re-runs it.
    const n = names[summaries.length];
    const seed = seeds[current.length];
    const rerun = `${cliCommand()} scenario ${n} --seed ${seed}${implFlag(spec)}`;
    const failure: ScenarioResult = { scenario: n, seed, ok: false, finding: stopped, trace: null, events: 0, virtualMs: 0, warnings: [] };
    reported.set(n, { seed, finding: stopped, trace: '(none: the run did not finish)', replay: rerun });
    current.push(failure);
    const summary = { ...summarize(n, current), runs: current.length };
    summaries.push(summary);
    say(renderSummary(summary, Date.now() - t0, o.seeds, reported.get(n) ?? null, []));
  }
  const shrunk = await shrinkReported(spec, reported, Math.round(o.shrinkTime * 1000), Math.round(o.hangTimeout * 1000), say);
  const implementation = { name: describeSpec(spec) };
  const elapsedMs = Date.now() - started;
  const runs = summaries.reduce((a, s) => a + s.runs, 0);
  const failedRuns = summaries.reduce((a, s) => a + s.failures.length, 0);
  const failedScenarios = summaries.filter((s) => s.failures.length > 0);

  if (o.json) {
    const json = {
      ok: failedRuns === 0,
      implementation,
      seeds: { first, count: o.seeds },
      runs,
      failed: failedRuns,
      elapsedMs,
      scenarios: summaries.map((s) => {
        const r = reported.get(s.scenario) ?? null;
        return {
          name: s.scenario,
          runs: s.runs,
          passed: s.passed,
          failedSeeds: s.failures.map((f) => f.seed),
          events: s.events,
          virtualMs: s.virtualMs,
          warnings: warnings.get(s.scenario) ?? [],
          firstFailure: r === null ? null : { seed: r.seed, finding: r.finding, trace: r.trace, replay: r.replay, shrunk: shrunk.get(s.scenario) ?? null },
        };
      }),
    };
    line(JSON.stringify(json));
  } else {
    const total = `${renderCount(runs)} ${runs === 1 ? 'run' : 'runs'} in ${renderDuration(elapsedMs)}`;
    if (failedRuns === 0) line(`ok: ${names.length === 1 ? names[0] : `all ${names.length} scenarios`} passed (${total})`);
    else line(`FAILED: ${failedScenarios.length} of ${names.length} ${names.length === 1 ? 'scenario' : 'scenarios'}, ${failedRuns} of ${total}`);
  }
  return failedRuns === 0 ? EXIT.ok : EXIT.violation;
}

function save(out: string, r: ScenarioResult, spec: ImplSpec): Reported {
  const file = writeNewTrace(traceFileFor(out, r.scenario, r.seed), r.trace!);
  return { seed: r.seed, finding: r.finding!, trace: file, replay: `${cliCommand()} replay ${shellQuote(file)}${implFlag(spec)}` };
}

/** A scenario failure shrunk to a script: its own trace beside the scenario's. */
interface Shrunk {
  readonly trace: string;
  readonly replay: string;
  readonly before: number;
  readonly after: number;
}

/**
 * Shrinks each scenario's first failure, as `run` shrinks its violation: a safety finding's
 * recording becomes a script and shrinks like one (a scenario's own assertions hold only
 * inside its script, so those traces stay as they are). Our core shrinks here; a user's
 * implementation in a worker under the watchdog.
 */
async function shrinkReported(spec: ImplSpec, reported: ReadonlyMap<string, Reported>, budgetMs: number, hangTimeoutMs: number, say: (s: string) => void): Promise<Map<string, Shrunk>> {
  const out = new Map<string, Shrunk>();
  if (budgetMs <= 0) return out;
  for (const [name, r] of reported) {
    if (r.finding.kind !== 'safety' || !r.trace.endsWith('.json')) continue;
    const trace = readTrace(r.trace);
    let outcome: ShrinkOutcome | null;
    if (spec.kind === 'core') {
      const factory = await loadFactory(spec);
      outcome = shrinkTrace(factory, trace, implementationInfo(spec, factory), budgetMs, Date.now);
    } else {
      const end = await runTask({ kind: 'shrink', worker: 0, impl: spec, trace, budgetMs, shared: taskShared() }, hangTimeoutMs, (m) => (m.type === 'shrunk' ? m.outcome : undefined)).result;
      outcome = end.kind === 'done' ? end.value : null;
    }
    if (outcome === null || outcome.kind !== 'shrunk') continue;
    const file = writeNewTrace(shrunkName(r.trace), outcome.trace);
    const s = { trace: file, replay: `${cliCommand()} replay ${shellQuote(file)}${implFlag(spec)}`, before: trace.events.length, after: outcome.after.events };
    out.set(name, s);
    say(`shrunk ${name} seed ${r.seed}: ${s.before} -> ${counted(s.after, 'event')} as a script`);
    say(`      trace:  ${s.trace}`);
    say(`      replay: ${s.replay}`);
  }
  return out;
}

function summarize(scenario: string, results: readonly ScenarioResult[]): ScenarioSummary {
  const failures = results.filter((r) => !r.ok);
  return {
    scenario,
    runs: results.length,
    passed: results.length - failures.length,
    failures,
    events: results.reduce((a, r) => a + r.events, 0),
    virtualMs: results.reduce((a, r) => a + r.virtualMs, 0),
    warnings: results.reduce((a, r) => a + r.warnings.length, 0),
  };
}

/**
 * Runs every (scenario, seed): our core in this thread; a user's module or command in a
 * worker under the watchdog (import and every run, or with --exec every request). Returns
 * what stopped a run the implementation did not finish, or null.
 */
async function runAll(spec: ImplSpec, names: readonly string[], seeds: readonly number[], onResult: (r: ScenarioResult) => void, hangTimeoutMs: number): Promise<Finding | null> {
  if (spec.kind === 'core') {
    const factory = await loadFactory(spec);
    for (const n of names) runScenarios({ factory, implementation: implementationInfo(spec, factory), names: [n], seeds, onResult });
    return null;
  }
  const task = runTask({ kind: 'scenario', worker: 0, impl: spec, names, seeds, shared: taskShared() }, hangTimeoutMs, (m) => {
    if (m.type === 'scenario-result') onResult(m.result);
    return m.type === 'scenarios-done' ? true : undefined;
  });
  const end = await task.result;
  if (end.kind === 'done') return null;
  if (end.kind === 'hang' && end.phase === 'import') throw importHang(spec, hangTimeoutMs);
  const invariant = end.kind === 'hang' ? HANG_INVARIANT : 'implementation-error';
  return { invariant, kind: 'implementation', step: 0, time: 0, nodes: [], message: end.message };
}

/** One scenario's lines: its verdict, and for a failure its finding, trace and replay command. */
function renderSummary(s: ScenarioSummary, wallMs: number, seeds: number, r: Reported | null, warnings: readonly string[]): string {
  const name = s.scenario.padEnd(28);
  const virtual = `${renderDuration(s.virtualMs)} virtual, ${counted(s.events, 'event')}, ${renderDuration(wallMs)}`;
  const lines: string[] = [];
  if (r === null) {
    lines.push(`ok    ${name}${seeds === 1 ? '' : `${s.passed}/${s.runs} seeds  `}(${virtual})`);
  } else {
    const failed = s.failures.map((f) => f.seed);
    const which = seeds === 1 ? `seed ${r.seed}` : `${s.failures.length}/${s.runs} seeds failed: ${listSeeds(failed)}`;
    lines.push(`FAIL  ${name}${which}`);
    lines.push(`      ${renderFinding(r.finding)}`);
    lines.push(`      trace:  ${r.trace}${failed.length > 1 ? ` (the first failing seed; --seed ${failed[1]} writes the next)` : ''}`);
    lines.push(`      replay: ${r.replay}`);
  }
  for (const w of warnings) lines.push(`      warning: ${w}`);
  return lines.join('\n');
}

function listSeeds(seeds: readonly number[]): string {
  const shown = seeds.slice(0, 10).join(', ');
  return seeds.length > 10 ? `${shown}, ... (${seeds.length - 10} more)` : shown;
}

function list(json: boolean, line: (s: string) => void): void {
  if (json) {
    line(JSON.stringify({ scenarios: SCENARIOS.map((s) => ({ name: s.name, lab: s.lab, nodes: s.nodes, story: s.story, asserts: s.asserts })) }));
    return;
  }
  const width = Math.max(...SCENARIOS.map((s) => s.name.length));
  for (const s of SCENARIOS) {
    line(`${s.name.padEnd(width)}  ${String(s.nodes)} nodes  ${s.story}`);
    line(`${''.padEnd(width)}           asserts: ${s.asserts}`);
  }
  line('');
  line(`Nodes are numbered 1..n (the lab numbers servers 0..n-1). Run one with: ${cliCommand()} scenario NAME [--seeds K]`);
}
