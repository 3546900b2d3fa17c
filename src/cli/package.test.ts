/**
 * raft-check used from someone else's project, as the README says to: the packed tarball
 * installed as a dev dependency into a fresh project (and from git), then its bin and its
 * test helper run from there. Needs the npm registry for the dependencies; without it the test is skipped with
 * a notice, never silently.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from './test-support.js';

const tmp = mkdtempSync(join(tmpdir(), 'raft-check-package-'));
const project = join(tmp, 'my-raft');
let skip: string | null = null;

function sh(cmd: string, args: readonly string[], cwd: string, timeoutMs = 180_000): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout: timeoutMs, env: { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' } });
  return { code: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

beforeAll(() => {
  // dist/ is built by `npm test` before vitest runs; packing without scripts ships it as is.
  const pack = sh('npm', ['pack', '--ignore-scripts', '--pack-destination', tmp], ROOT);
  if (pack.code !== 0) throw new Error(`npm pack failed: ${pack.stderr}`);
  const tarball = readdirSync(tmp).find((f) => f.endsWith('.tgz'))!;
  mkdirSync(project, { recursive: true });
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'my-raft', version: '1.0.0', type: 'module', private: true }));
  const install = sh('npm', ['install', '--save-dev', join(tmp, tarball)], project);
  if (install.code !== 0) {
    const why = /ENOTFOUND|EAI_AGAIN|ENOTCACHED|ECONNREFUSED|ETIMEDOUT|network/i.test(install.stderr) ? 'the npm registry is not reachable' : null;
    if (why === null) throw new Error(`npm install of the tarball failed: ${install.stderr}`);
    skip = why;
    console.warn(`raft-check as a dependency: skipped because ${why}`);
  }
}, 300_000);

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('raft-check installed from its tarball into a fresh project', () => {
  it('npx raft-check runs there and writes its traces apart', (ctx) => {
    if (skip !== null) return ctx.skip();
    const version = sh('npx', ['raft-check', '--version'], project, 60_000);
    expect(version.code, version.stderr).toBe(0);
    const run = sh('npx', ['raft-check', 'run', '--bug', 'double-vote', '--shrink-time', '1', '--json'], project, 120_000);
    expect(run.code, run.stderr).toBe(1);
    const v = (JSON.parse(run.stdout) as { violation: { trace: string; replay: string } }).violation;
    expect(v.trace).toMatch(/^raft-check-traces\/election-safety-seed1\.json$/);
    expect(v.replay).toMatch(/^(npx )?raft-check replay raft-check-traces\//);
    const replay = sh('npx', v.replay.replace(/^npx /, '').split(' '), project, 60_000);
    expect(replay.code, replay.stderr).toBe(1);
  }, 300_000);

  it("the test helper works from the project's own tests", (ctx) => {
    if (skip !== null) return ctx.skip();
    writeFileSync(
      join(project, 'gate.mjs'),
      [
        "import { coreFactory, raftProperty, RaftViolationError } from 'raft-check';",
        "const ok = raftProperty(coreFactory(), { iterations: 20, nodes: 3 });",
        "let caught = null;",
        "try { raftProperty(coreFactory('double-vote'), { iterations: 50, shrinkTimeMs: 500 }); } catch (e) { caught = e instanceof RaftViolationError ? e.finding.invariant : String(e); }",
        'console.log(JSON.stringify({ ok, caught }));',
      ].join('\n'),
    );
    const r = sh(process.execPath, ['gate.mjs'], project, 120_000);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { ok: { iterations: number }; caught: string };
    expect(out.ok.iterations).toBe(20);
    expect(out.caught).toBe('election-safety');
  }, 300_000);

  it('installs from git too (building on install), and runs there', (ctx) => {
    if (skip !== null) return ctx.skip();
    // This checkout's own history stands for the git URL: npm clones it and runs `prepare`.
    const fromGit = join(tmp, 'from-git');
    mkdirSync(fromGit, { recursive: true });
    writeFileSync(join(fromGit, 'package.json'), JSON.stringify({ name: 'from-git', version: '1.0.0', type: 'module', private: true }));
    const install = sh('npm', ['install', '--save-dev', `git+file://${ROOT}`], fromGit, 300_000);
    expect(install.code, install.stderr).toBe(0);
    const run = sh('npx', ['raft-check', 'run', '--iterations', '5', '--json'], fromGit, 60_000);
    expect(run.code, run.stderr).toBe(0);
  }, 360_000);
});

