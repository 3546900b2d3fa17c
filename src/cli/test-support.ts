import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { expect } from 'vitest';

// The built CLI, run as a user runs it: `node bin/raft-check.js ...` against dist/ (npm test
// builds first; after editing, run `npm run build` before running vitest directly).
export const ROOT = resolve(import.meta.dirname, '../..');
export const BIN = join(ROOT, 'bin/raft-check.js');

export interface Ran {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CLI from the project root; `env` entries set to undefined are removed. */
export function spawnCli(args: readonly string[], timeoutMs: number, env: Record<string, string | undefined>): Ran {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', timeout: timeoutMs, env: { ...process.env, RAFT_CHECK_DEBUG: undefined, ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Exactly one JSON object on stdout, nothing else. */
export function json(r: Ran): Record<string, unknown> {
  const lines = r.stdout.split('\n').filter((l) => l !== '');
  expect(lines, r.stdout + r.stderr).toHaveLength(1);
  return JSON.parse(lines[0]) as Record<string, unknown>;
}

/** Exit `code` and exactly one error line on stderr (progress lines of run and shrink aside), no stack trace. */
export function oneLineError(r: Ran, code: number, pattern: RegExp): void {
  expect(r.code, r.stderr).toBe(code);
  const lines = r.stderr.split('\n').filter((l) => l !== '' && !l.startsWith('raft-check run:') && !l.startsWith('shrinking '));
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}
