import { cpus, platform, release } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { runChecked } from '../../check/run.js';
import { explore } from '../../explore/explore.js';
import { BUGS, BUG_NAMES, coreFactory, type BugName } from '../../raft/index.js';
import { trustFactory } from '../../sim/validate-output.js';
import { PROFILES, scheduleFromSeed } from '../../sim/schedule.js';
import { EXIT, type ExitCode } from '../errors.js';
import { renderCount, renderDuration } from '../text.js';
import { execSpec, type ImplSpec } from '../impl.js';
import { shortestCounterexample, type Shortest } from '../../explore/systematic/shortest.js';
import { startExplore } from '../pool.js';

export interface BenchOptions {
  readonly bugs: boolean;
  readonly memory: boolean;
  readonly seconds: number;
  readonly seeds: number;
  readonly iterations?: number;
  readonly shrinkTime: number;
  readonly bug?: BugName;
  readonly exec?: string;
  readonly hangTimeout?: number;
  readonly json: boolean;
  /** --bugs: cluster size (5 by default). */
  readonly nodes?: number;
  /** --bugs: budget for each bug's exhaustive search for the shortest counterexample (0: skip it). */
  readonly exhaustiveTime?: number;
}

export interface Machine {
  readonly cpu: string;
  readonly cores: number;
  readonly node: string;
  readonly os: string;
}

export function machine(): Machine {
  const c = cpus();
  return { cpu: c[0]?.model.trim() ?? 'unknown', cores: c.length, node: process.version, os: `${platform()} ${release()}` };
}

export async function benchCommand(o: BenchOptions): Promise<ExitCode> {
  if (o.exec !== undefined) return benchExec(o, o.exec);
  if (o.bugs) return benchBugs(o);
  if (o.memory) return benchMemory(o);
  return benchThroughput(o);
}

/** Our core, 5 nodes, the chaos profile, seeds 1, 2, ... with every checker on, for o.seconds. */
function benchThroughput(o: BenchOptions): ExitCode {
  const factory = trustFactory(coreFactory(null));
  const budget = o.seconds * 1000;
  const start = performance.now();
  let runs = 0;
  let events = 0;
  let virtualMs = 0;
  let findings = 0;
  let elapsed = 0;
  do {
    const schedule = scheduleFromSeed(runs + 1, { nodes: 5, profile: PROFILES.chaos });
    const r = runChecked(factory, schedule);
    runs++;
    events += r.stats.events;
    virtualMs += r.stats.virtualMs;
    if (r.finding !== null) findings++;
    elapsed = performance.now() - start;
  } while (elapsed < budget);
  const result = {
    machine: machine(),
    nodes: 5,
    profile: 'chaos',
    seconds: elapsed / 1000,
    runs,
    events,
    virtualMs,
    eventsPerSecond: Math.round((events * 1000) / elapsed),
    virtualSecondsPerSecond: Math.round(virtualMs / elapsed),
    runsPerSecond: Math.round((runs * 1000) / elapsed),
    findings,
  };
  if (o.json) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } else {
    const m = result.machine;
    process.stdout.write(
      [
        `throughput: our core, 5 nodes, chaos faults, every checker on (${m.cpu}, ${m.cores} cores, Node ${m.node})`,
        `  ${renderCount(result.eventsPerSecond)} events/s, ${renderCount(result.virtualSecondsPerSecond)} virtual s/s, ${renderCount(result.runsPerSecond)} runs/s`,
        `  ${renderCount(runs)} runs, ${renderCount(events)} events, ${renderCount(virtualMs / 1000)} virtual s in ${renderDuration(elapsed)} on one thread`,
        ...(findings > 0 ? [`  warning: ${findings} run(s) reported a violation on the correct core`] : []),
      ].join('\n') + '\n',
    );
  }
  return EXIT.ok;
}

/** Events per second through one worker, for o.seconds, as `run` explores (5 nodes, chaos). */
async function workerThroughput(spec: ImplSpec, o: BenchOptions): Promise<{ events: number; runs: number; ms: number; finding: string | null }> {
  const pool = startExplore({
    iterations: 100_000_000,
    seed: 1,
    nodes: 5,
    profile: 'chaos',
    snapshots: true,
    shrinkTimeMs: 0,
    impl: spec,
    slices: [{ index: 0, count: 1 }],
    planned: 100_000_000,
    hangTimeoutMs: spec.kind === 'core' ? null : Math.round((o.hangTimeout ?? 10) * 1000),
  });
  const timer = setTimeout(() => pool.interrupt(), o.seconds * 1000);
  const r = await pool.result;
  clearTimeout(timer);
  const finding = r.failure?.finding ?? r.hang?.message ?? null;
  return { events: r.events, runs: r.iterations, ms: r.elapsedMs, finding: typeof finding === 'string' ? finding : finding === null ? null : `${finding.invariant}: ${finding.message}` };
}

