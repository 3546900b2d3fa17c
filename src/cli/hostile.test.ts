/**
 * The hostile suite (issue 12): crafted traces, misbehaving modules, signals and pipes, run
 * through the built CLI as a user would. Each case failed before its fix: a module imported
 * from a trace, a hang, exit 70, a false "no violation", or a lost trace.
 * Fixtures: src/cli/fixtures/hostile/ (wrap.mjs wraps our core; each file misbehaves one way).
 */
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, json, oneLineError, ROOT, spawnCli, type Ran } from './test-support.js';
import { cliCommand } from './text.js';

const H = 'src/cli/fixtures/hostile';
let tmp = '';

function cli(args: readonly string[], env: Record<string, string> = {}): Ran {
  return spawnCli(args, 55_000, { NO_COLOR: '1', ...env });
}


/** A small failing trace of our core, to edit into hostile ones. */
let base: Record<string, unknown> = {};
const write = (name: string, value: unknown): string => {
  const f = join(tmp, name);
  writeFileSync(f, typeof value === 'string' ? value : JSON.stringify(value));
  return f;
};
const edited = (name: string, edit: (t: Record<string, any>) => void): string => {
  const t = JSON.parse(JSON.stringify(base)) as Record<string, any>;
  edit(t);
  return write(name, t);
};

