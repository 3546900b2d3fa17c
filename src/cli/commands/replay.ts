import type { BugName } from '../../raft/index.js';
import type { Finding } from '../../sim/observer.js';
import type { TraceFile } from '../../trace/format.js';
import { readTrace } from '../../trace/io.js';
import { replayTrace, type ReplayResult } from '../../trace/replay.js';
import { replayScenarioTrace, scenarioOfTrace } from '../../scenario/runner.js';
import { EXIT, type ExitCode } from '../errors.js';
import { HANG_INVARIANT } from '../hang.js';
import { loadFactory, moduleSpec, specFromTrace, type ImplSpec } from '../impl.js';
import { replayInWorker } from '../pool.js';
import { noColor, optionalImport } from '../progress.js';
import { renderEventLine, renderFinding, renderTraceHeader } from '../text.js';

export interface ReplayOptions {
  readonly json: boolean;
  readonly text: boolean;
  readonly bug?: BugName;
  readonly impl?: string;
  readonly hangTimeout: number;
}

/** The viewer module's shape, as the UI provides it. */
interface ViewerModule {
  runViewer(trace: TraceFile, result: ReplayResult, options: { file: string }): Promise<void> | void;
}

/** Which implementation replays a trace: --impl, --bug, else what the trace recorded. */
export function replaySpec(trace: TraceFile, file: string, o: { bug?: BugName; impl?: string }): ImplSpec {
  if (o.impl !== undefined) return moduleSpec(o.impl);
  if (o.bug !== undefined) return { kind: 'core', bug: o.bug };
  return specFromTrace(trace.implementation, file);
}

/**
 * Replays in-process for our core; a user's module runs in a worker under the watchdog, so a
 * node that never returns is a result ('hang'), not a frozen terminal.
 */
export async function replayWith(spec: ImplSpec, trace: TraceFile, hangTimeoutMs: number): Promise<ReplayResult | 'hang'> {
  // A directed scenario is not a schedule: it is re-run from its name and seed.
  if (spec.kind === 'core' && scenarioOfTrace(trace) !== null) return replayScenarioTrace(trace, await loadFactory(spec));
  if (spec.kind === 'core') return replayTrace(trace, await loadFactory(spec));
  await loadFactory(spec); // shape errors here, in the main thread, exit 2
  return replayInWorker(spec, trace, hangTimeoutMs);
}

export async function replayCommand(file: string, o: ReplayOptions): Promise<ExitCode> {
  const trace = readTrace(file);
  const spec = replaySpec(trace, file, o);
  const hangTimeoutMs = Math.round(o.hangTimeout * 1000);
  const raw = await replayWith(spec, trace, hangTimeoutMs);
  const recordedHang = trace.violation?.invariant === HANG_INVARIANT;

  // A hang trace has no events: it reproduces when the node hangs again.
  let result: ReplayResult;
  if (raw === 'hang') {
    const message = `a node did not return within ${o.hangTimeout} s during the replay`;
    const violation: Finding = { invariant: HANG_INVARIANT, kind: 'implementation', step: 0, time: 0, nodes: [], message };
    result = recordedHang
      ? { reproduced: true, divergence: null, violation: trace.violation as Finding, events: [] }
      : { reproduced: false, divergence: { step: 0, expected: JSON.stringify(trace.violation), actual: JSON.stringify(violation) }, violation, events: [] };
  } else if (recordedHang) {
    result = { ...raw, reproduced: false, divergence: { step: 0, expected: JSON.stringify(trace.violation), actual: JSON.stringify(raw.violation) } };
  } else result = raw;

  const code: ExitCode = !result.reproduced ? EXIT.diverged : result.violation !== null ? EXIT.violation : EXIT.ok;

  if (o.json) {
    const json = {
      reproduced: result.reproduced,
      diverged: !result.reproduced,
      divergence: result.divergence,
      violation: result.violation,
      events: result.events.length,
      file,
      implementation: trace.implementation,
    };
    process.stdout.write(`${JSON.stringify(json)}\n`);
    return code;
  }

  if (!o.text && process.stdout.isTTY === true && process.stdin.isTTY === true && !noColor()) {
    const viewer = await optionalImport<ViewerModule>('../ui/viewer.js');
    if (viewer !== null && typeof viewer.runViewer === 'function') {
      await viewer.runViewer(trace, result, { file });
      // The viewer sets exit code 130 when it was left with Ctrl-C.
      if (process.exitCode === EXIT.interrupted) return EXIT.interrupted;
      process.stdout.write(`${verdict(result).join('\n')}\n`);
      return code;
    }
  }

  const lines = renderTraceHeader(file, trace);
  lines.push('');
  for (const e of result.events) lines.push(renderEventLine(e));
  if (result.events.length > 0) lines.push('');
  lines.push(...verdict(result));
  process.stdout.write(`${lines.join('\n')}\n`);
  return code;
}

/** The closing lines: reproduced, clean, or where it diverged. */
export function verdict(r: ReplayResult): string[] {
  if (!r.reproduced) {
    const d = r.divergence!;
    return [
      `DIVERGED at step ${d.step}: the replay does not match the recording`,
      `  expected: ${d.expected ?? '(the recording ended here)'}`,
      `  actual:   ${d.actual ?? '(the replay ended here)'}`,
      ...(r.violation !== null ? [`  the replay found: ${renderFinding(r.violation)}`] : []),
    ];
  }
  if (r.violation !== null) return [`REPRODUCED ${renderFinding(r.violation)}`];
  return [`replayed clean: ${r.events.length} events matched the recording, no violation`];
}
