import { explain, renderExplanation } from '../../explain/index.js';
import { messagesJson } from '../../report/messages.js';
import { eventLinesWithSends } from '../../report/text.js';
import type { BugName } from '../../raft/index.js';
import type { Finding } from '../../sim/observer.js';
import type { TraceFile } from '../../trace/format.js';
import { readTrace } from '../../trace/io.js';
import { replayTrace, type ReplayResult } from '../../trace/replay.js';
import { replayScenarioTrace, scenarioOfTrace } from '../../scenario/runner.js';
import { EXIT, type ExitCode } from '../errors.js';
import { renderBytes, writeHtmlReport } from '../html.js';
import { HANG_INVARIANT } from '../hang.js';
import { describeSpec, importHang, loadFactory, specForTrace, type ImplSpec, type NamedImplementation } from '../impl.js';
import { runTask, taskShared } from '../pool.js';
import { noColor, optionalImport } from '../progress.js';
import { sanitizeLine } from '../sanitize.js';
import { counted, renderEventLine, renderFinding, renderTraceHeader, sanitizedForDisplay } from '../text.js';

export interface ReplayOptions {
  readonly json: boolean;
  readonly text: boolean;
  readonly bug?: BugName;
  readonly impl?: string;
  readonly exec?: string;
  readonly hangTimeout: number;
  readonly html?: string;
}

/** The viewer module's shape, as the UI provides it. */
interface ViewerModule {
  runViewer(trace: TraceFile, result: ReplayResult, options: { file: string }): Promise<void> | void;
}

/** Which implementation replays a trace: --impl, --bug, else what the trace recorded. */
export function replaySpec(trace: TraceFile, file: string, o: NamedImplementation): ImplSpec {
  return specForTrace(trace.implementation, file, o);
}

/** A replay the worker could not finish: what stopped it, as a finding. */
export interface Stopped {
  readonly stopped: Finding;
}

/**
 * Replays in-process for our core; a user's module is loaded and run only in a worker under
 * the watchdog (its import included), so a node that never returns, a module that loops at
 * its top level, exits or runs out of memory is a result, not a frozen terminal or exit 70.
 */
export async function replayWith(spec: ImplSpec, trace: TraceFile, hangTimeoutMs: number): Promise<ReplayResult | Stopped> {
  // A directed scenario is not a schedule: it is re-run from its name and seed.
  if (spec.kind === 'core' && scenarioOfTrace(trace) !== null) return replayScenarioTrace(trace, await loadFactory(spec));
  if (spec.kind === 'core') return replayTrace(trace, await loadFactory(spec));
  const task = runTask({ kind: 'replay', worker: 0, impl: spec, trace, shared: taskShared() }, hangTimeoutMs, (m) => (m.type === 'replayed' ? m.result : undefined));
  const end = await task.result;
  if (end.kind === 'done') return end.value;
  if (end.kind === 'hang' && end.phase === 'import') throw importHang(spec, hangTimeoutMs);
  const message = end.kind === 'hang' ? `${end.message} during the replay` : end.message;
  return { stopped: { invariant: end.kind === 'hang' ? HANG_INVARIANT : 'implementation-error', kind: 'implementation', step: 0, time: 0, nodes: [], message } };
}

