import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, platform, release, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { runChecked } from '../../check/run.js';
import { explore } from '../../explore/explore.js';
import { BUGS, BUG_NAMES, coreFactory, type BugName } from '../../raft/index.js';
import { trustFactory } from '../../sim/validate-output.js';
import { PROFILES, scheduleFromSeed } from '../../sim/schedule.js';
import { EXIT, type ExitCode } from '../errors.js';
import { renderCount, renderDuration } from '../text.js';
import { bareLoop } from '../bare-loop.js';
import { execSpec, type ImplSpec } from '../impl.js';
import { shortestCounterexample, type Shortest } from '../../explore/systematic/shortest.js';
import { startExplore, type PoolResult } from '../pool.js';
import type { Slice } from '../protocol.js';

export interface BenchOptions {
  readonly bugs: boolean;
  readonly memory: boolean;
  readonly startup?: boolean;
  readonly workers?: boolean;
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
  if (o.startup === true) return benchStartup(o);
  if (o.workers === true) return benchWorkers(o);
  return benchThroughput(o);
}

/** The load averages over 1, 5 and 15 minutes, to two places: a ratio read on a busy machine says so. */
function load(): number[] {
  return loadavg().map((l) => Math.round(l * 100) / 100);
}

const BIN = fileURLToPath(new URL('../../../bin/raft-check.js', import.meta.url));

/**
 * `bench --startup`: the wall time of `node -e 0`, `raft-check --help` and a one-iteration
 * run, each started o.iterations times (10 by default), in turns so that a change of load
 * falls on all three alike; the medians, and each as a multiple of bare node's.
 */
