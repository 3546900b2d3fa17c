import { randomInt } from 'node:crypto';
import { join } from 'node:path';
import { runChecked } from '../../check/run.js';
import { explain } from '../../explain/index.js';
import { minimizeAsScript } from '../../explore/minimize-script.js';
import { type Bounds, type Choice } from '../../explore/systematic/choices.js';
import { scriptSchedule, type Setup } from '../../explore/systematic/execution.js';
import { exhaustive, type ExhaustiveStats } from '../../explore/systematic/exhaustive.js';
import { chainCount, pctBound, pctBoundOver, pctRun, type PctOptions } from '../../explore/systematic/pct.js';
import type { BugName } from '../../raft/index.js';
import type { Finding } from '../../sim/observer.js';
import type { Schedule } from '../../sim/schedule.js';
import type { TraceFile, TraceSize } from '../../trace/format.js';
import { writeNewTrace } from '../../trace/io.js';
import { sizeOf, toTrace } from '../../trace/record.js';
import { EXIT, ExitError, UsageError, firstLine, type ExitCode } from '../errors.js';
import { reportBeside } from '../html.js';
import { describeSpec, implFlag, implementationInfo, loadFactory, type ImplSpec } from '../impl.js';
import { EXHAUSTIVE_DEFAULTS, PCT_DEFAULTS, SEED_MAX, type Strategy } from '../options.js';
import { checkOutDir } from '../out-dir.js';
import { sanitizeLine } from '../sanitize.js';
import { cliCommand, counted, renderCount, renderDuration, renderFinding, renderSize, shellQuote } from '../text.js';
import { replayWith } from './replay.js';
import { refuseOthers, type IsSet } from '../strategy-flags.js';

export interface SystematicOptions {
  readonly strategy: Exclude<Strategy, 'random'>;
  readonly nodes: number;
  readonly iterations: number;
  readonly seed: number | 'random';
  readonly bug?: BugName;
  readonly impl?: string;
  readonly exec?: string;
  readonly out: string;
  readonly shrinkTime: number;
  readonly snapshots: boolean;
  readonly json: boolean;
  readonly html?: boolean;
  readonly maxSteps?: number;
  readonly depth?: number;
  readonly maxCrashes?: number;
  readonly maxDrops?: number;
  readonly maxDuplicates?: number;
  readonly maxProposals?: number;
  readonly maxTerm?: number;
  readonly maxMessages?: number;
  readonly time: number;
  readonly reduction: boolean;
}

/** What a search found, or how it ended without finding anything. */
interface Outcome {
  readonly finding: Finding | null;
  readonly path: readonly Choice[] | null;
  readonly snapshotThreshold: number;
  /** pct: the run that found it (0-based). */
  readonly iteration: number | null;
  /** exhaustive: every path within the bounds was searched. */
  readonly exhausted: boolean;
  readonly stopped: 'time' | 'interrupt' | null;
}

/**
 * `run --strategy pct|exhaustive`: a search over the choice points of scripted runs, in this
 * process (our core only, for now: a user's module is loaded only in workers under the
 * watchdog, and the search has no worker yet). A violation becomes a scripted trace, written
 * and replayed as any other.
 */
