import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, basename } from 'node:path';
import { threadId } from 'node:worker_threads';
import { z } from 'zod';
import { traceSchema, type TraceFile } from './format.js';

/** A trace file that cannot be used, with a message that names the file and the problem. */
export class TraceError extends Error {
  override readonly name = 'TraceError';
}

/**
 * Serializes a trace: the header pretty-printed, then one event per line, so a file reads
 * top to bottom and diffs line by line. Same trace, same bytes.
 */
export function serializeTrace(t: TraceFile): string {
  const { events, schedule, ...header } = t;
  const skeleton = { ...header, schedule: { ...schedule, net: '\u0000net' }, events: '\u0000events' };
  const lines = events.map((e) => '    ' + JSON.stringify(e)).join(',\n');
  return (
    JSON.stringify(skeleton, null, 2)
      .replace('"\\u0000net"', () => JSON.stringify(schedule.net))
      .replace('"\\u0000events"', () => (events.length === 0 ? '[]' : `[\n${lines}\n  ]`)) + '\n'
  );
}

/** Writes atomically: a temporary file beside the target, then a rename. */
export function writeTrace(file: string, t: TraceFile): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = join(dirname(file), `.${basename(file)}.${process.pid}.${threadId}.tmp`);
  try {
    writeFileSync(tmp, serializeTrace(t));
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

export function parseTrace(text: string, file: string): TraceFile {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new TraceError(`${file}: not JSON (${(e as Error).message})`);
  }
  if (raw === null || typeof raw !== 'object' || (raw as { format?: unknown }).format !== 'raft-check-trace') {
    throw new TraceError(`${file}: not a raft-check trace (no "format": "raft-check-trace")`);
  }
  const version = (raw as { version?: unknown }).version;
  if (version !== 1) throw new TraceError(`${file}: trace format version ${String(version)} is not supported (this raft-check reads version 1)`);
  const parsed = traceSchema.safeParse(raw);
  if (!parsed.success) throw new TraceError(`${file}: ${describeIssue(parsed.error)}`);
  // Validated; keep the file's own objects (zod rebuilds them in schema key order), so a
  // loaded trace re-serializes to the same bytes and compares line for line with a replay.
  const t = raw as TraceFile;
  if (t.schedule.drift.length !== t.schedule.nodes) {
    throw new TraceError(`${file}: schedule.drift has ${t.schedule.drift.length} entries for ${t.schedule.nodes} nodes`);
  }
  return t;
}

export function readTrace(file: string): TraceFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new TraceError(`${file}: cannot read (${code === 'ENOENT' ? 'no such file' : code ?? (e as Error).message})`);
  }
  return parseTrace(text, file);
}

function describeIssue(err: z.ZodError): string {
  const first = err.issues[0];
  const where = first.path.length === 0 ? 'the file' : first.path.map(String).join('.');
  const more = err.issues.length > 1 ? ` (and ${err.issues.length - 1} more problems)` : '';
  return `${where}: ${first.message}${more}`;
}