function benchStartup(o: BenchOptions): ExitCode {
  const times = o.iterations ?? 10;
  // The run's trace directory is a temporary one: a benchmark never writes into traces/.
  const out = mkdtempSync(join(tmpdir(), 'raft-check-bench-'));
  const commands = [
    { name: 'node -e 0', args: ['-e', '0'] },
    { name: 'raft-check --help', args: [BIN, '--help'] },
    { name: 'raft-check run --iterations 1', args: [BIN, 'run', '--iterations', '1', '--out', out] },
  ];
  const loadBefore = load();
  const samples: number[][] = commands.map(() => []);
  try {
    for (let k = 0; k < times; k++) {
      commands.forEach((c, i) => {
        const start = performance.now();
        const r = spawnSync(process.execPath, c.args, { stdio: 'ignore', env: { ...process.env, NO_COLOR: '1' } });
        samples[i].push(performance.now() - start);
        if (r.status !== 0) throw new Error(`bench --startup: \`${c.name}\` exited with ${r.status ?? r.signal}`);
      });
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
  const bare = stat(samples[0]).median!;
  const rows = commands.map((c, i) => {
    const ms = stat(samples[i]).median!;
    return { command: c.name, medianMs: ms, ratio: Math.round((ms / bare) * 100) / 100 };
  });
  const result = { machine: machine(), times, load: { before: loadBefore, after: load() }, commands: rows };
  if (o.json) process.stdout.write(`${JSON.stringify(result)}\n`);
  else {
    const m = result.machine;
    const w = Math.max(...rows.map((r) => r.command.length));
    process.stdout.write(
      [
        `startup: median wall time of ${times} starts each, in turns (${m.cpu}, ${m.cores} cores, Node ${m.node}; load ${result.load.before.join(' ')} -> ${result.load.after.join(' ')})`,
        ...rows.map((r) => `  ${r.command.padEnd(w)}  ${renderDuration(r.medianMs).padStart(7)}  ${r.ratio.toFixed(2)}x node -e 0`),
      ].join('\n') + '\n',
    );
  }
  return EXIT.ok;
}

/**
 * `bench --workers`: the same exploration as `run` (our core, seed 1, 5 nodes, chaos, no
 * shrinking), o.iterations iterations (1000 by default), on one worker thread and on two, in
 * turns, three times each; wall time from the first worker's start to the last one's end.
 */
async function benchWorkers(o: BenchOptions): Promise<ExitCode> {
  const iterations = o.iterations ?? 1000;
  const rounds = 3;
  const once = async (slices: Slice[]): Promise<PoolResult> =>
    startExplore({ iterations, seed: 1, nodes: 5, profile: 'chaos', snapshots: true, shrinkTimeMs: 0, impl: { kind: 'core', bug: null }, slices, planned: iterations, hangTimeoutMs: null }).result;
  const loadBefore = load();
  const runs: Record<1 | 2, PoolResult[]> = { 1: [], 2: [] };
  for (let k = 0; k < rounds; k++) {
    runs[1].push(await once([{ index: 0, count: 1 }]));
    runs[2].push(await once([{ index: 0, count: 2 }, { index: 1, count: 2 }]));
  }
  const summary = (rs: PoolResult[]) => {
    const ms = stat(rs.map((r) => r.elapsedMs)).median!;
    const searchMs = stat(rs.map((r) => r.searchMs)).median!;
    return { elapsedMs: ms, searchMs, runsPerSecond: Math.round((iterations * 1000) / ms), findings: rs.filter((r) => r.failure !== null || r.hang !== null).length };
  };
  const one = summary(runs[1]);
  const two = summary(runs[2]);
  const result = {
    machine: machine(),
    iterations,
    rounds,
    load: { before: loadBefore, after: load() },
    one,
    two,
    speedup: Math.round((one.elapsedMs / two.elapsedMs) * 100) / 100,
    searchSpeedup: Math.round((one.searchMs / Math.max(1, two.searchMs)) * 100) / 100,
  };
  if (o.json) process.stdout.write(`${JSON.stringify(result)}\n`);
  else {
    const m = result.machine;
    const line = (label: string, s: typeof one): string => `  ${label}: ${renderDuration(s.elapsedMs)} (${renderCount(s.runsPerSecond)} runs/s; search alone ${renderDuration(s.searchMs)})`;
    process.stdout.write(
      [
        `workers: ${renderCount(iterations)} iterations of run's exploration (our core, seed 1, 5 nodes, chaos), median of ${rounds} in turns (${m.cpu}, ${m.cores} cores, Node ${m.node}; load ${result.load.before.join(' ')} -> ${result.load.after.join(' ')})`,
        line('1 worker ', one),
        line('2 workers', two),
        `  speedup ${result.speedup.toFixed(2)}x (search alone ${result.searchSpeedup.toFixed(2)}x)`,
        ...(one.findings + two.findings > 0 ? [`  warning: ${one.findings + two.findings} exploration(s) stopped at a violation on the correct core`] : []),
      ].join('\n') + '\n',
    );
  }
  return EXIT.ok;
}

/**
 * Our core, 5 nodes, the chaos profile, seeds 1, 2, ... with every checker on, for o.seconds,
 * with a tenth of a second of the bare loop after every second of runs: both rates come from
 * the same stretch of time, so load from other processes moves both alike.
 */
function benchThroughput(o: BenchOptions): ExitCode {
  const factory = trustFactory(coreFactory(null));
  const budget = o.seconds * 1000;
  let runs = 0;
  let events = 0;
  let virtualMs = 0;
  let findings = 0;
  let elapsed = 0;
  const bare = { events: 0, ms: 0 };
  let slice = performance.now();
  do {
    const t = performance.now();
    const schedule = scheduleFromSeed(runs + 1, { nodes: 5, profile: PROFILES.chaos });
    const r = runChecked(factory, schedule);
    const now = performance.now();
    elapsed += now - t;
    runs++;
    events += r.stats.events;
    virtualMs += r.stats.virtualMs;
    if (r.finding !== null) findings++;
    if (now - slice >= 1000 || elapsed >= budget) {
      const b = bareLoop(100);
      bare.events += b.events;
      bare.ms += b.ms;
      slice = performance.now();
    }
  } while (elapsed < budget);
  const bareRate = (bare.events * 1000) / bare.ms;
  const eventsPerSecond = Math.round((events * 1000) / elapsed);
  const result = {
    machine: machine(),
    nodes: 5,
    profile: 'chaos',
    seconds: elapsed / 1000,
    runs,
    events,
    virtualMs,
    eventsPerSecond,
    bareLoopEventsPerSecond: Math.round(bareRate),
    /** raft-check's events/s as a share of the bare loop's: comparable across machines. */
    shareOfBareLoop: Math.round((eventsPerSecond / bareRate) * 1000) / 1000,
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
        `  ${(result.shareOfBareLoop * 100).toFixed(1)} % of a bare event loop's ${renderCount(result.bareLoopEventsPerSecond)} events/s (interleaved with the runs)`,
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