export async function systematicCommand(o: SystematicOptions, isSet: IsSet): Promise<ExitCode> {
  refuseOthers(o.strategy, isSet);
  if (isSet('impl') || isSet('exec')) throw new UsageError(`--strategy ${o.strategy}: checks our core (with --bug) for now; --impl and --exec work with --strategy random`);
  const seed = o.seed === 'random' ? randomInt(0, SEED_MAX) : o.seed;
  // Systematic search is for small clusters: unless asked, 3 nodes, not run's 5.
  const nodes = isSet('nodes') ? o.nodes : 3;
  checkOutDir(o.out);
  const spec: ImplSpec = { kind: 'core', bug: o.bug ?? null };
  const factory = await loadFactory(spec);
  const out = (line: string): void => {
    if (!o.json) process.stdout.write(`${line}\n`);
  };
  const progress = (line: string): void => {
    if (!o.json) process.stderr.write(`${line}\n`);
  };
  const started = Date.now();
  const deadline = o.time > 0 ? started + o.time * 1000 : Infinity;
  let interrupted = false;
  let signal = 'SIGINT' as 'SIGINT' | 'SIGTERM';
  const onInt = (): void => {
    if (interrupted) process.exit(EXIT.interrupted);
    interrupted = true;
    progress('interrupted: stopping the search (Ctrl-C again to quit at once)');
  };
  const onTerm = (): void => {
    signal = 'SIGTERM';
    interrupted = true;
  };
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  const stopReason = (): Outcome['stopped'] => (interrupted ? 'interrupt' : Date.now() > deadline ? 'time' : null);
  let turn = started;
  let shown = started;
  /**
   * Between steps of a search: every 100 ms a turn of the event loop (signals are only seen
   * there), every 3 s a progress line; returns why to stop, if the search must.
   */
  const pace = async (line: () => string): Promise<Outcome['stopped']> => {
    const now = Date.now();
    if (now - turn < 100) return null;
    await new Promise((resolve) => setImmediate(resolve));
    turn = Date.now();
    if (now - shown >= 3000) {
      shown = now;
      progress(`${line()}, ${renderDuration(now - started)}`);
    }
    return stopReason();
  };

  const setupBase = { factory, nodes, seed };
  let outcome: Outcome;
  let summary: Record<string, unknown>;
  let statsLine: string;
  try {
    if (o.strategy === 'exhaustive') {
      const d = EXHAUSTIVE_DEFAULTS;
      const bounds: Bounds = {
        depth: o.maxSteps ?? d.steps,
        ...budgets(o, d),
        terms: o.maxTerm ?? d.terms,
        messages: o.maxMessages ?? d.messages,
      };
      out(`raft-check run: strategy exhaustive, ${counted(nodes, 'node')}, ${describeSpec(spec)}; bounds: ${renderBounds(bounds)}${o.reduction ? '' : '; no reduction'}`);
      const setup: Setup = { ...setupBase, snapshotThreshold: 0 };
      const search = exhaustive({ setup, bounds, reduction: o.reduction });
      let stats: ExhaustiveStats | null = null;
      let end: { kind: 'violation'; path: readonly Choice[]; finding: Finding } | { kind: 'exhausted'; complete: boolean } | null = null;
      let stopped: Outcome['stopped'] = null;
      for (;;) {
        const r = search.next();
        if (r.done === true) {
          stats = r.value.stats;
          end = r.value.end;
          break;
        }
        const st = r.value;
        stats = st;
        stopped = await pace(() => `exhaustive: depth ${st.depth}, ${renderCount(st.states)} states, ${st.distinct === null ? 'no cache' : `${renderCount(st.distinct)} distinct`}`);
        if (stopped !== null) break;
      }
      const ms = Date.now() - started;
      const s = stats!;
      outcome = {
        finding: end?.kind === 'violation' ? end.finding : null,
        path: end?.kind === 'violation' ? end.path : null,
        snapshotThreshold: 0,
        iteration: null,
        exhausted: end?.kind === 'exhausted',
        stopped,
      };
      const perSecond = ms > 0 ? Math.round((s.states * 1000) / ms) : 0;
      summary = {
        bounds,
        reduction: o.reduction,
        states: s.states,
        distinct: s.distinct,
        revisits: s.revisits,
        slept: s.slept,
        pruned: s.pruned,
        simulatorSteps: s.steps,
        depth: s.depth,
        depthBoundCut: s.cut,
        exhausted: outcome.exhausted,
        complete: end?.kind === 'exhausted' ? end.complete : false,
        statesPerSecond: perSecond,
      };
      const reached = end?.kind === 'exhausted' && end.complete ? `every path ends within ${s.depth} steps` : `depth ${s.depth}`;
      statsLine = `${counted(s.states, 'state')} generated, ${s.distinct === null ? 'no state cache (a node has no fingerprint())' : `${renderCount(s.distinct)} distinct`}, ${reached}, ${renderCount(s.slept)} choices skipped by partial-order reduction, in ${renderDuration(ms)} (${renderCount(perSecond)} states/s)`;
    } else {
      const d = PCT_DEFAULTS;
      const po: PctOptions = {
        setup: setupBase,
        depth: o.depth ?? d.depth,
        steps: o.maxSteps ?? d.steps,
        ...budgets(o, d),
        snapshots: o.snapshots,
      };
      const bound = pctBound(nodes, po.steps, po.depth);
      out(`raft-check run: strategy pct, seed ${seed}, ${counted(nodes, 'node')}, ${counted(o.iterations, 'iteration')}, depth ${po.depth}, ${po.steps} steps per run, ${describeSpec(spec)}`);
      let found: { iteration: number; path: readonly Choice[]; finding: Finding; snapshotThreshold: number } | null = null;
      let runs = 0;
      let stopped: Outcome['stopped'] = null;
      for (let i = 0; i < o.iterations; i++) {
        const r = pctRun(po, seed, i);
        runs++;
        if (r.finding !== null) {
          found = { iteration: i, path: r.path, finding: r.finding, snapshotThreshold: r.snapshotThreshold };
          break;
        }
        stopped = await pace(() => `pct: ${counted(runs, 'run')}`);
        if (stopped !== null) break;
      }
      const ms = Date.now() - started;
      outcome = { finding: found?.finding ?? null, path: found?.path ?? null, snapshotThreshold: found?.snapshotThreshold ?? 0, iteration: found?.iteration ?? null, exhausted: false, stopped };
      summary = { depth: po.depth, steps: po.steps, chains: chainCount(nodes), runs, boundPerRun: bound, boundOverRuns: pctBoundOver(bound, runs), runsPerSecond: ms > 0 ? Math.round((runs * 1000) / ms) : 0 };
      statsLine = `${counted(runs, 'run')} in ${renderDuration(ms)}; a depth-${po.depth} bug is hit with probability >= 1/(${chainCount(nodes)}·${po.steps}^${po.depth - 1}) = ${bound.toExponential(2)} per run, ${pctBoundOver(bound, runs).toExponential(2)} over these runs`;
    }
  } finally {
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
  }

  let reported: Reported | null = null;
  if (outcome.finding !== null && outcome.path !== null) {
    reported = await record(o, spec, factory, seed, { ...setupBase, snapshotThreshold: outcome.snapshotThreshold }, outcome, progress);
  }

  const ok = reported === null && outcome.stopped === null && (o.strategy === 'pct' || outcome.exhausted);
  if (o.json) {
    const v = reported;
    process.stdout.write(
      `${JSON.stringify({
        ok,
        strategy: o.strategy,
        seed,
        nodes,
        implementation: implementationInfo(spec, factory),
        stopped: outcome.stopped,
        elapsedMs: Date.now() - started,
        ...summary,
        violation:
          v === null
            ? null
            : { invariant: v.finding.invariant, kind: v.finding.kind, message: v.finding.message, nodes: v.finding.nodes, steps: v.steps, iteration: outcome.iteration, trace: v.trace, replay: v.replay, shrink: v.shrink, why: v.why, ...(v.html === undefined ? {} : { html: v.html }) },
      })}\n`,
    );
  } else if (reported !== null) {
    out('');
    out(`VIOLATION ${renderFinding(reported.finding)}`);
    if (reported.why !== null && reported.why !== reported.finding.message) out(`  why: ${sanitizeLine(reported.why)}`);
    if (o.strategy === 'exhaustive') out(`  shortest counterexample: ${counted(reported.steps, 'step')} (every path of ${reported.steps - 1} steps or fewer was searched)`);
    else out(`  found at run ${outcome.iteration} (0-based) of seed ${seed}: ${counted(outcome.path!.length, 'step')}`);
    if (reported.shrink !== null) out(`  shrunk in ${renderDuration(reported.shrink.ms)} (${counted(reported.shrink.runs, 'run')}): ${renderSize(reported.shrink.before)} -> ${renderSize(reported.shrink.after)}`);
    out(`  ${statsLine}`);
    out(`  trace:  ${reported.trace}`);
    if (reported.html !== undefined) out(`  html:   ${reported.html}`);
    out(`  replay: ${reported.replay}`);
  } else if (outcome.stopped !== null) {
    const why = outcome.stopped === 'time' ? `the --time budget of ${o.time} s ran out` : 'interrupted';
    out(`stopped (${why}): no violation found so far, but the search did not finish, so this is not a pass: ${statsLine}`);
  } else if (o.strategy === 'exhaustive') {
    out(`ok: no violation within bounds (every path searched): ${statsLine}`);
  } else {
    out(`ok: no violation in ${statsLine}; seed ${seed}`);
  }
  if (reported !== null) return EXIT.violation;
  if (outcome.stopped === 'interrupt') return signal === 'SIGTERM' ? EXIT.terminated : EXIT.interrupted;
  if (outcome.stopped === 'time') return EXIT.incomplete;
  return EXIT.ok;
}

