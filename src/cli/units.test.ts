import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { coreFactory } from '../raft/index.js';
import { ISSUES_URL } from '../version.js';
import { exitCodeFor } from './cli.js';
import { shardSize, slicesFor } from './commands/run.js';
import { wantsEarlyWorker } from './early-worker.js';
import { EXIT, ExitError, UsageError } from './errors.js';
import { factoryProblems } from './impl.js';
import { shard } from './options.js';
import { oneLine } from './program.js';
import { raftProperty, RaftViolationError } from './property.js';
import { textReporter } from './progress.js';
import { renderCount, renderEventLine, shellQuote } from './text.js';
import { cliCommand } from './text.js';

const errors = () => {
  const lines: string[] = [];
  return { lines, io: { err: (s: string) => void lines.push(s) } };
};

describe('the top-level catch', () => {
  it('maps user errors to their code with one line', () => {
    const e = errors();
    expect(exitCodeFor(new UsageError('bad thing'), e.io)).toBe(EXIT.usage);
    expect(exitCodeFor(new ExitError(EXIT.diverged, 'diverged'), e.io)).toBe(EXIT.diverged);
    expect(e.lines).toEqual(['raft-check: bad thing\n', 'raft-check: diverged\n']);
  });

  it('reports an internal error in one line, says where to report it, exits 70', () => {
    const e = errors();
    expect(exitCodeFor(new TypeError('x is undefined\n    at somewhere'), e.io)).toBe(70);
    expect(e.lines[0]).toBe('raft-check: internal error: TypeError: x is undefined\n');
    expect(e.lines[1]).toContain(ISSUES_URL);
    expect(e.lines.join('')).not.toContain('at somewhere');
  });
});

describe('options', () => {
  it('makes commander errors one line', () => {
    expect(oneLine("error: option '--nodes <n>' argument '0' is invalid. expected an integer from 1 to 9.\n")).toBe('--nodes 0: expected an integer from 1 to 9.');
    expect(oneLine("error: unknown option '--nodez'\n(Did you mean --nodes?)\n")).toBe("unknown option '--nodez' (Did you mean --nodes?)");
  });

  it('parses shards', () => {
    expect(shard('2/4')).toEqual({ index: 2, count: 4 });
    expect(() => shard('3/2')).toThrow(InvalidArgumentError);
    expect(() => shard('0/2')).toThrow(InvalidArgumentError);
  });

  it('covers every iteration exactly once across shards and workers', () => {
    const iterations = 103;
    const seen = new Map<number, number>();
    for (let i = 1; i <= 3; i++) {
      const slices = slicesFor({ index: i, count: 3 }, 2);
      let planned = 0;
      for (let k = 0; k < iterations; k++) {
        const owners = slices.filter((s) => k % s.count === s.index).length;
        if (owners > 0) seen.set(k, (seen.get(k) ?? 0) + owners);
        if (k % 3 === i - 1) planned++;
      }
      expect(shardSize(iterations, { index: i, count: 3 })).toBe(planned);
    }
    expect(seen.size).toBe(iterations);
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
  });
});

describe('the early worker', () => {
  it('is started for a run that will use one, and only for it', () => {
    const argv = (...args: string[]) => ['node', 'raft-check', ...args];
    expect(wantsEarlyWorker(argv('run'))).toBe(true);
    expect(wantsEarlyWorker(argv('run', '--impl', 'x.mjs', '--workers', '2'))).toBe(true);
    // --exec needs its process's pipes before the thread exists; help runs nothing.
    for (const args of [['run', '--exec', 'python3 a.py'], ['run', '--exec=./a'], ['run', '--help'], ['run', '-h'], ['replay', 't.json'], ['--help'], []]) {
      expect(wantsEarlyWorker(argv(...args)), args.join(' ')).toBe(false);
    }
  });
});

describe('text', () => {
  it('renders counts as toLocaleString does, without loading its locale data', () => {
    const values = [0, 1, 9, 999, 1000, 1234.5, 99_999, 100_000, 1_234_567, 2 ** 53 - 1, 2 ** 53 + 2, 1e21, -1, -999.6, -1000, -1_234_567, -0, -0.4, 0.4, Infinity, -Infinity, NaN];
    for (let k = 1; k < 1e15; k *= 7) values.push(k, -k, k + 0.5);
    for (const n of values) expect(renderCount(n), String(n)).toBe(Math.round(n).toLocaleString('en-US'));
  });

  it('renders one event per line', () => {
    expect(
      renderEventLine({
        step: 42,
        t: 310,
        kind: 'deliver',
        node: 3,
        from: 1,
        msg: 'AppendEntries t2 prev=2/t1 [3..4] commit=2',
        state: { role: 'follower', term: 2, vote: 1, commit: 2, applied: 2 },
        log: { app: [[3, 2, 'c3'], [4, 2, 'c4']] },
      }),
    ).toBe('#  42  t=  310ms   n3  deliver         <-n1 AppendEntries t2 prev=2/t1 [3..4] commit=2 | +3..4/t2 | F t2 vote=1 commit=2 applied=2');
    expect(renderEventLine({ step: 7, t: 900, kind: 'partition', node: 0, note: 'isolate 4', links: [[4, 1]] })).toBe('#   7  t=  900ms    *  partition       isolate 4');
  });

  it('quotes for the shell only when needed', () => {
    expect(shellQuote('traces/a-seed1.json')).toBe('traces/a-seed1.json');
    expect(shellQuote("my traces/it's.json")).toBe("'my traces/it'\\''s.json'");
  });

  it('throttles progress lines', () => {
    let t = 0;
    const lines: string[] = [];
    const r = textReporter((l) => lines.push(l), 3000, () => t);
    const p = { runs: 1, iterations: 10, events: 5, elapsedMs: 1000, findings: 0, workers: [] };
    r.update(p);
    t = 2999;
    r.update(p);
    t = 3001;
    r.update(p);
    expect(lines).toHaveLength(1);
  });
});

describe('factoryProblems', () => {
  it('accepts our core and names what is missing', () => {
    expect(factoryProblems(coreFactory())).toEqual([]);
    expect(factoryProblems({ contractVersion: 1, name: 'x' })).toEqual(['create(init) is missing or not a function']);
    expect(factoryProblems(null)[0]).toMatch(/it is null/);
  });
});

describe('raftProperty', () => {
  it('passes for our core and throws with the trace for a buggy one', () => {
    const out = mkdtempSync(join(tmpdir(), 'raft-property-'));
    try {
      expect(raftProperty(coreFactory(), { iterations: 5, out }).iterations).toBe(5);
      let thrown: unknown = null;
      try {
        raftProperty(coreFactory('double-vote'), { iterations: 1000, shrinkTimeMs: 500, out, module: 'src/my-raft.ts' });
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toBeInstanceOf(RaftViolationError);
      const err = thrown as RaftViolationError;
      expect(err.message).toMatch(/^election-safety violated by raft-check core with bug double-vote \(seed 1, iteration \d+\)/);
      expect(err.message).toContain(`replay: ${cliCommand()} replay ${err.trace}`);
      expect(err.trace.startsWith(out)).toBe(true);
      expect(() => raftProperty({ name: 'x' } as never)).toThrow(/not a node factory: contractVersion is missing/);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