beforeAll(() => {
  if (!existsSync(join(ROOT, 'dist/cli/main.js'))) throw new Error('dist/ is missing: run `npm run build` before these tests');
  tmp = mkdtempSync(join(tmpdir(), 'raft-check-hostile-'));
  const r = cli(['run', '--bug', 'double-vote', '--shrink-time', '0', '--json', '--out', join(tmp, 'base')]);
  base = JSON.parse(readFileSync((json(r).violation as { trace: string }).trace, 'utf8')) as Record<string, unknown>;
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('class 1: a trace never runs code', () => {
  it.each([
    ['a relative path', (m: string) => `${H}/marker.mjs`.replace('marker', m)],
    ['an absolute path', (m: string) => join(ROOT, H, `${m}.mjs`)],
    ['a path into node_modules', () => 'node_modules/raft-check-evil/index.mjs'],
  ])('replay and shrink refuse a trace naming %s, and import nothing', (_label, path) => {
    const marker = join(tmp, `imported-${Math.random().toString(36).slice(2)}`);
    const module = path('marker');
    const file = edited('names-module.json', (t) => (t.implementation = { name: 'evil', bug: null, module }));
    for (const command of ['replay', 'shrink']) {
      const r = cli([command, file], { RAFT_CHECK_MARKER: marker });
      oneLineError(r, 2, new RegExp(`recorded with --impl .*; a trace never runs code by itself: pass --impl .* to run it`));
      expect(existsSync(marker)).toBe(false);
    }
  });

  it('names the command a trace records with --exec the same way', () => {
    const file = edited('names-exec.json', (t) => (t.implementation = { name: 'evil', bug: null, module: null, exec: 'rm -rf /' }));
    oneLineError(cli(['replay', file]), 2, /recorded with --exec rm -rf \/; a trace never runs code by itself: pass --exec 'rm -rf \/'/);
  });

  it('runs the module once the user names it', () => {
    const marker = join(tmp, 'imported-named');
    const file = edited('named.json', (t) => (t.implementation = { name: 'exits on a timer', bug: null, module: `${H}/marker.mjs` }));
    cli(['replay', file, '--impl', `${H}/marker.mjs`, '--json'], { RAFT_CHECK_MARKER: marker });
    expect(existsSync(marker)).toBe(true);
  });
});

describe('class 2: no false passes', () => {
  it('a module that exits while imported is an error, not exit 0', () => {
    oneLineError(cli(['run', '--impl', `${H}/import-exits.mjs`, '--iterations', '5', '--json', '--out', join(tmp, 'o')]), 2, /importing the module failed: .*called process\.exit\(0\)/);
  });

  it('a module that calls process.exit in a step is a finding naming the node and input', () => {
    const r = cli(['run', '--impl', `${H}/exits-in-step.mjs`, '--iterations', '5', '--shrink-time', '0', '--json', '--out', join(tmp, 'exit')]);
    expect(r.code, r.stderr).toBe(1);
    expect(json(r).violation).toMatchObject({ invariant: 'implementation-error', nodes: [2], message: expect.stringMatching(/^node 2 threw on timer: .*process\.exit\(0\).*exits-in-step\.mjs:3/) });
  });

  it('a closed stdout does not end the search with exit 0, and the trace is written', async () => {
    const out = join(tmp, 'pipe');
    const child = spawn(process.execPath, [BIN, 'run', '--bug', 'double-vote', '--shrink-time', '0', '--out', out], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    expect(code).toBe(1);
    expect(existsSync(join(out, 'election-safety-seed1.json'))).toBe(true);
  });

  it('an unwritable stderr changes nothing', async () => {
    const child = spawn(process.execPath, [BIN, 'run', '--bug', 'double-vote', '--shrink-time', '0', '--json', '--out', join(tmp, 'noerr')], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stderr.destroy();
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    expect(code).toBe(1);
    expect(JSON.parse(stdout)).toMatchObject({ ok: false, planned: 1000 });
  });

  it('--json says how many of the planned iterations completed', () => {
    const j = json(cli(['run', '--iterations', '7', '--json', '--out', join(tmp, 'o')]));
    expect(j).toMatchObject({ ok: true, iterations: 7, planned: 7 });
  });
});

describe('class 3: no hangs, bounded resources', () => {
  it.each([['1'], ['2']])('a module that loops at import is stopped (%s workers)', (workers) => {
    oneLineError(
      cli(['run', '--impl', `${H}/import-loops.mjs`, '--workers', workers, '--hang-timeout', '1', '--json', '--out', join(tmp, 'o')]),
      2,
      /importing the module did not finish within 1 s \(--hang-timeout\)/,
    );
  });

  it('scenario watches the import and every run: a loop at import exits 2, a node that never returns fails its scenario', () => {
    oneLineError(cli(['scenario', 'initial-election', '--impl', `${H}/import-loops.mjs`, '--hang-timeout', '1', '--out', join(tmp, 'o')]), 2, /importing the module did not finish within 1 s/);
    const r = cli(['scenario', 'initial-election', '--impl', `${H}/hangs-on-receive.mjs`, '--hang-timeout', '1', '--json', '--out', join(tmp, 'o')]);
    expect(r.code, r.stderr).toBe(1);
    const out = json(r) as { ok: boolean; scenarios: { name: string; firstFailure: { finding: { invariant: string; message: string }; replay: string } }[] };
    expect(out.ok).toBe(false);
    expect(out.scenarios[0].firstFailure.finding.invariant).toBe('implementation-hang');
    expect(out.scenarios[0].firstFailure.replay).toBe(`${cliCommand()} scenario initial-election --seed 1 --impl src/cli/fixtures/hostile/hangs-on-receive.mjs`);
  });

  it('replay and shrink watch the import too', () => {
    for (const command of ['replay', 'shrink']) {
      oneLineError(cli([command, join(tmp, 'base', 'election-safety-seed1.json'), '--impl', `${H}/import-loops.mjs`, '--hang-timeout', '1']), 2, /importing the module did not finish within 1 s/);
    }
  });

  it.each([
    ['an absurd duration', (t: any) => (t.schedule.durationMs = 1e12), /schedule\.durationMs: /],
    ['an absurd election timeout', (t: any) => (t.schedule.timing.electionTimeoutMaxMs = 1e9), /schedule\.timing\.electionTimeoutMaxMs: /],
    ['a huge delay', (t: any) => (t.schedule.network.delayMaxMs = 2 ** 40), /schedule\.network\.delayMaxMs: /],
    ['a fault far in the future', (t: any) => (t.schedule.faults = [{ at: 2 ** 50, kind: 'crash', node: 1, downMs: 10 }]), /schedule\.faults\.0\.at: /],
    ['a huge snapshot threshold', (t: any) => (t.schedule.snapshotThreshold = 1e15), /schedule\.snapshotThreshold: /],
    ['20 nodes', (t: any) => (t.schedule.nodes = 20), /schedule\.nodes: /],
    ['a bad event deep in the list', (t: any) => (t.events[3].step = -1), /events\.3\.step: /],
  ])('a trace with %s is refused in seconds, naming the field', (_label, edit, field) => {
    const started = Date.now();
    oneLineError(cli(['replay', edited('absurd.json', edit), '--json']), 2, field);
    expect(Date.now() - started).toBeLessThan(50_000);
  });

  it('deeply nested JSON is refused without parsing it', () => {
    oneLineError(cli(['replay', write('deep.json', `${'['.repeat(100_000)}${']'.repeat(100_000)}`)]), 2, /nested deeper than 32 levels/);
  });

  it('a FIFO and /dev/zero are refused without reading', () => {
    const fifo = join(tmp, 'fifo.json');
    execFileSync('mkfifo', [fifo]);
    oneLineError(cli(['replay', fifo]), 2, /fifo\.json: a FIFO, not a trace file/);
    oneLineError(cli(['shrink', '/dev/zero']), 2, /\/dev\/zero: a character device, not a trace file/);
  });
});

describe('class 4: what an implementation does is a finding, never exit 70', () => {
  it.each([
    ['throws a string', 'throws-string', /^node 1 threw on timer: a non-Error value "not an error"$/],
    ['throws from a helper: the stack is the user\'s frames', 'throws-error', /^node 1 threw on timer: TypeError: .* \(at throws-error\.mjs:4 < throws-error\.mjs:6 < wrap\.mjs:\d+\)$/],
    ['sends to node 1.5', 'fractional-to', /^node 1 returned malformed output on timer: messages\[\d+\] is addressed to unknown node 1\.5$/],
    ['arms a real timer', 'sets-timeout', /^node 3 threw on start: Error: the implementation called setTimeout\(\)/],
    ['leaves an unhandled rejection', 'unhandled-rejection', /^an unhandled promise rejection: Error: nobody catches me \(at unhandled-rejection\.mjs:5/],
  ])('%s', (_label, fixture, message) => {
    const r = cli(['run', '--impl', `${H}/${fixture}.mjs`, '--iterations', '20', '--shrink-time', '0', '--hang-timeout', '20', '--json', '--out', join(tmp, fixture)]);
    expect(r.code, r.stderr).toBe(1);
    const v = json(r).violation as { invariant: string; message: string; trace: string };
    expect(v.invariant).toBe('implementation-error');
    expect(v.message).toMatch(message);
    expect(existsSync(v.trace)).toBe(true);
  });

  it('a module that exhausts its heap is a finding', () => {
    const r = cli(['run', '--impl', `${H}/eats-memory.mjs`, '--iterations', '20', '--hang-timeout', '30', '--json', '--out', join(tmp, 'mem')], { RAFT_CHECK_WORKER_HEAP_MB: '48' });
    expect(r.code, r.stderr).toBe(1);
    expect(json(r).violation).toMatchObject({ invariant: 'implementation-error', message: expect.stringMatching(/ran out of memory \(a worker's heap is 48 MB\)/) });
  });

  it('a module that mutates init.cluster and init.timing changes nothing', () => {
    const a = json(cli(['run', '--impl', `${H}/mutates-init.mjs`, '--iterations', '10', '--json', '--out', join(tmp, 'o')]));
    const b = json(cli(['run', '--impl', 'examples/wrapped-core.mjs', '--iterations', '10', '--json', '--out', join(tmp, 'o')]));
    expect(a).toMatchObject({ ok: true, events: b.events });
  });
});

describe('errors in a user module point into it', () => {
  it('a syntax error at import names the file and line', () => {
    oneLineError(cli(['run', '--impl', `${H}/syntax-error.mjs`, '--out', join(tmp, 'o')]), 2, /importing the module failed: SyntaxError: .* \(at \/.*\/syntax-error\.mjs:5\)$/);
  });
});

describe('class 5: whatever a run records, replay accepts', () => {
  it('a NaN term is a finding at the step, and its trace replays', () => {
    const r = cli(['run', '--impl', `${H}/nan-term.mjs`, '--iterations', '5', '--shrink-time', '0', '--json', '--out', join(tmp, 'nan')]);
    expect(r.code, r.stderr).toBe(1);
    const v = json(r).violation as { message: string; trace: string };
    expect(v.message).toBe('node 2 returned malformed output on start: observe().term is NaN, expected a whole number >= 0');
    const replay = cli(['replay', v.trace, '--impl', `${H}/nan-term.mjs`, '--json']);
    expect(replay.code, replay.stderr).toBe(1);
    expect(json(replay)).toMatchObject({ reproduced: true });
  });
});

describe('class 6: nondeterministic implementations are named as such', () => {
  it.each([
    ['Math.random', 'random'],
    ['state kept between runs', 'keeps-state'],
  ])('%s', (_label, fixture) => {
    const r = cli(['run', '--impl', `${H}/${fixture}.mjs`, '--iterations', '200', '--shrink-time', '0', '--json', '--out', join(tmp, fixture)]);
    expect(r.code, r.stderr).toBe(1);
    expect(json(r).violation).toMatchObject({ invariant: 'implementation-nondeterministic', message: expect.stringMatching(/^the same schedule ran twice differs at step \d+: first \{.*\}, then \{.*\}/) });
  });
});

describe('class 7: output integrity', () => {
  it('--json is one object on stdout while the module prints; its lines go to stderr, marked and escaped', () => {
    const r = cli(['run', '--impl', `${H}/prints.mjs`, '--iterations', '3', '--json', '--out', join(tmp, 'o')]);
    expect(r.code, r.stderr).toBe(0);
    expect(json(r)).toMatchObject({ ok: true });
    expect(r.stderr).toMatch(/^\[implementation\] \\x1b\[2J\\x1b\]0;pwned\\x07hello from import$/m);
    expect(r.stderr).not.toMatch(/\u001b/);
  });

  it('text output escapes control characters from a trace', () => {
    const file = edited('escapes.json', (t) => {
      t.violation.message = 'evil \u001b[2J\u001b]0;title\u0007 text';
      t.events[0].note = '\u001b[31mred';
    });
    const r = cli(['replay', file, '--text']);
    expect(r.stdout).toContain('evil \\x1b[2J\\x1b]0;title\\x07 text');
    expect(r.stdout).not.toMatch(/\u001b|\u0007/);
  });
});

describe('class 8: nothing found is lost', () => {
  it('--out that is a file is refused before the search', () => {
    const file = write('not-a-dir', 'x');
    oneLineError(cli(['run', '--iterations', '100000', '--out', file]), 2, /--out .*not-a-dir: is not a directory/);
  });

  it('a finding never replaces an earlier trace: another bug with the same invariant and seed gets NAME-2.json', () => {
    const out = join(tmp, 'kept');
    const first = json(cli(['run', '--bug', 'vote-ignores-log', '--shrink-time', '0', '--json', '--out', out])).violation as { trace: string; invariant: string };
    const second = json(cli(['run', '--bug', 'commit-previous-term', '--shrink-time', '0', '--json', '--out', out])).violation as { trace: string; invariant: string };
    expect(first.invariant).toBe(second.invariant);
    expect(first.trace).toBe(join(out, 'leader-completeness-seed1.json'));
    expect(second.trace).toBe(join(out, 'leader-completeness-seed1-2.json'));
    expect((JSON.parse(readFileSync(first.trace, 'utf8')) as { implementation: { bug: string } }).implementation.bug).toBe('vote-ignores-log');
    expect((JSON.parse(readFileSync(second.trace, 'utf8')) as { implementation: { bug: string } }).implementation.bug).toBe('commit-previous-term');
  });

  it("by default a run writes to raft-check-traces/, never into the committed corpus traces/", () => {
    expect(spawnCli(['run', '--help'], 20_000, {}).stdout).toMatch(/--out <dir>[^]*?\(default:\s+"raft-check-traces"\)/);
    expect(spawnCli(['scenario', '--help'], 20_000, {}).stdout).toMatch(/--out <dir>[^]*?\(default:\s+"raft-check-traces"\)/);
  });

  it('SIGTERM is handled like Ctrl-C: the search stops, says so, exit 143', async () => {
    const child = spawn(process.execPath, [BIN, 'run', '--iterations', '1000000', '--text', '--out', join(tmp, 'term')], { cwd: ROOT });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    await new Promise<void>((r) => {
      const poll = setInterval(() => {
        if (stdout.includes('raft-check run:')) {
          clearInterval(poll);
          setTimeout(r, 2000);
        }
      }, 100);
    });
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    expect(code).toBe(143);
    expect(stdout).toMatch(/^interrupted: no violation in \d/m);
  }, 150_000);

  it('Ctrl-C during shrink keeps the smallest trace so far', async () => {
    // An unshrunk trace of a bug whose shrinking takes a while.
    const r = json(cli(['run', '--bug', 'commit-previous-term', '--shrink-time', '0', '--json', '--out', join(tmp, 'long')])) as { violation: { trace: string } };
    const file = r.violation.trace;
    const child = spawn(process.execPath, [BIN, 'shrink', file, '--time', '120'], { cwd: ROOT });
    const exited = new Promise<number | null>((res) => child.on('exit', (c) => res(c)));
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // Interrupt once it says it is shrinking (its handlers are in place), however slow its start.
    await new Promise<void>((res) => {
      const poll = setInterval(() => {
        if (stderr.includes('shrinking ')) {
          clearInterval(poll);
          setTimeout(res, 300);
        }
      }, 20);
    });
    child.kill('SIGINT');
    const code = await exited;
    // On an idle machine the shrink may end before the signal: then it simply succeeded.
    expect([0, 130], stderr).toContain(code);
    if (code === 130) expect(stderr).toMatch(/interrupted: keeping the smallest trace so far/);
    expect(existsSync(file.replace(/\.json$/, '.shrunk.json'))).toBe(true);
  }, 150_000);
});
