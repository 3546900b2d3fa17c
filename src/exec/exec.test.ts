/**
 * `--exec`: an implementation run as a child process speaking docs/protocol.md, through the
 * built CLI as a user runs it. Each case is a row of the protocol's "Mistakes and what they
 * produce" table; the last ones check that the protocol loses nothing (our core over the
 * protocol writes the traces an in-process run writes).
 * Fixtures: src/exec/fixtures/ (serve.mjs serves our core over the protocol; each other file
 * misbehaves one way, chosen by its flags).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, oneLineError, ROOT, spawnCli, type Ran } from '../cli/test-support.js';

const F = 'src/exec/fixtures';
const node = (fixture: string, ...flags: string[]): string => ['node', `${F}/${fixture}.mjs`, ...flags].join(' ');
const CORE = 'node adapters/core/adapter.mjs';
let tmp = '';
let outs = 0;
const out = (): string => join(tmp, `out-${++outs}`);

function cli(args: readonly string[]): Ran {
  return spawnCli(args, 55_000, { NO_COLOR: '1' });
}

/** `run --exec CMD` with fixed settings and --json; extra arguments after. */
function run(exec: string, ...extra: string[]): Ran {
  return cli(['run', '--exec', exec, '--seed', '1', '--iterations', '20', '--shrink-time', '0', '--json', '--out', out(), ...extra]);
}

interface Violation {
  invariant: string;
  message: string;
  nodes: number[];
  trace: string;
  replay: string;
}

/** Exit 1 with one finding of `invariant`, whose trace was written. */
function finding(r: Ran, invariant: string): Violation {
  expect(r.code, r.stderr).toBe(1);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  const j = json(r);
  expect(j.ok).toBe(false);
  const v = j.violation as Violation;
  expect(v.invariant, v.message).toBe(invariant);
  expect(existsSync(v.trace)).toBe(true);
  return v;
}

/** One error line, and nothing on stdout. */
function oneLineErrorNoStdout(r: Ran, code: number, pattern: RegExp): void {
  oneLineError(r, code, pattern);
  expect(r.stdout.trim()).toBe('');
}

/** A trace file without the `implementation` field, which names how it was run. */
function traceWithoutImplementation(file: string): Record<string, unknown> {
  const t = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  expect(t.implementation).toBeDefined();
  delete t.implementation;
  return t;
}