export async function replayCommand(file: string, o: ReplayOptions): Promise<ExitCode> {
  const trace = readTrace(file);
  const spec = replaySpec(trace, file, o);
  const hangTimeoutMs = Math.round(o.hangTimeout * 1000);
  const raw = await replayWith(spec, trace, hangTimeoutMs);
  const recordedHang = trace.violation?.invariant === HANG_INVARIANT;

  // A hang trace has no events: it reproduces when the node hangs again.
  let result: ReplayResult;
  if ('stopped' in raw) {
    const violation = raw.stopped;
    const again = trace.events.length === 0 && trace.violation?.invariant === violation.invariant;
    result = again
      ? { reproduced: true, divergence: null, violation: trace.violation as Finding, events: [] }
      : { reproduced: false, divergence: { step: 0, expected: JSON.stringify(trace.violation), actual: JSON.stringify(violation) }, violation, events: [] };
  } else if (recordedHang) {
    result = { ...raw, reproduced: false, divergence: { step: 0, expected: JSON.stringify(trace.violation), actual: JSON.stringify(raw.violation) } };
  } else result = raw;

  const recordedViolation = (trace.violation as Finding | null) ?? null;
  // Named on the command line and not what the trace recorded: say what actually ran.
  const replayedWith = o.impl !== undefined || o.exec !== undefined || (o.bug !== undefined && o.bug !== trace.implementation.bug) ? describeSpec(spec) : null;
  const code: ExitCode = !result.reproduced ? EXIT.diverged : result.violation !== null ? EXIT.violation : EXIT.ok;
  const explanation = explain({ schedule: trace.schedule, events: result.events, violation: result.violation });

  const html = o.html === undefined ? null : { file: o.html, bytes: writeHtmlReport('--html', o.html, file, trace, result) };
  if (html !== null && !o.json) {
    // The page is the rendering asked for: the verdict and where the page is, no viewer.
    const why = explanation === null ? [] : [`why: ${explanation.summary}`];
    process.stdout.write(`${[...verdict(result, recordedViolation), ...why, `html: ${html.file} (${renderBytes(html.bytes)})`].join('\n')}\n`);
    return code;
  }

  if (o.json) {
    const json = {
      reproduced: result.reproduced,
      diverged: !result.reproduced,
      divergence: result.divergence,
      violation: result.violation,
      explanation,
      messages: result.messages === undefined ? null : messagesJson(result.events, result.messages),
      ...(html === null ? {} : { html }),
      events: result.events.length,
      file,
      implementation: trace.implementation,
      replayedWith: replayedWith ?? describeSpec(spec),
      /** After a divergence: does the recorded violation still occur on the whole schedule? */
      recordedViolation: result.reproduced ? null : fixVerdict(recordedViolation, result.violation),
    };
    process.stdout.write(`${JSON.stringify(json)}\n`);
    return code;
  }

  if (!o.text && process.stdout.isTTY === true && process.stdin.isTTY === true && !noColor()) {
    const viewer = await optionalImport<ViewerModule>('../ui/viewer.js');
    if (viewer !== null && typeof viewer.runViewer === 'function') {
      const shown = sanitizedForDisplay(trace, result);
      await viewer.runViewer(shown.trace, shown.result, { file: sanitizeLine(file) });
      // The viewer sets exit code 130 when it was left with Ctrl-C.
      if (process.exitCode === EXIT.interrupted) return EXIT.interrupted;
      process.stdout.write(`${verdict(result, recordedViolation).join('\n')}\n`);
      return code;
    }
  }

  const lines = renderTraceHeader(file, trace, replayedWith);
  lines.push('');
  lines.push(...eventLinesWithSends(result.events, result.messages, renderEventLine));
  if (result.events.length > 0) lines.push('');
  lines.push(...verdict(result, recordedViolation));
  if (explanation !== null) lines.push('', ...renderExplanation(explanation));
  process.stdout.write(`${lines.join('\n')}\n`);
  return code;
}

/**
 * Against another implementation (a fix), a replay diverges where it behaves differently and
 * then runs the recorded schedule to its end: does the recorded violation still occur?
 */
export function fixVerdict(recorded: Finding | null, found: Finding | null): 'still' | 'gone' | 'other' | null {
  if (recorded === null) return null;
  if (found === null) return 'gone';
  return found.invariant === recorded.invariant ? 'still' : 'other';
}

/** The closing lines: reproduced, clean, or where it diverged (and, then, what the whole schedule gave). */
export function verdict(r: ReplayResult, recorded: Finding | null = null): string[] {
  if (!r.reproduced) {
    const d = r.divergence!;
    const fix = fixVerdict(recorded, r.violation);
    return [
      `DIVERGED at step ${d.step}: the replay does not match the recording`,
      `  expected: ${d.expected === null ? '(the recording ended here)' : sanitizeLine(d.expected)}`,
      `  actual:   ${d.actual === null ? '(the replay ended here)' : sanitizeLine(d.actual)}`,
      ...(fix === 'gone' ? [`the recorded ${recorded!.invariant} no longer occurs: the whole schedule ran to its end with no violation`] : []),
      ...(fix === 'still' ? [`the recorded ${recorded!.invariant} still occurs: ${renderFinding(r.violation!)}`] : []),
      ...(fix === 'other' || (fix === null && r.violation !== null) ? [`  the replay found: ${renderFinding(r.violation!)}`] : []),
    ];
  }
  if (r.violation !== null) return [`REPRODUCED ${renderFinding(r.violation)}`];
  return [`replayed clean: ${counted(r.events.length, 'event')} matched the recording, no violation`];
}
