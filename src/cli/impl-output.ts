import type { Readable } from 'node:stream';
import { sanitizeText } from './sanitize.js';

/** How a line the implementation printed is marked on stderr. */
export const IMPL_PREFIX = '[implementation] ';

/**
 * Copies what a worker's implementation prints (console.log included) to our stderr, line by
 * line, marked and with terminal control characters escaped. stdout stays raft-check's own:
 * with --json it carries exactly one JSON object whatever the module prints.
 */
export function routeImplementationOutput(stream: Readable | null): void {
  if (stream === null) return;
  let pending = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    // A module that prints without end must not grow this buffer without end.
    if (pending.length > 64 * 1024) {
      lines.push(pending);
      pending = '';
    }
    for (const line of lines) writeErr(`${IMPL_PREFIX}${sanitizeText(line)}\n`);
  });
  stream.on('end', () => {
    if (pending !== '') writeErr(`${IMPL_PREFIX}${sanitizeText(pending)}\n`);
    pending = '';
  });
}

function writeErr(s: string): void {
  try {
    process.stderr.write(s);
  } catch {
    // stderr gone: what the module printed is the one thing we may lose.
  }
}
