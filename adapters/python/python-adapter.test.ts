import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The Python adapter checked as a user checks theirs: through the built CLI (`npm run build`
// first when running vitest directly), with the command line its README shows.
const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/raft-check.js');
const EXEC = 'python3 adapters/python/adapter.py';

function hasPython(): boolean {
  const r = spawnSync('python3', ['--version'], { encoding: 'utf8' });
  return r.status === 0;
}

const PYTHON = hasPython();
if (!PYTHON) console.warn('adapters/python: python3 is not on PATH, so the Python adapter is not checked');

interface Ran {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function cli(args: readonly string[], timeoutMs: number): Ran {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', timeout: timeoutMs });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

let tmp = '';

beforeAll(() => {
  if (!existsSync(join(ROOT, 'dist/cli/main.js'))) throw new Error('dist/ is missing: run `npm run build` before these tests');
  tmp = mkdtempSync(join(tmpdir(), 'raft-check-python-'));
});

afterAll(() => {
  if (tmp !== '') rmSync(tmp, { recursive: true, force: true });
});

describe.skipIf(!PYTHON)('the Python adapter', () => {
  it('passes conform', () => {
    const r = cli(['conform', '--exec', EXEC], 120_000);
    expect(r.code, r.stdout + r.stderr).toBe(0);
  }, 150_000);

  it('passes a short run of random fault schedules on five nodes', () => {
    const r = cli(['run', '--exec', EXEC, '--iterations', '20', '--nodes', '5', '--seed', '1', '--out', tmp, '--json'], 240_000);
    expect(r.code, r.stdout + r.stderr).toBe(0);
  }, 300_000);

  it('passes every lab scenario', () => {
    const r = cli(['scenario', '--all', '--exec', EXEC, '--out', tmp, '--json'], 240_000);
    expect(r.code, r.stdout + r.stderr).toBe(0);
  }, 300_000);
});

// Shown as skipped, with the reason as its name.
if (!PYTHON) it.skip('the Python adapter is not checked: python3 is not on PATH', () => {});
