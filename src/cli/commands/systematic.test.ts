import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, oneLineError, spawnCli, type Ran } from '../test-support.js';

let tmp = '';
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'raft-check-systematic-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function cli(args: readonly string[]): Ran {
  return spawnCli(args, 60_000, { NO_COLOR: undefined });
}

describe('run --strategy exhaustive', () => {
  it('finds the shortest double-vote counterexample and writes a trace that replays', () => {
    const r = cli(['run', '--strategy', 'exhaustive', '--bug', 'double-vote', '--max-steps', '6', '--max-crashes', '0', '--max-proposals', '0', '--out', tmp, '--json']);
    expect(r.code, r.stderr).toBe(1);
    const j = json(r);
    const v = j.violation as { invariant: string; steps: number; trace: string };
    expect(v.invariant).toBe('election-safety');
    expect(v.steps).toBe(6);
    expect(j).toMatchObject({ strategy: 'exhaustive', nodes: 3, depth: 6, exhausted: false });
    const trace = JSON.parse(readFileSync(v.trace, 'utf8')) as { profile: string; schedule: { script: unknown[] } };
    expect(trace.profile).toBe('exhaustive');
    expect(trace.schedule.script).toHaveLength(6);
    const replay = cli(['replay', v.trace, '--json']);
    expect(replay.code, replay.stderr).toBe(1);
    expect(json(replay)).toMatchObject({ reproduced: true });
  });

  it('says "no violation within bounds" only when every path was searched, with state counts', () => {
    const r = cli(['run', '--strategy', 'exhaustive', '--max-steps', '5', '--max-crashes', '0', '--max-proposals', '0']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^ok: no violation within bounds \(every path searched\): [\d,]+ states generated, [\d,]+ distinct, depth 5/m);
  });

  it('a search stopped by --time is not a pass: exit 4', () => {
    const r = cli(['run', '--strategy', 'exhaustive', '--max-steps', '30', '--max-messages', '100', '--max-term', '10', '--time', '0.5', '--json']);
    expect(r.code, r.stderr).toBe(4);
    expect(json(r)).toMatchObject({ ok: false, stopped: 'time', exhausted: false, violation: null });
  });
});

describe('run --strategy pct', () => {
  it('finds a bug, reports the probability bound and shrinks the run', () => {
    const r = cli(['run', '--strategy', 'pct', '--bug', 'split-hard-state', '--iterations', '2000', '--shrink-time', '5', '--out', tmp, '--json']);
    expect(r.code, r.stderr).toBe(1);
    const j = json(r);
    expect(j).toMatchObject({ strategy: 'pct', depth: 3, steps: 100, chains: 9, boundPerRun: 1 / 90_000 });
    expect((j.violation as { invariant: string }).invariant).toBe('election-safety');
  });

  it('passes the correct core over its runs', () => {
    const r = cli(['run', '--strategy', 'pct', '--iterations', '200', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(json(r)).toMatchObject({ ok: true, runs: 200, violation: null });
  });
});

describe('strategy flags', () => {
  it.each([
    [['run', '--strategy', 'exhaustive', '--depth', '3'], /--depth: applies only to --strategy pct, not exhaustive/],
    [['run', '--max-steps', '3'], /--max-steps: applies only to --strategy pct or exhaustive, not random/],
    [['run', '--strategy', 'pct', '--no-reduction'], /--no-reduction: applies only to --strategy exhaustive, not pct/],
    [['run', '--strategy', 'exhaustive', '--workers', '2'], /--workers: applies only to --strategy random/],
    [['run', '--strategy', 'bfs'], /--strategy bfs: unknown strategy; the strategies are: random, pct, exhaustive/],
    [['run', '--strategy', 'pct', '--impl', 'x.mjs'], /--strategy pct: checks our core/],
  ])('refuses %j with one line', (args, pattern) => {
    oneLineError(cli(args), 2, pattern);
  });
});
