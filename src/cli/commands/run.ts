import { join } from 'node:path';
import type { BugName } from '../../raft/index.js';
import type { ProfileName, Schedule } from '../../sim/schedule.js';
import type { TraceFile, TraceSize } from '../../trace/format.js';
import type { TraceMeta } from '../../trace/record.js';
import { EXIT, ExitError, UsageError, firstLine, type ExitCode } from '../errors.js';
import { describeSpec, implFlag, implementationInfo, isUserCode, loadFactory, userSpec, type ImplSpec } from '../impl.js';
import { SEED_MAX, type Shard } from '../options.js';
import { checkOutDir } from '../out-dir.js';
import { sanitizeLine } from '../sanitize.js';
import { runTask, startExplore, taskShared, type PoolResult } from '../pool.js';
import { chooseReporter, type RunOutcome } from '../progress.js';
import { HANG_INVARIANT, type Slice } from '../protocol.js';
import { renderCount, renderDuration, renderFinding, renderSize, shellQuote, cliCommand, counted } from '../text.js';

// What only a violation, a hang or --html needs (the explanation, fast-check's replay of an
// iteration, the report and the trace parser behind replay) is imported when it happens: a
// passing run starts without them.

export interface RunOptions {
  readonly nodes: number;
  readonly iterations: number;
  readonly seed: number | 'random';
  readonly faults: ProfileName;
  readonly bug?: BugName;
  readonly impl?: string;
  readonly exec?: string;
  readonly out: string;
  readonly workers: number;
  readonly shard?: Shard;
  readonly shrinkTime: number;
  readonly hangTimeout: number;
  readonly snapshots: boolean;
  readonly json: boolean;
  readonly text: boolean;
  readonly html?: boolean;
}

/** What a violation turned into: the finding, its trace file and how it was shrunk. */
interface Reported {
  readonly finding: NonNullable<TraceFile['violation']>;
  readonly iteration: number;
  readonly trace: string;
  readonly replay: string;
  readonly shrink: { readonly before: TraceSize; readonly after: TraceSize; readonly runs: number; readonly ms: number } | null;
  readonly note: string | null;
  /** The explanation's summary: why the violation happened. */
  readonly why: string | null;
  /** With --html: the report beside the trace. */
  readonly html?: string;
}

/** The slices of the iteration space for a shard and a number of workers: i % (N*W) === I-1 + w*N. */
export function slicesFor(shard: Shard, workers: number): Slice[] {
  return Array.from({ length: workers }, (_, w) => ({ index: shard.index - 1 + w * shard.count, count: shard.count * workers }));
}

/** How many of `iterations` fall in the shard. */
export function shardSize(iterations: number, shard: Shard): number {
  const first = shard.index - 1;
  return first >= iterations ? 0 : Math.floor((iterations - 1 - first) / shard.count) + 1;
}

