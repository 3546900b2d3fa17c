import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { traceHtml } from '../report/index.js';
import type { TraceFile } from '../trace/format.js';
import type { ReplayResult } from '../trace/replay.js';
import { UsageError, firstLine } from './errors.js';
import { renderEventLine } from './text.js';

/**
 * Writes a trace's HTML report to `out`, atomically (a temporary file, then a rename: a
 * report already there is never left half written). Returns its size in bytes; a file that
 * cannot be written is a one-line usage error naming the flag.
 */
export function writeHtmlReport(flag: string, out: string, file: string, trace: TraceFile, replay: ReplayResult | null): number {
  const html = traceHtml(file, trace, replay, renderEventLine);
  const tmp = join(dirname(out), `.${basename(out)}.${process.pid}.${threadId}.tmp`);
  try {
    writeFileSync(tmp, html);
    renameSync(tmp, out);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw new UsageError(`${flag} ${out}: cannot write the report: ${firstLine(e)}`);
  }
  return Buffer.byteLength(html);
}

/** `12.3 KB` */
export function renderBytes(n: number): string {
  return n < 1024 ? `${n} B` : n < 1024 * 1024 ? `${(n / 1024).toFixed(1)} KB` : `${(n / 1024 / 1024).toFixed(2)} MB`;
}

/** The report's file beside a trace: `x.json` -> `x.html`. */
export function htmlBeside(traceFile: string): string {
  return traceFile.endsWith('.json') ? `${traceFile.slice(0, -'.json'.length)}.html` : `${traceFile}.html`;
}

/**
 * `run --html`: the report beside a trace just written. The trace is replayed (through the
 * caller's replay, so a user's module runs under the watchdog) for its message fates; a replay
 * that hangs leaves the report without them. Returns the report's file.
 */
export async function reportBeside(traceFile: string, trace: TraceFile, replay: (t: TraceFile) => Promise<ReplayResult | { readonly stopped: unknown }>): Promise<string> {
  // A trace without events (a hang) has nothing to replay for.
  const r = trace.events.length === 0 ? null : await replay(trace);
  const out = htmlBeside(traceFile);
  writeHtmlReport('--html', out, traceFile, trace, r === null || 'stopped' in r ? null : r);
  return out;
}
