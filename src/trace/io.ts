import { closeSync, constants, fstatSync, openSync, readFileSync, statSync, type Stats } from 'node:fs';
import type { z } from 'zod';
import { TraceError } from './error.js';
import { eventSchema, traceSchema, type TraceFile } from './format.js';
import { LIMITS } from './limits.js';

// Writing and the error class live apart, so that recording a trace loads no schema library.
export { TraceError };
export { serializeTrace, writeNewTrace, writeTrace } from './write.js';

export function parseTrace(text: string, file: string): TraceFile {
  if (nestingDepth(text, LIMITS.depth) > LIMITS.depth) throw new TraceError(`${file}: JSON nested deeper than ${LIMITS.depth} levels, which no trace is`);
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
  // The events are checked one by one and the first bad one ends it: a schema that collects
  // every problem of two million events runs out of memory before it reports any.
  const { events, ...header } = raw as { events?: unknown };
  if (!Array.isArray(events)) throw new TraceError(`${file}: events: expected an array`);
  if (events.length > LIMITS.events) throw new TraceError(`${file}: events: ${events.length} events, more than the ${LIMITS.events} a trace may hold`);
  const parsed = traceSchema.safeParse({ ...header, events: [] });
  if (!parsed.success) throw new TraceError(`${file}: ${describeIssue(parsed.error)}`);
  for (let i = 0; i < events.length; i++) {
    const e = eventSchema.safeParse(events[i]);
    if (!e.success) throw new TraceError(`${file}: ${describeIssue(e.error, ['events', i])}`);
  }
  // Validated; keep the file's own objects (zod rebuilds them in schema key order), so a
  // loaded trace re-serializes to the same bytes and compares line for line with a replay.
  const t = raw as TraceFile;
  if (t.schedule.drift.length !== t.schedule.nodes) {
    throw new TraceError(`${file}: schedule.drift has ${t.schedule.drift.length} entries for ${t.schedule.nodes} nodes`);
  }
  return t;
}

/**
 * How deeply JSON text nests arrays and objects, counted without parsing (strings skipped);
 * stops once past `limit`, so a huge file costs one scan and no memory.
 */
export function nestingDepth(text: string, limit: number): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // a backslash escapes the next character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max && (max = depth) > limit) return max;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return max;
}

/**
 * Reads a trace file. Only a regular file of a sane size is read: a FIFO would block forever,
 * /dev/zero never ends, and a gigabyte of JSON is not a trace.
 */
export function readTrace(file: string): TraceFile {
  let text: string;
  try {
    const st = statSync(file);
    if (st.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    checkRegular(file, st);
    // Opened without blocking and checked again on the descriptor: the path may have changed.
    const fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      checkRegular(file, fstatSync(fd));
      text = readFileSync(fd, 'utf8');
    } finally {
      closeSync(fd);
    }
  } catch (e) {
    if (e instanceof TraceError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new TraceError(`${file}: cannot read (${code === 'ENOENT' ? 'no such file' : code ?? (e as Error).message})`);
  }
  return parseTrace(text, file);
}

function checkRegular(file: string, st: Stats): void {
  if (!st.isFile()) {
    const kind = st.isFIFO() ? 'a FIFO' : st.isCharacterDevice() ? 'a character device' : st.isBlockDevice() ? 'a block device' : st.isSocket() ? 'a socket' : 'not a regular file';
    throw new TraceError(`${file}: ${kind}, not a trace file (raft-check reads traces from regular files only)`);
  }
  if (st.size > LIMITS.fileBytes) throw new TraceError(`${file}: ${st.size} bytes, more than the ${LIMITS.fileBytes} bytes a trace may have`);
}

function describeIssue(err: z.ZodError, prefix: readonly (string | number)[] = []): string {
  const first = err.issues[0];
  const path = [...prefix, ...first.path];
  const where = path.length === 0 ? 'the file' : path.map(String).join('.');
  const more = err.issues.length > 1 ? ` (and ${err.issues.length - 1} more problems)` : '';
  return `${where}: ${first.message}${more}`;
}