export async function runCommand(o: RunOptions): Promise<ExitCode> {
  // node:crypto is loaded only for --seed random: it costs tens of milliseconds of a short run's start.
  const seed = o.seed === 'random' ? (await import('node:crypto')).randomInt(0, SEED_MAX) : o.seed;
  const spec: ImplSpec = userSpec(o) ?? { kind: 'core', bug: o.bug ?? null };
  // Where a violation will be written is checked now, not after an hour of searching.
  checkOutDir(o.out);
  // A user's module is loaded only in the workers, under the watchdog; our core loads here.
  const core = spec.kind === 'core' ? await loadFactory(spec) : null;
  const shard = o.shard ?? { index: 1, count: 1 };
  const planned = shardSize(o.iterations, shard);
  const settings = { iterations: o.iterations, seed, nodes: o.nodes, profile: o.faults, snapshots: o.snapshots, shrinkTimeMs: Math.round(o.shrinkTime * 1000) };
  const out = (line: string): void => {
    if (!o.json) process.stdout.write(`${line}\n`);
  };

  const parts = [`seed ${seed}`, `${o.nodes} node${o.nodes === 1 ? '' : 's'}`, counted(o.iterations, 'iteration'), `faults ${o.faults}`, describeSpec(spec)];
  if (o.shard !== undefined) parts.push(`shard ${shard.index}/${shard.count} (${counted(planned, 'iteration')})`);
  if (o.workers > 1) parts.push(`${o.workers} workers`);
  out(`raft-check run: ${parts.join(', ')}`);

  let pool: ReturnType<typeof startExplore> | null = null;
  let sigints = 0;
  let signal = 'SIGINT' as 'SIGINT' | 'SIGTERM';
  let kind: 'silent' | 'live' | 'text' = 'text';
  // SIGTERM (CI cancelling a job, `timeout`) is treated like Ctrl-C: the trace so far is kept.
  const terminate = (): void => {
    signal = 'SIGTERM';
    interrupt();
  };
  const interrupt = (): void => {
    sigints++;
    if (sigints === 1) {
      // The live view shows the interruption itself.
      if (kind === 'text') process.stderr.write('interrupted: stopping after the current runs (Ctrl-C again to quit at once)\n');
      pool?.interrupt();
    } else pool?.kill();
  };
  const chosen = await chooseReporter({
    json: o.json,
    text: o.text,
    live: { seed, nodes: o.nodes, iterations: planned, faults: o.faults, implementation: describeSpec(spec), workers: o.workers, shard: o.shard ?? null, out: o.out, onInterrupt: interrupt },
  });
  const reporter = chosen.reporter;
  kind = chosen.kind;
  process.on('SIGINT', interrupt);
  process.on('SIGTERM', terminate);
  let result: PoolResult;
  try {
    pool = startExplore(
      { ...settings, impl: spec, slices: slicesFor(shard, o.workers), planned, hangTimeoutMs: isUserCode(spec) ? Math.round(o.hangTimeout * 1000) : null },
      { onProgress: (p) => reporter.update(p), onShrink: (p) => reporter.shrinking({ ...p, message: sanitizeLine(p.message), invariant: sanitizeLine(p.invariant) }) },
    );
    result = await pool.result;
  } catch (e) {
    if (reporter.stop !== undefined) reporter.stop();
    else await reporter.done({ ok: false, interrupted: sigints > 0, runs: 0, events: 0, elapsedMs: 0, violation: null });
    throw e;
  } finally {
    process.off('SIGINT', interrupt);
    process.off('SIGTERM', terminate);
  }

  const info = implementationInfo(spec, core ?? { name: result.implementationName ?? describeSpec(spec) });
  const suffix = o.shard !== undefined ? `-shard${shard.index}of${shard.count}` : '';
  let reported: Reported | null = null;
  let saved: TraceFile | null = null;
  const save = async (trace: TraceFile, iteration: number, shrink: Reported['shrink'], note: string | null): Promise<Reported> => {
    const finding = trace.violation!;
    const wanted = join(o.out, `${finding.invariant}-seed${seed}${suffix}.json`);
    const { writeNewTrace } = await import('../../trace/write.js');
    let file: string;
    try {
      file = writeNewTrace(wanted, trace);
    } catch (e) {
      throw new UsageError(`--out ${o.out}: cannot write ${wanted}: ${firstLine(e)}`);
    }
    const { explain } = await import('../../explain/index.js');
    const why = explain(trace)?.summary ?? null;
    saved = trace;
    return { finding, iteration, trace: file, replay: `${cliCommand()} replay ${shellQuote(file)}${implFlag(spec)}`, shrink, note, why };
  };
  if (result.failure !== null) {
    const f = result.failure;
    reported = await save(f.trace, f.runIndex, { before: f.original, after: f.shrunk, runs: f.shrinkRuns, ms: f.shrinkMs }, null);
  } else if (result.hang !== null) {
    const h = result.hang;
    const { abortFinding, hangFinding, hangTrace, scheduleAt } = await import('../hang.js');
    const schedule = scheduleAt(settings, h.index);
    const what = h.message;
    const recorded = h.phase === 'shrink' && h.finding !== null ? await recordUnshrunk(spec, schedule, { implementation: info, profile: o.faults, seed, path: String(h.index), shrink: null }, o.hangTimeout) : null;
    if (recorded !== null) {
      // The failing schedule ran to its end once already; it is kept unshrunk.
      const size = recorded.size;
      reported = await save(recorded.trace, h.index, { before: size, after: size, runs: 0, ms: 0 }, `shrinking stopped: ${what} on a shrunk schedule, so the trace is not shrunk`);
    } else {
      const finding = h.cause === 'hang' ? hangFinding(`${what} on iteration ${h.index} (seed ${seed}); the watchdog stopped it`) : abortFinding(`${what}, on iteration ${h.index} (seed ${seed})`);
      reported = await save(hangTrace(info, o.faults, seed, h.index, schedule, finding), h.index, null, 'the run never finished, so the trace holds the schedule and no events');
    }
  }
  // "No violation" means every planned iteration ran: anything less is not a pass.
  if (reported === null && !result.interrupted && result.iterations !== planned) {
    throw new ExitError(EXIT.internal, `internal error: ${result.iterations} of ${planned} iterations ran and nothing stopped the others; this is not a pass`);
  }

  if (o.html === true && reported !== null && saved !== null) {
    const hangMs = Math.round(o.hangTimeout * 1000);
    const [{ reportBeside }, { replayWith }] = await Promise.all([import('../html.js'), import('./replay.js')]);
    reported = { ...reported, html: await reportBeside(reported.trace, saved, (t) => replayWith(spec, t, hangMs)) };
  }

  const eventsPerSecond = result.searchMs > 0 ? Math.round((result.events * 1000) / result.searchMs) : 0;
  const outcome: RunOutcome = {
    ok: reported === null && !result.interrupted,
    interrupted: result.interrupted,
    runs: result.iterations,
    events: result.events,
    elapsedMs: result.elapsedMs,
    violation: reported === null ? null : { invariant: sanitizeLine(reported.finding.invariant), message: sanitizeLine(reported.finding.message), trace: reported.trace, replay: reported.replay },
  };
  await reporter.done(outcome);

  if (o.json) {
    const v = reported;
    const json = {
      ok: outcome.ok,
      iterations: result.iterations,
      planned,
      events: result.events,
      seed,
      eventsPerSecond,
      elapsedMs: result.elapsedMs,
      interrupted: result.interrupted,
      nodes: o.nodes,
      faults: o.faults,
      implementation: info,
      shard: o.shard ?? null,
      workers: o.workers,
      violation:
        v === null
          ? null
          : {
              invariant: v.finding.invariant,
              kind: v.finding.kind,
              step: v.finding.step,
              time: v.finding.time,
              message: v.finding.message,
              nodes: v.finding.nodes,
              ...(v.finding.index !== undefined ? { index: v.finding.index } : {}),
              iteration: v.iteration,
              trace: v.trace,
              replay: v.replay,
              shrink: v.shrink,
              note: v.note,
              why: v.why,
              ...(v.html === undefined ? {} : { html: v.html }),
            },
    };
    process.stdout.write(`${JSON.stringify(json)}\n`);
  } else {
    printText(out, result, reported, eventsPerSecond, seed);
  }
  if (result.interrupted) return signal === 'SIGTERM' ? EXIT.terminated : EXIT.interrupted;
  return reported === null ? EXIT.ok : EXIT.violation;
}