beforeAll(() => {
  if (!existsSync(join(ROOT, 'dist/exec/session.js'))) throw new Error('dist/ is missing: run `npm run build` before these tests');
  tmp = mkdtempSync(join(tmpdir(), 'raft-check-exec-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('a process that cannot be used is one error line and exit 2', () => {
  it('a command that does not exist', () => {
    oneLineErrorNoStdout(run('no-such-command-raft-check'), 2, /^raft-check: --exec no-such-command-raft-check: cannot start: /);
  });

  it('a file that is not executable', () => {
    oneLineErrorNoStdout(run(`${F}/not-executable.sh`), 2, /--exec src\/exec\/fixtures\/not-executable\.sh: cannot start: .*not executable/);
  });

  it('answers hello with protocol 2: names both versions', () => {
    oneLineErrorNoStdout(run(node('bad-hello', '--protocol', '2')), 2, /--exec .*bad-hello\.mjs --protocol 2: .*protocol version 2.*version 1/);
  });

  it('answers hello with a line that is not hello', () => {
    oneLineErrorNoStdout(run(node('bad-hello', '--ok')), 2, /--exec .*bad-hello\.mjs --ok: answered hello with a line of type "ok"/);
  });

  // docs/protocol.md: "answers hello with another protocol, or not with hello: exit 2, naming
  // both versions". For a line that is not hello, the driver names neither version.
  it('a line that is not hello names the version raft-check speaks', () => {
    oneLineErrorNoStdout(run(node('bad-hello', '--ok')), 2, /version 1/);
  });
});

describe('a process that exits or is killed is an implementation-error', () => {
  it('exit code 3 on the 50th tick: the code, the request and the tail of stderr', () => {
    const v = finding(run(node('exits', '--at', '50', '--code', '3')), 'implementation-error');
    expect(v.nodes).toHaveLength(1);
    expect(v.message).toMatch(/^node \d threw on timer: .*exited with code 3 while answering tick/);
    expect(v.message).toContain('fixture: noise before the end | fixture: giving up on tick 50');
    // The trace replays: the same schedule makes the process exit at the same request.
    const replay = cli(['replay', v.trace, '--exec', node('exits', '--at', '50', '--code', '3'), '--json']);
    expect(replay.code, replay.stderr).toBe(1);
    expect(json(replay)).toMatchObject({ reproduced: true, violation: { invariant: 'implementation-error' } });
  });

  it.each([['SIGSEGV'], ['SIGKILL']])('killed by %s: names the signal', (signal) => {
    const v = finding(run(node('exits', '--signal', signal)), 'implementation-error');
    expect(v.message).toMatch(new RegExp(`killed by signal ${signal} while answering tick`));
    expect(v.message).toContain('fixture: giving up on tick 50');
  });

  // A real crash report often names the pid, an address or a time. The determinism re-run
  // then sees two different finding messages and reports implementation-nondeterministic
  // (whose message does contain the exit text), where the table says implementation-error.
  it('a stderr tail naming the pid is still an implementation-error', () => {
    const v = finding(run(node('exits', '--pid')), 'implementation-error');
    expect(v.message).toMatch(/exited with code 3 while answering tick/);
  });
});

describe('a process that stops answering is an implementation-hang', () => {
  it('is stopped after --hang-timeout, and its trace replays as a hang', () => {
    const started = Date.now();
    const v = finding(run(node('hangs', '--at', '30'), '--hang-timeout', '1'), 'implementation-hang');
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(v.replay).toContain(`--exec '${node('hangs', '--at', '30')}'`);
    const replay = cli(['replay', v.trace, '--exec', node('hangs', '--at', '30'), '--hang-timeout', '1', '--json']);
    expect(replay.code, replay.stderr).toBe(1);
    expect(json(replay)).toMatchObject({ reproduced: true, violation: { invariant: 'implementation-hang' } });
    // An adapter that answers does not reproduce it: the replay diverges (exit 3).
    const fixed = cli(['replay', v.trace, '--exec', CORE, '--hang-timeout', '1', '--json']);
    expect(fixed.code, fixed.stderr).toBe(3);
  });

  // docs/protocol.md: "implementation-hang, naming the node, instance and input".
  it('names the node, the instance and the input', () => {
    const v = finding(run(node('hangs', '--at', '30'), '--hang-timeout', '1'), 'implementation-hang');
    expect(v.message).toMatch(/node \d \(instance \d+\) did not answer receive/);
  });
});

describe('a bad line is an implementation-error quoting it', () => {
  it.each([
    ['a line that is not JSON', 'notjson', /answered receive with a line that is not JSON: this is not json \{$/],
    ['an object of the wrong type', 'wrongtype', /answered receive with a line of type "hello", expected "output": \{"type":"hello","protocol":1,"name":"wrong type here"\}/],
    ['two lines for one request', 'twolines', /a line nobody asked for .*\{"type":"ok","extra":"second line for one request"\}/],
  ])('%s', (_label, mode, message) => {
    const v = finding(run(node('bad-line', '--mode', mode, '--at', '20')), 'implementation-error');
    expect(v.nodes).toHaveLength(1);
    expect(v.message).toMatch(new RegExp(`^node ${v.nodes[0]} threw on `));
    expect(v.message).toMatch(message);
  });
});

describe('an error answer is an implementation-error with its message', () => {
  it('a panic: its message and the start of its stack', () => {
    const v = finding(run(node('panics', '--at', '20')), 'implementation-error');
    expect(v.message).toMatch(/^node \d threw on .*: Error: panicked on receive: index out of range \[7\] with length 3/);
    expect(v.message).toContain('goroutine 1 [running]:');
  });
});

describe('a nondeterministic process is named as such', () => {
  it.each([
    ['Math.random for election timeouts', 'random'],
    ['state kept across reset', 'keeps-state'],
  ])('%s', (_label, fixture) => {
    const v = finding(run(node(fixture), '--iterations', '30'), 'implementation-nondeterministic');
    expect(v.message).toMatch(/^the same schedule ran twice differs at step \d+: first \{.*\}, then \{.*\}/);
  });
});

describe('a trace never runs code', () => {
  it('a trace recorded with --exec, replayed without it: exit 2, naming the --exec to pass', () => {
    const exec = `${CORE} --bug double-vote`;
    const v = finding(run(exec, '--iterations', '100'), 'election-safety');
    for (const command of ['replay', 'shrink']) {
      const r = cli([command, v.trace]);
      expect(r.code, r.stderr).toBe(2);
      const lines = r.stderr.split('\n').filter((l) => l !== '');
      expect(lines, r.stderr).toHaveLength(1);
      expect(lines[0]).toContain(`recorded with --exec ${exec}; a trace never runs code by itself: pass --exec '${exec}'`);
    }
    // Named, it runs.
    const replay = cli(['replay', v.trace, '--exec', exec, '--json']);
    expect(replay.code, replay.stderr).toBe(1);
    expect(json(replay)).toMatchObject({ reproduced: true });
  });
});

describe('the protocol loses nothing', () => {
  it.each([
    ['double-vote', '1', '100'],
    ['truncate-on-match', '1', '50'],
    ['commit-previous-term', '10', '300'],
  ])('our core with bug %s over --exec writes the trace an in-process run writes', (bug, seed, iterations) => {
    const settings = ['--seed', seed, '--iterations', iterations, '--shrink-time', '0', '--json'];
    const viaExec = cli(['run', '--exec', `${CORE} --bug ${bug}`, ...settings, '--out', out()]);
    const inProcess = cli(['run', '--bug', bug, ...settings, '--out', out()]);
    expect(viaExec.code, viaExec.stderr).toBe(1);
    expect(inProcess.code, inProcess.stderr).toBe(1);
    const a = json(viaExec) as { violation: Violation; iterations: number; events: number };
    const b = json(inProcess) as { violation: Violation; iterations: number; events: number };
    expect(a.violation.invariant).toBe(b.violation.invariant);
    expect(a.violation.message).toBe(b.violation.message);
    expect({ iterations: a.iterations, events: a.events }).toEqual({ iterations: b.iterations, events: b.events });
    expect(traceWithoutImplementation(a.violation.trace)).toEqual(traceWithoutImplementation(b.violation.trace));
  });

  it('our correct core over --exec passes 30 iterations', () => {
    const r = cli(['run', '--exec', CORE, '--seed', '1', '--iterations', '30', '--json', '--out', out()]);
    expect(r.code, r.stderr).toBe(0);
    expect(json(r)).toMatchObject({ ok: true, iterations: 30, planned: 30, violation: null });
  });
});

describe('raft-check conform', () => {
  it('passes our core over the protocol, one ok line per check, exit 0', () => {
    const r = cli(['conform', '--exec', CORE]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const checks = r.stdout.split('\n').filter((l) => /^(ok|FAIL) /.test(l));
    expect(checks.length).toBeGreaterThanOrEqual(8);
    expect(checks.every((l) => l.startsWith('ok '))).toBe(true);
    expect(r.stdout).toMatch(/^ok: the adapter follows the protocol \(\d+ checks\); next: (npx )?raft-check run --exec /m);
  });

  it('names the check that fails and what it saw, exit 1', () => {
    const r = cli(['conform', '--exec', `${CORE} --bug double-vote`, '--json']);
    expect(r.code, r.stderr).toBe(1);
    const out = json(r) as { ok: boolean; checks: { name: string; ok: boolean; detail: string }[] };
    expect(out.ok).toBe(false);
    expect(out.checks.find((c) => !c.ok)?.detail).toMatch(/^election-safety: /);
  });

  it('a process that cannot be used exits 2 with one line, as run does', () => {
    oneLineError(cli(['conform', '--exec', node('bad-hello', '--protocol', '2')]), 2, /speaks protocol version 2, this raft-check speaks version 1/);
    oneLineError(cli(['conform', '--exec', 'false']), 2, /cannot start: the process exited with code 1 while answering hello/);
  });
});
