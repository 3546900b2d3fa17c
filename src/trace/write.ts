import { linkSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { threadId } from 'node:worker_threads';
import type { TraceFile } from './format.js';

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

/**
 * Writes a trace under `file`'s name, or, when that file exists, the first free
 * `NAME-2.json`, `NAME-3.json`, ...: a finding never replaces an earlier one. Returns the path
 * written. Each name is claimed atomically (a hard link fails on an existing file), so two
 * workers or runs writing at once cannot take the same one.
 */
export function writeNewTrace(file: string, t: TraceFile): string {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = join(dirname(file), `.${basename(file)}.${process.pid}.${threadId}.tmp`);
  const stem = file.endsWith('.json') ? file.slice(0, -5) : file;
  try {
    writeFileSync(tmp, serializeTrace(t));
    for (let k = 1; ; k++) {
      const name = k === 1 ? file : `${stem}-${k}.json`;
      try {
        linkSync(tmp, name);
        return name;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || k >= 10_000) throw e;
      }
    }
  } finally {
    rmSync(tmp, { force: true });
  }
}
