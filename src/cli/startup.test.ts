import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, ROOT } from './test-support.js';

// What a command loads decides how long it takes to start on a slow machine; these pin what
// each command must leave unloaded, by name rather than by a timing the machine would make flaky.
const tmp = mkdtempSync(join(tmpdir(), 'raft-check-startup-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const HOOK = join(ROOT, 'src/cli/fixtures/track-modules.mjs');
let runs = 0;

/** The module URLs a command resolved (in every thread), and how it ended. */
function loaded(args: readonly string[]): { code: number | null; stdout: string; urls: string[] } {
  const file = join(tmp, `modules-${++runs}.txt`);
  const r = spawnSync(process.execPath, ['--import', HOOK, BIN, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, RAFT_CHECK_TRACK_MODULES: file, RAFT_CHECK_DEBUG: undefined, NO_COLOR: undefined },
  });
  return { code: r.status, stdout: r.stdout, urls: readFileSync(file, 'utf8').split('\n').filter((l) => l !== '') };
}

const packages = (urls: readonly string[], names: readonly string[]): string[] => urls.filter((u) => names.some((n) => u.includes(`/node_modules/${n}/`)));

describe('what a command loads', () => {
  it('--help loads no schema library, no UI and no fast-check', () => {
    const r = loaded(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Usage: raft-check/);
    // The hook did record: commander is always loaded.
    expect(packages(r.urls, ['commander'])).not.toEqual([]);
    expect(packages(r.urls, ['zod', 'ink', 'react', 'fast-check'])).toEqual([]);
  });

  it('bugs loads no schema library, no UI and no fast-check', () => {
    const r = loaded(['bugs']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/commit-previous-term/);
    expect(packages(r.urls, ['zod', 'ink', 'react', 'fast-check'])).toEqual([]);
  });

  it('a passing run loads no schema library in either thread, and no UI off a terminal', () => {
    const r = loaded(['run', '--iterations', '1', '--out', join(tmp, 'traces')]);
    expect(r.code).toBe(0);
    // The worker's modules are recorded too: fast-check is loaded only there.
    expect(packages(r.urls, ['fast-check'])).not.toEqual([]);
    expect(packages(r.urls, ['zod', 'ink', 'react'])).toEqual([]);
    // Needed only for --seed random.
    expect(r.urls).not.toContain('node:crypto');
  });
});
