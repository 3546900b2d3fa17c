import { basename, dirname, join } from 'node:path';
import { runChecked } from '../../check/run.js';
import type { Minimized } from '../../explore/minimize.js';
import { greedyThenScript } from '../../explore/minimize-script.js';
import type { BugName } from '../../raft/index.js';
import type { NodeFactory } from '../../raft/types.js';
import type { Schedule } from '../../sim/schedule.js';
import { readTrace, writeTrace } from '../../trace/io.js';
import { sizeOf, toTrace } from '../../trace/record.js';
import { EXIT, ExitError, UsageError, firstLine, type ExitCode } from '../errors.js';
import { HANG_INVARIANT } from '../hang.js';
import { implementationInfo, loadFactory } from '../impl.js';
import { renderDuration, renderSize, shellQuote } from '../text.js';
import { replaySpec } from './replay.js';

export interface ShrinkOptions {
  readonly time: number;
  readonly bug?: BugName;
  readonly impl?: string;
  readonly json: boolean;
}

/** Null only when the schedule no longer fails that way; with no budget it comes back as it is. */
function shrinkAgain(factory: NodeFactory, schedule: Schedule, invariant: string, budgetMs: number): Minimized | null {
  const start = Date.now();
  const first = runChecked(factory, schedule);
  if (first.finding === null || first.finding.invariant !== invariant) return null;
  const from: Minimized = { schedule, finding: first.finding, size: sizeOf(schedule, first), runs: 1 };
  if (budgetMs <= 0) return from;
  return greedyThenScript(factory, from, invariant, { start, greedyUntilMs: budgetMs, untilMs: budgetMs, now: Date.now, greedyRuns: Infinity, scriptRuns: Infinity });
}

/** `x.json` -> `x.shrunk.json`; a `.shrunk.json` stays its own name. */
export function shrunkName(file: string): string {
  const base = basename(file);
  const stem = base.endsWith('.shrunk.json') ? base.slice(0, -'.shrunk.json'.length) : base.endsWith('.json') ? base.slice(0, -5) : base;
  return join(dirname(file), `${stem}.shrunk.json`);
}

export async function shrinkCommand(file: string, o: ShrinkOptions): Promise<ExitCode> {
  const trace = readTrace(file);
  if (trace.violation === null) throw new UsageError(`${file}: the trace records no violation, so there is nothing to shrink`);
  if (trace.violation.invariant === HANG_INVARIANT) throw new UsageError(`${file}: a hang cannot be shrunk (every attempt could hang); replay it instead`);
  const invariant = trace.violation.invariant;
  const spec = replaySpec(trace, file, o);
  const factory = await loadFactory(spec);
  const budgetMs = Math.round(o.time * 1000);

  const started = Date.now();
  const result = shrinkAgain(factory, trace.schedule, invariant, budgetMs);
  if (result === null) {
    throw new ExitError(EXIT.diverged, `${file}: the trace's schedule no longer produces ${invariant} with this implementation (replay it to see where it diverges)`);
  }
  const ms = Date.now() - started;
  const recorded = runChecked(factory, result.schedule, { record: true });
  const before = sizeOf(trace.schedule, runChecked(factory, trace.schedule));
  const after = sizeOf(result.schedule, recorded);
  const shrunk = toTrace(
    {
      implementation: implementationInfo(spec, factory),
      profile: trace.profile,
      seed: trace.seed,
      path: null,
      shrink: { before: trace.shrink?.before ?? before, after, runs: (trace.shrink?.runs ?? 0) + result.runs },
    },
    result.schedule,
    recorded,
  );
  const outFile = shrunkName(file);
  try {
    writeTrace(outFile, shrunk);
  } catch (e) {
    throw new UsageError(`cannot write ${outFile}: ${firstLine(e)}`);
  }
  if (o.json) {
    process.stdout.write(`${JSON.stringify({ trace: outFile, invariant, before, after, runs: result.runs, ms })}\n`);
  } else {
    process.stdout.write(
      [
        `shrunk ${invariant} in ${renderDuration(ms)} (${result.runs} runs): ${renderSize(before)} -> ${renderSize(after)}`,
        `  trace:  ${outFile}`,
        `  replay: raft-check replay ${shellQuote(outFile)}`,
      ].join('\n') + '\n',
    );
  }
  return EXIT.ok;
}
