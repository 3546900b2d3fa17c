import { basename, dirname, join } from 'node:path';
import type { BugName } from '../../raft/index.js';
import { readTrace, writeNewTrace } from '../../trace/io.js';
import { EXIT, ExitError, UsageError, firstLine, type ExitCode } from '../errors.js';
import { HANG_INVARIANT } from '../hang.js';
import { implFlag, importHang } from '../impl.js';
import { checkOutDir } from '../out-dir.js';
import { runTask, taskShared } from '../pool.js';
import { renderDuration, renderSize, shellQuote, cliCommand, counted } from '../text.js';
import { replaySpec } from './replay.js';

export interface ShrinkOptions {
  readonly time: number;
  readonly bug?: BugName;
  readonly impl?: string;
  readonly exec?: string;
  readonly hangTimeout?: number;
  readonly json: boolean;
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
  const budgetMs = Math.round(o.time * 1000);
  const wantedFile = shrunkName(file);
  checkOutDir(dirname(wantedFile));

  // In a worker, whatever the implementation: the watchdog covers a user's module (its import
  // too), and Ctrl-C or SIGTERM reach the main thread while shrinking runs, so the best
  // schedule so far is kept and written.
  const hangTimeoutMs = spec.kind === 'core' ? Infinity : Math.round((o.hangTimeout ?? 10) * 1000);
  const task = runTask({ kind: 'shrink', worker: 0, impl: spec, trace, budgetMs, shared: taskShared() }, hangTimeoutMs, (m) => (m.type === 'shrunk' ? m.outcome : undefined));
  let signal: 'SIGINT' | 'SIGTERM' | null = null;
  const stop = (s: 'SIGINT' | 'SIGTERM') => (): void => {
    if (signal !== null) process.exit(s === 'SIGTERM' ? EXIT.terminated : EXIT.interrupted);
    signal = s;
    process.stderr.write('interrupted: keeping the smallest trace so far (Ctrl-C again to quit at once)\n');
    task.interrupt();
  };
  const onInt = stop('SIGINT');
  const onTerm = stop('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  // A long shrink prints nothing until it ends: say it started, and that Ctrl-C is safe now.
  if (!o.json) process.stderr.write(`shrinking ${invariant} in ${file} (up to ${o.time} s; Ctrl-C keeps the smallest trace so far)\n`);
  let end: Awaited<typeof task.result>;
  try {
    end = await task.result;
  } finally {
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
  }
  if (end.kind === 'hang' && end.phase === 'import') throw importHang(spec, hangTimeoutMs);
  if (end.kind === 'hang') throw new ExitError(EXIT.violation, `${file}: implementation-hang: ${end.message} on a shrunk schedule; nothing written (the trace you have still reproduces ${invariant})`);
  if (end.kind === 'abort') throw new ExitError(EXIT.violation, `${file}: implementation-error while shrinking: ${end.message}; nothing written`);
  const outcome = end.value;
  if (outcome.kind === 'unshrinkable') throw new UsageError(`${file}: ${outcome.reason}`);
  if (outcome.kind === 'gone') {
    throw new ExitError(EXIT.diverged, `${file}: the trace's schedule no longer produces ${invariant} with this implementation (replay it to see where it diverges)`);
  }
  const { before, after, runs, ms } = outcome;
  let outFile: string;
  try {
    outFile = writeNewTrace(wantedFile, outcome.trace);
  } catch (e) {
    throw new UsageError(`cannot write ${wantedFile}: ${firstLine(e)}`);
  }
  if (o.json) {
    process.stdout.write(`${JSON.stringify({ trace: outFile, invariant, before, after, runs, ms, interrupted: signal !== null })}\n`);
  } else {
    process.stdout.write(
      [
        `shrunk ${invariant} in ${renderDuration(ms)} (${counted(runs, 'run')}): ${renderSize(before)} -> ${renderSize(after)}${signal !== null ? ' (interrupted: the smallest so far)' : ''}`,
        `  trace:  ${outFile}`,
        `  replay: ${cliCommand()} replay ${shellQuote(outFile)}${implFlag(spec)}`,
      ].join('\n') + '\n',
    );
  }
  if (signal !== null) return signal === 'SIGTERM' ? EXIT.terminated : EXIT.interrupted;
  return EXIT.ok;
}
