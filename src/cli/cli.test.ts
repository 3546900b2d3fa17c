import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUG_NAMES } from '../raft/index.js';
import { VERSION } from '../version.js';
import { BIN, json, ROOT, spawnCli, type Ran } from './test-support.js';
import { cliCommand } from './text.js';

const FIXTURES = 'src/cli/fixtures';
let tmp = '';

function cli(args: readonly string[], timeoutMs = 30_000): Ran {
  return spawnCli(args, timeoutMs, { NO_COLOR: undefined });
}

/** A user error: the exit code, one line on stderr, no stack trace. */
function expectUserError(r: Ran, code: number, pattern: RegExp): void {
  expect(r.code, r.stderr).toBe(code);
  const lines = r.stderr.split('\n').filter((l) => l !== '');
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^raft-check: /);
  expect(lines[0]).toMatch(pattern);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

/** The `replay:` line's command, run as printed (with `raft-check` being this checkout's bin). */
function printedReplay(stdout: string): string[] {
  const m = /^\s*replay: (?:npx )?raft-check (replay .+)$/m.exec(stdout);
  expect(m, stdout).not.toBeNull();
  return m![1].split(' ');
}

beforeAll(() => {
  if (!existsSync(join(ROOT, 'dist/cli/main.js'))) throw new Error('dist/ is missing: run `npm run build` before these tests');
  tmp = mkdtempSync(join(tmpdir(), 'raft-check-cli-'));
});

afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

