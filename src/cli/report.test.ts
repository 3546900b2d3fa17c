/**
 * The CLI's explanation, undelivered-message and HTML outputs, as a user gets them from the
 * built bin: replay --json / --text / --html and run --html.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/raft-check.js');
const FIG8 = 'traces/bug-commit-previous-term.json';
const tmp = mkdtempSync(join(tmpdir(), 'raft-check-report-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function cli(args: readonly string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000, env: { ...process.env, NO_COLOR: undefined } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('replay', () => {
  it('--json carries the explanation, steps in trace order with the violation last, and the message fates', () => {
    const r = cli(['replay', FIG8, '--json']);
    expect(r.code).toBe(1);
    const j = JSON.parse(r.stdout) as { explanation: { summary: string; steps: { step: number; text: string }[] }; messages: { sent: number; inFlight: number; undelivered: { fate: string }[] } };
    expect(j.explanation.summary).toMatch(/^Node 3 committed an entry of term 1 while leading term 4/);
    expect(j.explanation.steps.map((s) => s.step)).toEqual([15, 16, 31, 35, 36, 37, 39]);
    expect(j.messages.inFlight).toBeGreaterThan(0);
    expect(j.messages.undelivered.every((u) => u.fate === 'in-flight')).toBe(true);
  });

  it('--text prints the sends that never arrived under their step, and the explanation after the verdict', () => {
    const r = cli(['replay', FIG8, '--text']);
    const lines = r.stdout.split('\n');
    const at35 = lines.findIndex((l) => l.startsWith('#  35'));
    expect(lines[at35 + 1]).toBe('        -> n1 RequestVote t5 last=1/t2: still in flight when the run ended');
    const verdict = lines.findIndex((l) => l.startsWith('REPRODUCED'));
    expect(lines[verdict + 2]).toMatch(/^why: Node 3 committed/);
    expect(lines[verdict + 3]).toMatch(/^ {2}# {2}15 {2}Node 3 \(leader of term 1\)/);
    expect(lines.some((l) => /^messages: \d+ sent, \d+ delivered, 0 dropped, 0 duplicated, \d+ in flight at the end$/.test(l))).toBe(true);
  });

  it('--html writes one self-contained page and says where', () => {
    const out = join(tmp, 'fig8.html');
    const r = cli(['replay', FIG8, '--html', out]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^REPRODUCED leader-completeness/m);
    expect(r.stdout).toMatch(/^why: Node 3 committed/m);
    expect(r.stdout).toMatch(new RegExp(`^html: ${out.replace(/[.]/g, '\\.')} \\(\\d+\\.\\d KB\\)$`, 'm'));
    expect(readFileSync(out, 'utf8')).toMatch(/Content-Security-Policy/);
  });

  it('--html to a place it cannot write is one line, exit 2', () => {
    const r = cli(['replay', FIG8, '--html', join(tmp, 'no-such-dir', 'x.html')]);
    expect(r.code).toBe(2);
    const err = r.stderr.split('\n').filter((l) => l !== '');
    expect(err).toHaveLength(1);
    expect(err[0]).toMatch(/^raft-check: --html .*x\.html: cannot write the report/);
  });
});

describe('run', () => {
  it('prints why with the finding, and --html writes the report beside the trace', () => {
    const out = join(tmp, 'run');
    const r = cli(['run', '--bug', 'double-vote', '--iterations', '500', '--shrink-time', '3', '--out', out, '--text', '--html']);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/^VIOLATION election-safety/m);
    expect(r.stdout).toMatch(/^ {2}why: Nodes \d and \d were both leader in term \d+: /m);
    const html = /^ {2}html: {3}(\S+)$/m.exec(r.stdout)![1];
    const trace = /^ {2}trace: {2}(\S+)$/m.exec(r.stdout)![1];
    expect(html).toBe(trace.replace(/\.json$/, '.html'));
    expect(existsSync(html)).toBe(true);
    expect(readFileSync(html, 'utf8')).toContain('election-safety (safety)');
  });
});