interface Reported {
  readonly finding: Finding;
  readonly steps: number;
  readonly trace: string;
  readonly replay: string;
  readonly why: string | null;
  readonly shrink: { readonly before: TraceSize; readonly after: TraceSize; readonly runs: number; readonly ms: number } | null;
  readonly html?: string;
}

/**
 * The violation as a trace: its path as a script, recorded by the simulator as a replay will
 * re-run it. A PCT run is shrunk like any scripted run; an exhaustive one is already shortest.
 */
async function record(o: SystematicOptions, spec: ImplSpec, factory: Setup['factory'], seed: number, setup: Setup, outcome: Outcome, progress: (line: string) => void): Promise<Reported> {
  let schedule: Schedule = scriptSchedule(setup, outcome.path!);
  let run = runChecked(factory, schedule, { record: true });
  if (run.finding === null || run.finding.invariant !== outcome.finding!.invariant) {
    throw new ExitError(EXIT.internal, `internal error: the ${o.strategy} counterexample did not repeat when recorded (${run.finding?.invariant ?? 'no violation'}); this is a bug in raft-check`);
  }
  let shrink: Reported['shrink'] = null;
  if (o.strategy === 'pct' && o.shrinkTime > 0 && run.finding.kind === 'safety') {
    progress(`shrinking ${run.finding.invariant} (${counted(outcome.path!.length, 'step')}; up to ${o.shrinkTime} s)`);
    const t0 = Date.now();
    const before = sizeOf(schedule, run);
    const m = minimizeAsScript(factory, schedule, run.finding.invariant, o.shrinkTime * 1000);
    if (m !== null && m.size.events < before.events) {
      schedule = m.schedule;
      run = runChecked(factory, schedule, { record: true });
      shrink = { before, after: sizeOf(schedule, run), runs: m.runs, ms: Date.now() - t0 };
    }
  }
  const finding = run.finding!;
  const trace: TraceFile = toTrace(
    { implementation: implementationInfo(spec, factory), profile: o.strategy, seed, path: outcome.iteration === null ? null : String(outcome.iteration), shrink: shrink === null ? null : { before: shrink.before, after: shrink.after, runs: shrink.runs } },
    schedule,
    run,
  );
  const wanted = join(o.out, `${finding.invariant}-${o.strategy}-seed${seed}.json`);
  let file: string;
  try {
    file = writeNewTrace(wanted, trace);
  } catch (e) {
    throw new UsageError(`--out ${o.out}: cannot write ${wanted}: ${firstLine(e)}`);
  }
  const replay = `${cliCommand()} replay ${shellQuote(file)}${implFlag(spec)}`;
  const html = o.html === true ? await reportBeside(file, trace, (t) => replayWith(spec, t, 10_000)) : undefined;
  return { finding, steps: schedule.script!.length, trace: file, replay, why: explain(trace)?.summary ?? null, shrink, ...(html === undefined ? {} : { html }) };
}

/** The fault and client budgets a run or path may spend: the flags given, else the strategy's defaults. */
function budgets(o: SystematicOptions, d: { crashes: number; drops: number; duplicates: number; proposals: number }): Pick<Bounds, 'crashes' | 'drops' | 'duplicates' | 'proposals'> {
  return { crashes: o.maxCrashes ?? d.crashes, drops: o.maxDrops ?? d.drops, duplicates: o.maxDuplicates ?? d.duplicates, proposals: o.maxProposals ?? d.proposals };
}

function renderBounds(b: Bounds): string {
  return `${counted(b.depth, 'step')}, ${counted(b.crashes, 'crash', 'crashes')}, ${counted(b.drops, 'drop')}, ${counted(b.duplicates, 'duplicate')}, ${counted(b.proposals, 'proposal')}, terms <= ${b.terms}, ${counted(b.messages, 'message')} sent`;
}