/** `bench --exec CMD`: throughput over the protocol, and its ratio to our core in-process (both in one worker). */
async function benchExec(o: BenchOptions, exec: string): Promise<ExitCode> {
  const spec = execSpec(exec);
  const over = await workerThroughput(spec, o);
  const inProcess = await workerThroughput({ kind: 'core', bug: null }, o);
  const rate = (t: { events: number; ms: number }): number => Math.round((t.events * 1000) / Math.max(1, t.ms));
  const result = {
    machine: machine(),
    exec,
    nodes: 5,
    profile: 'chaos',
    seconds: o.seconds,
    eventsPerSecond: rate(over),
    runs: over.runs,
    events: over.events,
    inProcessEventsPerSecond: rate(inProcess),
    ratio: Math.round((rate(over) / Math.max(1, rate(inProcess))) * 1000) / 1000,
    finding: over.finding,
  };
  if (o.json) process.stdout.write(`${JSON.stringify(result)}\n`);
  else {
    const m = result.machine;
    process.stdout.write(
      [
        `throughput over the protocol: ${exec}, 5 nodes, chaos faults, one worker (${m.cpu}, ${m.cores} cores, Node ${m.node})`,
        `  ${renderCount(result.eventsPerSecond)} events/s (${renderCount(over.runs)} runs, ${renderCount(over.events)} events)`,
        `  our core in-process, same worker and schedules: ${renderCount(result.inProcessEventsPerSecond)} events/s; ratio ${result.ratio}`,
        ...(over.finding !== null ? [`  note: the search stopped at a finding: ${over.finding}`] : []),
      ].join('\n') + '\n',
    );
  }
  return EXIT.ok;
}

export interface BugRow {
  readonly bug: string;
  readonly seed: number;
  readonly found: boolean;
  readonly invariant: string | null;
  readonly expected: string;
  /** Iterations run until the first violation (or the whole budget). */
  readonly runs: number;
  /** Wall ms until the first violation (the search phase only). */
  readonly searchMs: number;
  readonly shrinkMs: number;
  readonly eventsBefore: number | null;
  readonly eventsAfter: number | null;
}