/** Records a schedule in a worker under the watchdog; null when the implementation hangs or fails again. */
async function recordUnshrunk(spec: ImplSpec, schedule: Schedule, meta: TraceMeta, hangTimeout: number): Promise<{ trace: TraceFile; size: TraceSize } | null> {
  if (spec.kind === 'core') {
    const [{ runChecked }, { sizeOf, toTrace }] = await Promise.all([import('../../check/run.js'), import('../../trace/record.js')]);
    const run = runChecked(await loadFactory(spec), schedule, { record: true });
    return { trace: toTrace(meta, schedule, run), size: sizeOf(schedule, run) };
  }
  const task = { kind: 'record', worker: 0, impl: spec, schedule, meta, shared: taskShared() } as const;
  const end = await runTask(task, Math.round(hangTimeout * 1000), (m) => (m.type === 'recorded' ? { trace: m.trace, size: m.size } : undefined)).result;
  return end.kind === 'done' ? end.value : null;
}

function printText(out: (line: string) => void, r: PoolResult, v: Reported | null, eps: number, seed: number): void {
  const stats = `${counted(r.iterations, 'iteration')}, ${counted(r.events, 'event')} in ${renderDuration(r.searchMs)} (${renderCount(eps)} events/s)`;
  if (v === null) {
    out(r.interrupted ? `interrupted: no violation in ${stats}; seed ${seed}` : `ok: no violation in ${stats}; seed ${seed}`);
    return;
  }
  out('');
  out(`VIOLATION ${renderFinding(v.finding)}`);
  if (v.why !== null && v.why !== v.finding.message && `${v.why}` !== `${v.finding.message}.`) out(`  why: ${v.why}`);
  if (v.finding.invariant === HANG_INVARIANT) out(`  the watchdog stopped iteration ${v.iteration}; before it: ${stats}`);
  else out(`  found at iteration ${v.iteration} after ${stats}`);
  if (v.shrink !== null && v.shrink.runs > 0) {
    out(`  shrunk in ${renderDuration(v.shrink.ms)} (${counted(v.shrink.runs, 'run')}): ${renderSize(v.shrink.before)} -> ${renderSize(v.shrink.after)}`);
  }
  if (v.note !== null) out(`  note: ${v.note}`);
  out(`  trace:  ${v.trace}`);
  if (v.html !== undefined) out(`  html:   ${v.html}`);
  out(`  replay: ${v.replay}`);
  if (r.interrupted) out('interrupted: the search stopped early; this is the violation found so far');
}