describe('help and version', () => {
  it('prints the version of package.json', () => {
    const r = cli(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(VERSION);
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(VERSION).toBe(pkg.version);
  });

  it('has help with examples on the program and every command', () => {
    const top = cli(['--help']);
    expect(top.code).toBe(0);
    for (const c of ['run', 'replay', 'shrink', 'bugs', 'bench']) expect(top.stdout).toContain(`  ${c} `);
    expect(top.stdout).toContain('Exit codes');
    for (const c of ['run', 'replay', 'shrink', 'bugs', 'bench']) {
      const r = cli([c, '--help']);
      expect(r.code, c).toBe(0);
      expect(r.stdout, c).toContain('Examples:');
      expect(r.stdout, c).toContain(`$ raft-check ${c}`);
    }
  });

  it('shows help and exits 2 without a command', () => {
    const r = cli([]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Usage: raft-check');
  });
});

describe('usage errors exit 2 with one line and no stack trace', () => {
  const cases: [string[], RegExp][] = [
    [['run', '--nodes', '0'], /--nodes 0: expected an integer from 1 to 9/],
    [['run', '--nodes', '100'], /--nodes 100: expected an integer from 1 to 9/],
    [['run', '--nodes', 'five'], /--nodes five/],
    [['run', '--iterations', '-1'], /--iterations -1: expected an integer/],
    [['run', '--iterations', '0'], /--iterations 0/],
    [['run', '--shard', '3/2'], /--shard 3\/2: the shard index I must be from 1 to N \(2\)/],
    [['run', '--shard', '0/2'], /--shard 0\/2/],
    [['run', '--shard', 'x'], /expected I\/N/],
    [['run', '--workers', '0'], /--workers 0/],
    [['run', '--seed', 'abc'], /--seed abc/],
    [['run', '--nodez', '3'], /unknown option '--nodez'.*Did you mean --nodes\?/],
    [['run', '--bug', 'no-such-bug'], new RegExp(`unknown bug; the built-in bugs are: ${BUG_NAMES[0]}`)],
    [['run', '--faults', 'storm'], /unknown fault profile; the profiles are: none, lossy/],
    [['run', '--bug', 'double-vote', '--impl', 'examples/wrapped-core.mjs'], /cannot be used with/],
    [['frobnicate'], /unknown command 'frobnicate'/],
    [['replay'], /missing required argument 'file'/],
    [['run', '--bug', 'dobule-vote'], /unknown bug \(did you mean double-vote\?\); the built-in bugs are: /],
    [['run', '--faults', 'partition'], /unknown fault profile \(did you mean partitions\?\)/],
    [['scenario', 'figure-8'], /unknown scenario "figure-8" \(did you mean figure8\?\); the scenarios are: /],
    [['run', '--hang-timeout', '3'], /run --hang-timeout: applies only to an implementation named with --impl or --exec/],
    [['scenario', 'figure8', '--hang-timeout', '3'], /scenario --hang-timeout: applies only to/],
    [['bench', '--hang-timeout', '3'], /bench --hang-timeout: applies only to/],
  ];
  for (const [args, pattern] of cases) {
    it(args.join(' '), () => expectUserError(cli(args), 2, pattern));
  }
});

describe('bugs', () => {
  it('lists every built-in bug with its invariant', () => {
    const r = cli(['bugs']);
    expect(r.code).toBe(0);
    for (const b of BUG_NAMES) expect(r.stdout).toContain(b);
    const j = json(cli(['bugs', '--json'])) as { bugs: { name: string; invariant: string; summary: string }[] };
    expect(j.bugs.map((b) => b.name)).toEqual(BUG_NAMES);
    for (const b of j.bugs) expect(b.invariant).toMatch(/^[a-z-]+$/);
  });
});

describe('run', () => {
  it('exits 0 with --json: one object, nothing on stderr', () => {
    const r = cli(['run', '--iterations', '25', '--json', '--out', join(tmp, 'clean')]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    const j = json(r);
    expect(j).toMatchObject({ ok: true, iterations: 25, seed: 1, violation: null });
    expect(j.events).toBeGreaterThan(0);
    expect(j.eventsPerSecond).toBeGreaterThan(0);
  });

  it('counts in the right number: 1 iteration, 1 node', () => {
    const r = cli(['run', '--iterations', '1', '--nodes', '1', '--out', join(tmp, 'one')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^raft-check run: seed 1, 1 node, 1 iteration, faults chaos/m);
    expect(r.stdout).toMatch(/^ok: no violation in 1 iteration, /m);
  });

  it('prints the seed and the outcome in text', () => {
    const r = cli(['run', '--iterations', '10', '--seed', '42', '--out', join(tmp, 'clean')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^raft-check run: seed 42, 5 nodes, 10 iterations, faults chaos, raft-check core/);
    expect(r.stdout).toMatch(/^ok: no violation in 10 iterations/m);
  });

  it('--bug commit-previous-term exits 1; the printed replay command reproduces it', () => {
    // The acceptance check, with the default seed and iterations (a short shrink).
    const out = join(tmp, 'cpt');
    const r = cli(['run', '--bug', 'commit-previous-term', '--shrink-time', '2', '--out', out]);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toMatch(/^VIOLATION (leader-completeness|state-machine-safety) \(safety\)/m);
    expect(r.stdout).toMatch(/shrunk in .*: \d+ events.* -> \d+ events/);
    const trace = /^\s*trace:\s+(\S+)$/m.exec(r.stdout)![1];
    expect(existsSync(trace)).toBe(true);
    const replay = cli(printedReplay(r.stdout));
    expect(replay.code, replay.stdout.slice(-2000)).toBe(1);
    expect(replay.stdout).toMatch(/^REPRODUCED (leader-completeness|state-machine-safety)/m);
    expect(replay.stdout).toMatch(/^trace \S+: 5 nodes, faults chaos, seed 1, \d+ events \(a shrunk script of \d+ steps\)$/m);
    // Non-TTY replay is a step-by-step text rendering.
    expect(replay.stdout).toMatch(/^# {3}0 {2}t= {4}0ms {3}n1 {2}start/m);

    const again = json(cli(['replay', trace, '--json']));
    expect(again).toMatchObject({ reproduced: true, diverged: false, divergence: null });
    expect((again.violation as { invariant: string }).invariant).toMatch(/leader-completeness|state-machine-safety/);
    expect(again.events).toBeGreaterThan(0);

    // Against another bug the same schedule plays out differently: diverged, exit 3.
    const other = cli(['replay', trace, '--bug', 'double-vote']);
    expect(other.code).toBe(3);
    expect(other.stdout).toMatch(/^DIVERGED at step \d+/m);
    expect(other.stdout).toMatch(/^ {2}expected: /m);
    expect(other.stdout).toMatch(/^ {2}actual: {3}/m);

    // shrink writes <name>.shrunk.json beside it, which still reproduces.
    const s = cli(['shrink', trace, '--time', '2', '--json']);
    expect(s.code, s.stderr).toBe(0);
    const sj = json(s) as { trace: string; before: { events: number }; after: { events: number } };
    expect(sj.trace).toBe(trace.replace(/\.json$/, '.shrunk.json'));
    expect(sj.after.events).toBeLessThanOrEqual(sj.before.events);
    expect(cli(['replay', sj.trace, '--json']).code).toBe(1);
  });

  it('shrink turns an unshrunk timed trace into a small scripted one that reproduces', () => {
    const out = join(tmp, 'unshrunk');
    const r = json(cli(['run', '--bug', 'vote-ignores-log', '--shrink-time', '0', '--json', '--out', out])) as { violation: { trace: string } };
    const timed = JSON.parse(readFileSync(r.violation.trace, 'utf8')) as { schedule: { script?: unknown[] }; events: unknown[] };
    expect(timed.schedule.script).toBeUndefined();
    const s = json(cli(['shrink', r.violation.trace, '--time', '5', '--json'])) as { trace: string; after: { events: number } };
    const shrunk = JSON.parse(readFileSync(s.trace, 'utf8')) as { schedule: { script?: unknown[] }; events: unknown[] };
    expect(shrunk.schedule.script?.length).toBeGreaterThan(0);
    expect(s.after.events * 4).toBeLessThanOrEqual(timed.events.length);
    expect(cli(['replay', s.trace, '--json']).code).toBe(1);
    // No budget: the scripted trace comes back as it is, not as a divergence.
    const none = cli(['shrink', s.trace, '--time', '0', '--json']);
    expect(none.code, none.stderr).toBe(0);
    expect((json(none) as { after: { events: number } }).after.events).toBe(s.after.events);
  });

  it('--json reports a violation with its trace', () => {
    const out = join(tmp, 'buggy');
    const r = cli(['run', '--impl', 'examples/buggy-vote.mjs', '--iterations', '200', '--shrink-time', '1', '--json', '--out', out]);
    expect(r.code, r.stderr).toBe(1);
    const j = json(r);
    expect(j.ok).toBe(false);
    const v = j.violation as Record<string, unknown>;
    expect(typeof v.invariant).toBe('string');
    expect(['safety', 'liveness']).toContain(v.kind);
    expect(typeof v.step).toBe('number');
    expect(typeof v.message).toBe('string');
    expect(Array.isArray(v.nodes)).toBe(true);
    expect(v.trace).toBe(join(out, `${String(v.invariant)}-seed1.json`));
    expect(existsSync(v.trace as string)).toBe(true);
    // The trace records the module, but a trace never runs code: replay asks for --impl.
    const trace = JSON.parse(readFileSync(v.trace as string, 'utf8')) as { implementation: { module: string } };
    expect(trace.implementation.module).toBe('examples/buggy-vote.mjs');
    expectUserError(cli(['replay', v.trace as string, '--json']), 2, /recorded with --impl examples\/buggy-vote\.mjs; a trace never runs code by itself: pass --impl examples\/buggy-vote\.mjs/);
    expect(v.replay).toBe(`${cliCommand()} replay ${String(v.trace)} --impl examples/buggy-vote.mjs`);
    expect(cli(['replay', v.trace as string, '--impl', 'examples/buggy-vote.mjs', '--json']).code).toBe(1);
  });

  it('--workers 2 reports the violation a single thread reports', () => {
    // Same first failing iteration, same invariant. (The iteration count can differ: the other
    // worker may have run a little past it before it learned of it.)
    const args = ['run', '--bug', 'commit-previous-term', '--shrink-time', '0', '--json'];
    const one = json(cli([...args, '--out', join(tmp, 'w1')]));
    const two = json(cli([...args, '--workers', '2', '--out', join(tmp, 'w2')]));
    const pick = (j: Record<string, unknown>) => {
      const v = j.violation as Record<string, unknown>;
      return { invariant: v.invariant, iteration: v.iteration, step: v.step };
    };
    expect(pick(two)).toEqual(pick(one));
    expect(two.iterations).toBeGreaterThanOrEqual(one.iterations as number);
  });

  it('--shard splits the iterations without overlap', () => {
    const a = json(cli(['run', '--iterations', '21', '--shard', '1/2', '--json', '--out', join(tmp, 'sh')]));
    const b = json(cli(['run', '--iterations', '21', '--shard', '2/2', '--json', '--out', join(tmp, 'sh')]));
    expect([a.iterations, b.iterations]).toEqual([11, 10]);
    expect(a.shard).toEqual({ index: 1, count: 2 });
  });

  it('stops on Ctrl-C with exit 130', async () => {
    const child = spawn(process.execPath, [BIN, 'run', '--iterations', '1000000', '--out', join(tmp, 'int')], { cwd: ROOT });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    await new Promise((r) => setTimeout(r, 1500));
    child.kill('SIGINT');
    const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    expect(code).toBe(130);
    expect(stdout).toMatch(/^interrupted: no violation in \d/m);
  });
});

describe('does my fix hold?', () => {
  it('a replay against another implementation names it, runs the schedule to its end and says whether the violation still occurs', () => {
    const out = join(tmp, 'fix');
    const v = json(cli(['run', '--bug', 'commit-previous-term', '--shrink-time', '2', '--json', '--out', out])).violation as { trace: string; invariant: string };
    const fixed = cli(['replay', v.trace, '--impl', 'examples/wrapped-core.mjs', '--text']);
    expect(fixed.code, fixed.stderr).toBe(3);
    expect(fixed.stdout).toMatch(/^recorded with: raft-check core with bug commit-previous-term; replayed against: examples\/wrapped-core\.mjs$/m);
    expect(fixed.stdout).toMatch(new RegExp(`^the recorded ${v.invariant} no longer occurs: the whole schedule ran to its end with no violation$`, 'm'));
    const same = json(cli(['replay', v.trace, '--bug', 'commit-previous-term', '--json']));
    expect(same).toMatchObject({ reproduced: true, recordedViolation: null });
  });
});

describe('printed commands run where the user is', () => {
  it('say `npx raft-check` unless a raft-check is on PATH', () => {
    const dir = mkdtempSync(join(tmpdir(), 'raft-check-path-'));
    try {
      const bugs = (path: string): string => spawnCli(['bugs'], 30_000, { PATH: path }).stdout;
      expect(bugs(dirname(process.execPath))).toMatch(/^Try one: npx raft-check run --bug /m);
      writeFileSync(join(dir, 'raft-check'), '#!/bin/sh\n', { mode: 0o755 });
      expect(bugs(`${dir}:${dirname(process.execPath)}`)).toMatch(/^Try one: raft-check run --bug /m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('--impl', () => {
  it('checks a user module (wrapped core) like our core', () => {
    const r = cli(['run', '--impl', 'examples/wrapped-core.mjs', '--iterations', '20', '--json', '--out', join(tmp, 'wrapped')]);
    expect(r.code, r.stderr).toBe(0);
    expect(json(r)).toMatchObject({ ok: true, implementation: { name: 'wrapped raft-check core', bug: null, module: 'examples/wrapped-core.mjs' } });
  });

  it('loads TypeScript', () => {
    const file = join(tmp, 'my-raft.ts');
    const dist = join(ROOT, 'dist/index.js');
    writeFileSync(
      file,
      `import { coreFactory, type NodeFactory, type NodeInit } from ${JSON.stringify(dist)};\n` +
        `const core: NodeFactory = coreFactory();\n` +
        `const factory: NodeFactory = { contractVersion: 1, name: 'typed', create: (init: NodeInit) => core.create(init) };\n` +
        `export default factory;\n`,
    );
    const r = cli(['run', '--impl', file, '--iterations', '5', '--json', '--out', join(tmp, 'ts')]);
    expect(r.code, r.stderr).toBe(0);
    expect(json(r)).toMatchObject({ ok: true, implementation: { name: 'typed' } });
  });

  it('a missing module, no factory, a wrong shape or a throwing import exit 2 with one line', () => {
    expectUserError(cli(['run', '--impl', `${FIXTURES}/nope.mjs`]), 2, /--impl src\/cli\/fixtures\/nope\.mjs: no such file/);
    expectUserError(cli(['run', '--impl', 'package.json']), 2, /expected a \.js, \.mjs, \.ts or \.mts module/);
    expectUserError(cli(['run', '--impl', `${FIXTURES}/no-factory.mjs`]), 2, /no node factory: export one as the default export or as "factory" \(it exports "helper", "notAFactory"\)/);
    expectUserError(
      cli(['run', '--impl', `${FIXTURES}/wrong-shape.mjs`]),
      2,
      /contractVersion is 3, but this raft-check implements node contract versions 1 and 2; name \(a non-empty string\) is missing; create\(init\) is missing/,
    );
    expectUserError(cli(['run', '--impl', `${FIXTURES}/import-throws.mjs`]), 2, /importing the module failed: boom while importing/);
  });

  it('a node that throws is a finding against the implementation (exit 1)', () => {
    const r = cli(['run', '--impl', `${FIXTURES}/node-throws.mjs`, '--iterations', '50', '--shrink-time', '1', '--json', '--out', join(tmp, 'throws')]);
    expect(r.code, r.stderr).toBe(1);
    const v = json(r).violation as Record<string, unknown>;
    expect(v).toMatchObject({ invariant: 'implementation-error', kind: 'implementation' });
    expect(v.message).toMatch(/threw on .*node blew up/);
  });

  it('a node that never returns is stopped by the watchdog: implementation-hang, exit 1, and its replay hangs again', () => {
    const out = join(tmp, 'hang');
    const r = cli(['run', '--impl', `${FIXTURES}/hangs.mjs`, '--hang-timeout', '1', '--out', out]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/^VIOLATION implementation-hang \(implementation\): node 1 did not return from tick\(\) within 1 s on iteration \d+ \(seed 1\)/m);
    const trace = join(out, 'implementation-hang-seed1.json');
    expect(existsSync(trace)).toBe(true);
    const replay = cli(['replay', trace, '--impl', `${FIXTURES}/hangs.mjs`, '--hang-timeout', '1', '--json']);
    expect(replay.code).toBe(1);
    expect(json(replay)).toMatchObject({ reproduced: true, violation: { invariant: 'implementation-hang' } });
    // A fixed implementation no longer hangs: the replay diverges from the recording.
    expect(cli(['replay', trace, '--impl', 'examples/wrapped-core.mjs']).code).toBe(3);
  });
});

describe('replay and shrink of bad input', () => {
  const write = (name: string, text: string): string => {
    const f = join(tmp, name);
    writeFileSync(f, text);
    return f;
  };

  it('a missing trace file exits 2', () => {
    expectUserError(cli(['replay', join(tmp, 'missing.json')]), 2, /missing\.json: cannot read \(no such file\)/);
    expectUserError(cli(['shrink', join(tmp, 'missing.json')]), 2, /no such file/);
  });

  it('a file that is not JSON exits 2', () => {
    expectUserError(cli(['replay', write('garbage.json', '{"format": "raft-check-trace",')]), 2, /garbage\.json: not JSON/);
  });

  it('a trace of another version exits 2', () => {
    expectUserError(cli(['replay', write('v9.json', JSON.stringify({ format: 'raft-check-trace', version: 9 }))]), 2, /version 9 is not supported/);
  });

  it('a trace with an invalid field exits 2 naming the field', () => {
    const good = cli(['run', '--bug', 'double-vote', '--shrink-time', '0', '--json', '--out', join(tmp, 'bad')]);
    const file = (json(good).violation as { trace: string }).trace;
    const t = JSON.parse(readFileSync(file, 'utf8')) as { schedule: { nodes: unknown }; violation: unknown };
    t.schedule.nodes = 'five';
    expectUserError(cli(['replay', write('invalid.json', JSON.stringify(t))]), 2, /invalid\.json: schedule\.nodes: /);
    t.schedule.nodes = 5;
    t.violation = null;
    const clean = write('clean.json', JSON.stringify(t));
    expectUserError(cli(['shrink', clean]), 2, /records no violation, so there is nothing to shrink/);
    // The recording says "no violation", the replay finds one: diverged.
    expect(cli(['replay', clean]).code).toBe(3);
  });

  it('a trace recorded from a module asks for --impl, whether the module is there or not', () => {
    const t = JSON.parse(readFileSync(join(tmp, 'invalid.json'), 'utf8')) as { implementation: unknown; schedule: { nodes: number } };
    t.schedule.nodes = 5;
    t.implementation = { name: 'mine', bug: null, module: 'gone/my-raft.mjs' };
    expectUserError(cli(['replay', write('gone.json', JSON.stringify(t))]), 2, /recorded with --impl gone\/my-raft\.mjs; a trace never runs code by itself: pass --impl gone\/my-raft\.mjs/);
  });
});

describe('bench', () => {
  it('--json reports throughput and the machine', () => {
    const j = json(cli(['bench', '--seconds', '0.5', '--json']));
    expect(j.eventsPerSecond).toBeGreaterThan(0);
    expect(j.virtualSecondsPerSecond).toBeGreaterThan(0);
    expect((j.machine as { cores: number }).cores).toBeGreaterThan(0);
  });

  it('--bugs --json has a row per bug and seed', () => {
    // The shortest-counterexample search has its own budget; 5 nodes would spend all of it.
    const j = json(cli(['bench', '--bugs', '--bug', 'double-vote', '--seeds', '1', '--iterations', '300', '--shrink-time', '0.5', '--exhaustive-time', '0', '--json'])) as {
      rows: { bug: string; seed: number; found: boolean; runs: number; searchMs: number }[];
    };
    expect(j.rows).toHaveLength(1);
    expect(j.rows[0]).toMatchObject({ bug: 'double-vote', seed: 1 });
    expect(typeof j.rows[0].found).toBe('boolean');
  });

  it('--startup --json reports each command against node -e 0', () => {
    const j = json(cli(['bench', '--startup', '--iterations', '1', '--json'])) as { commands: { command: string; medianMs: number; ratio: number }[]; load: { before: number[] } };
    expect(j.commands.map((c) => c.command)).toEqual(['node -e 0', 'raft-check --help', 'raft-check run --iterations 1']);
    expect(j.commands[0].ratio).toBe(1);
    for (const c of j.commands) expect(c.medianMs).toBeGreaterThan(0);
    expect(j.load.before).toHaveLength(3);
  });

  it('--workers --json reports one and two workers over the same iterations', () => {
    const j = json(cli(['bench', '--workers', '--iterations', '12', '--json'])) as Record<string, { runsPerSecond: number; findings: number }> & { speedup: number };
    for (const w of [j.one, j.two]) {
      expect(w.runsPerSecond).toBeGreaterThan(0);
      expect(w.findings).toBe(0);
    }
    expect(j.speedup).toBeGreaterThan(0);
  });

  it('--memory reports heap before and after', () => {
    const j = json(cli(['bench', '--memory', '--iterations', '20', '--json']));
    expect(j.heapBefore).toBeGreaterThan(0);
    expect(j.heapAfter).toBeGreaterThan(0);
  });
});