/** For each bug and seed 1..k: how long explore takes to find it, and how well it shrinks. */
function benchBugs(o: BenchOptions): ExitCode {
  const iterations = o.iterations ?? 10_000;
  const nodes = o.nodes ?? 5;
  const bugs = o.bug !== undefined ? [o.bug] : BUG_NAMES;
  const rows: BugRow[] = [];
  const shortest = new Map<string, Shortest | null>();
  for (const bug of bugs) {
    const budgetMs = (o.exhaustiveTime ?? 10) * 1000;
    if (budgetMs > 0) {
      const sh = shortestCounterexample(coreFactory(bug), nodes, budgetMs, () => performance.now());
      shortest.set(bug, sh);
      if (!o.json) process.stderr.write(`${bug}: ${sh === null ? `no shortest counterexample within the exhaustive budget` : `shortest counterexample ${sh.steps} steps, ${sh.events} events (${sh.invariant}), exhaustive in ${renderDuration(sh.ms)}`}\n`);
    }
    for (let seed = 1; seed <= o.seeds; seed++) {
      const start = performance.now();
      let firstAt: number | null = null;
      const r = explore({
        factory: trustFactory(coreFactory(bug)),
        implementation: { name: `raft-check core with bug ${bug}`, bug, module: null },
        nodes,
        iterations,
        seed,
        shrinkTimeMs: o.shrinkTime * 1000,
        onProgress: (p) => {
          if (p.phase === 'shrink' && firstAt === null) firstAt = performance.now();
        },
      });
      const end = performance.now();
      const f = r.failure;
      const searchEnd: number = firstAt ?? end;
      const row: BugRow = {
        bug,
        seed,
        found: f !== null,
        invariant: f?.finding.invariant ?? null,
        expected: BUGS[bug].invariant,
        runs: f !== null ? f.runIndex + 1 : r.iterations,
        searchMs: Math.round(searchEnd - start),
        shrinkMs: f !== null ? Math.round(end - searchEnd) : 0,
        eventsBefore: f?.original.events ?? null,
        eventsAfter: f?.shrunk.events ?? null,
      };
      rows.push(row);
      if (!o.json) {
        process.stderr.write(
          `${bug} seed ${seed}: ${row.found ? `${row.invariant} after ${row.runs} runs, ${renderDuration(row.searchMs)}; shrunk ${row.eventsBefore} -> ${row.eventsAfter} events in ${renderDuration(row.shrinkMs)}` : `not found in ${iterations} runs (${renderDuration(row.searchMs)})`}\n`,
        );
      }
    }
  }
  const summary = bugs.map((bug) => ({ ...summarize(bug, rows.filter((r) => r.bug === bug)), shortest: shortest.get(bug) ?? null }));
  if (o.json) {
    process.stdout.write(`${JSON.stringify({ machine: machine(), nodes, iterations, seeds: o.seeds, shrinkTimeMs: o.shrinkTime * 1000, rows, summary })}\n`);
    return EXIT.ok;
  }
  const m = machine();
  const header = ['bug', 'found', 'runs med/max', 'search med/max', 'shrink med/max', 'events before -> after (med)', 'shortest (exhaustive)', 'shrunk/shortest', 'invariant'];
  const table = summary.map((s) => [
    s.bug,
    `${s.found}/${s.seeds}`,
    `${fmt(s.runs.median)}/${fmt(s.runs.worst)}`,
    `${ms(s.searchMs.median)}/${ms(s.searchMs.worst)}`,
    `${ms(s.shrinkMs.median)}/${ms(s.shrinkMs.worst)}`,
    `${fmt(s.eventsBefore.median)} -> ${fmt(s.eventsAfter.median)}`,
    s.shortest === null ? '-' : `${s.shortest.events} events`,
    s.shortest === null || s.eventsAfter.median === null ? '-' : `${(s.eventsAfter.median / s.shortest.events).toFixed(2)}x`,
    s.invariants.join(',') + (s.invariants.length > 0 && !s.invariants.includes(s.expected) ? ` (expected ${s.expected})` : ''),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((r) => r[i].length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  process.stdout.write(
    [`bug-finding: our core with each bug, ${nodes} nodes, chaos, ${iterations} iterations max, seeds 1..${o.seeds} (${m.cpu}, ${m.cores} cores, Node ${m.node})`, line(header), ...table.map(line)].join('\n') + '\n',
  );
  return EXIT.ok;
}

interface Stat {
  readonly median: number | null;
  readonly worst: number | null;
}

function stat(xs: readonly number[]): Stat {
  if (xs.length === 0) return { median: null, worst: null };
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return { median: s.length % 2 === 1 ? s[mid] : Math.round((s[mid - 1] + s[mid]) / 2), worst: s[s.length - 1] };
}

function summarize(bug: string, rows: readonly BugRow[]) {
  const found = rows.filter((r) => r.found);
  return {
    bug,
    seeds: rows.length,
    found: found.length,
    expected: BUGS[bug as BugName].invariant as string,
    invariants: [...new Set(found.map((r) => r.invariant!))],
    runs: stat(found.map((r) => r.runs)),
    searchMs: stat(found.map((r) => r.searchMs)),
    shrinkMs: stat(found.map((r) => r.shrinkMs)),
    eventsBefore: stat(found.map((r) => r.eventsBefore!)),
    eventsAfter: stat(found.map((r) => r.eventsAfter!)),
  };
}

const fmt = (n: number | null): string => (n === null ? '-' : String(n));
const ms = (n: number | null): string => (n === null ? '-' : renderDuration(n));

/** Heap before and after many runs, after a full GC each time: a leak check for the simulator. */
function benchMemory(o: BenchOptions): ExitCode {
  const runs = o.iterations ?? 2000;
  const gc = exposeGc();
  const heap = (): number => {
    gc?.();
    return process.memoryUsage().heapUsed;
  };
  const factory = trustFactory(coreFactory(null));
  const before = heap();
  let mid = before;
  const start = performance.now();
  for (let i = 1; i <= runs; i++) {
    runChecked(factory, scheduleFromSeed(i, { nodes: 5, profile: PROFILES.chaos }));
    if (i === Math.floor(runs / 2)) mid = heap();
  }
  const after = heap();
  const result = { machine: machine(), runs, gc: gc !== null, heapBefore: before, heapMiddle: mid, heapAfter: after, growth: after - before, ms: Math.round(performance.now() - start) };
  if (o.json) process.stdout.write(`${JSON.stringify(result)}\n`);
  else {
    const mb = (b: number): string => `${(b / 1048576).toFixed(1)} MB`;
    process.stdout.write(
      [
        `memory: ${runs} runs of our core (5 nodes, chaos) in ${renderDuration(result.ms)}${gc === null ? ' (no gc available: figures are noisy)' : ', full GC before each reading'}`,
        `  heap used: ${mb(before)} before, ${mb(mid)} halfway, ${mb(after)} after (${after >= before ? '+' : ''}${mb(after - before)})`,
      ].join('\n') + '\n',
    );
  }
  return EXIT.ok;
}

/** global.gc, exposed at run time when node was not started with --expose-gc. */
function exposeGc(): (() => void) | null {
  const g = (globalThis as { gc?: () => void }).gc;
  if (typeof g === 'function') return g;
  try {
    setFlagsFromString('--expose-gc');
    const fn = runInNewContext('gc') as unknown;
    return typeof fn === 'function' ? (fn as () => void) : null;
  } catch {
    return null;
  }
}
