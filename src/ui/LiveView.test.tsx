import { EventEmitter } from 'node:events';
import { render, cleanup } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { LiveView, clock, liveLines, rate, type LiveState } from './LiveView.js';
import { startLiveView } from './live.js';
import { plain } from './text.js';

const ANSI = /\u001B\[[0-9;?]*[ -/]*[@-~]/g;
const strip = (s: string) => s.replace(ANSI, '');

const base: LiveState = {
  seed: 7,
  iterations: 10_000,
  workers: 4,
  nodes: 5,
  faults: 'chaos',
  implementation: 'raft-check core, bug commit-previous-term',
  shard: null,
  elapsedMs: 10_000,
  searchMs: null,
  runs: 2_500,
  events: 5_000_000,
  findings: 0,
  workerStatus: ['exploring   625 runs', 'exploring   630 runs', 'exploring   610 runs', 'exploring   635 runs'],
  finding: null,
  shrink: null,
  outcome: null,
};

const text = (s: LiveState, w = 80) => liveLines(s, w).map(plain);

afterEach(() => cleanup());

describe('live view lines', () => {
  it('shows the bar, rates, elapsed time, ETA, findings and each worker', () => {
    const t = text(base);
    expect(t[0]).toContain('seed 7');
    expect(t[0]).toContain('4 workers');
    expect(t[1]).toMatch(/▕█+░+▏\s+25%\s+2,500\/10,000/);
    expect(t[2]).toContain('250 runs/s');
    expect(t[2]).toContain('500.0k events/s');
    expect(t[2]).toContain('elapsed 0:10');
    expect(t[2]).toContain('ETA 0:30');
    expect(t[2]).toContain('findings 0');
    expect(t.join('\n')).toMatch(/w1 exploring +625 runs +w2 exploring +630 runs/);
    // Startup (8 s of the 10 before the first runs) does not count: 2,000 runs in the last 2 s.
    expect(text({ ...base, firstRuns: { runs: 500, elapsedMs: 8_000 } })[2]).toContain('ETA 0:08');
    expect(t.join('\n')).toContain('w4 exploring');
  });

  it('shows the violation, then shrinking progress against the original size', () => {
    const s: LiveState = {
      ...base,
      findings: 1,
      searchMs: 10_000,
      elapsedMs: 14_000,
      finding: { invariant: 'leader-completeness', message: 'leader 2 of term 9 lacks index 2, which node 5 saw committed in term 3', iteration: 2_411 },
      shrink: { originalEvents: 1_600, currentEvents: 400, shrinkRuns: 953, elapsedMs: 4_000, budgetMs: 30_000 },
    };
    const t = text(s).join('\n');
    expect(t).toContain('✗ leader-completeness (iteration 2411): leader 2 of term 9');
    expect(t).toMatch(/shrinking ▕.*▏\s+1,600 -> 400 events \(75% smaller\)\s+953 runs\s+0:04\/0:30/);
    expect(t).toContain('250 runs/s'); // rates stay those of the search
    expect(t).not.toContain('ETA');
  });

  it('ends with the trace path and the command to open it', () => {
    const s: LiveState = {
      ...base,
      findings: 1,
      finding: { invariant: 'election-safety', message: 'nodes 1 and 2 were both leader in term 3', iteration: null },
      shrink: { originalEvents: 900, currentEvents: 120, shrinkRuns: 50, elapsedMs: null, budgetMs: null },
      outcome: { ok: false, interrupted: false, invariant: 'election-safety', tracePath: 'traces/election-safety-seed7.json', replayCommand: null },
    };
    const t = text(s).join('\n');
    expect(t).toContain('shrunk');
    expect(t).toContain('✓ trace written: traces/election-safety-seed7.json');
    expect(t).toContain('open it: raft-check replay traces/election-safety-seed7.json');
  });

  it('says when nothing was found, and when Ctrl-C stopped the run', () => {
    expect(text({ ...base, runs: 10_000, outcome: { ok: true, interrupted: false, invariant: null, tracePath: null, replayCommand: null } }).join('\n')).toContain(
      '✓ no violation in 10,000 iterations',
    );
    expect(text({ ...base, outcome: { ok: false, interrupted: true, invariant: null, tracePath: null, replayCommand: null } }).join('\n')).toContain(
      'stopped by Ctrl-C after 2,500 iterations',
    );
  });

  it('fits 80 columns and narrower terminals', () => {
    for (const w of [80, 50]) {
      const s: LiveState = {
        ...base,
        finding: { invariant: 'log-matching', message: 'x '.repeat(100), iteration: 1 },
        shrink: { originalEvents: 10, currentEvents: 5, shrinkRuns: 1, elapsedMs: 1, budgetMs: 2 },
      };
      for (const l of text(s, w)) expect([...l].length).toBeLessThanOrEqual(w);
    }
  });

  it('formats rates and clocks', () => {
    expect(rate(3.14159)).toBe('3.1');
    expect(rate(950)).toBe('950');
    expect(rate(12_345)).toBe('12.3k');
    expect(rate(4_500_000)).toBe('4.50M');
    expect(clock(7_000)).toBe('0:07');
    expect(clock(723_000)).toBe('12:03');
    expect(clock(3_723_000)).toBe('1:02:03');
  });

  it('renders as an Ink component', () => {
    const app = render(<LiveView state={base} width={80} />);
    expect(strip(app.lastFrame() ?? '')).toContain('2,500/10,000');
  });
});

/** A terminal stand-in that records what Ink writes. */
class FakeStdout extends EventEmitter {
  columns = 80;
  rows = 24;
  isTTY = false;
  out = '';
  write = (s: string): boolean => {
    this.out += s;
    return true;
  };
}

describe('startLiveView', () => {
  it('draws progress, shrinking and the result, then releases the terminal', async () => {
    const stdout = new FakeStdout();
    let t = 0;
    const live = startLiveView({ seed: 3, total: 100, workers: 1, stdout: stdout as unknown as NodeJS.WriteStream, now: () => t, redrawMs: 0 });
    t = 2_000;
    live.update({ runs: 50, events: 10_000, findings: 0 });
    t = 3_000;
    live.shrinking({ invariant: 'election-safety', message: 'nodes 1 and 2 were both leader in term 3', originalEvents: 800, currentEvents: 200, shrinkRuns: 12 });
    await live.done({ tracePath: 'traces/e.json', replayCommand: 'raft-check replay traces/e.json', invariant: 'election-safety' });
    const out = strip(stdout.out);
    expect(out).toContain('50/100');
    expect(out).toContain('✗ election-safety');
    expect(out).toContain('800 -> 200 events (75% smaller)');
    expect(out).toContain('raft-check replay traces/e.json');
    live.stop(); // after done: nothing more happens
  });

  it('takes the CLI reporter’s shapes: WorkerStatus lists, TraceSize sizes and a RunOutcome', async () => {
    const stdout = new FakeStdout();
    const live = startLiveView({ seed: 3, iterations: 100, workers: 2, nodes: 5, faults: 'chaos', implementation: 'core', shard: null, out: 'traces', onInterrupt: () => {}, stdout: stdout as unknown as NodeJS.WriteStream, redrawMs: 0 });
    live.update({
      runs: 40,
      iterations: 100,
      events: 1_000,
      elapsedMs: 1_000,
      findings: 0,
      workers: [
        { worker: 1, state: 'exploring', runs: 20, events: 500 },
        { worker: 2, state: 'exploring', runs: 20, events: 500 },
      ],
    });
    const size = (events: number) => ({ events, faults: 1, delivered: 1, proposals: 1 });
    live.shrinking({ invariant: 'log-matching', message: 'm', iteration: 7, shrinkRuns: 3, size: size(90), originalSize: size(300), elapsedMs: 500, budgetMs: 30_000 });
    await live.done({ ok: false, interrupted: false, runs: 40, events: 1_000, elapsedMs: 2_000, violation: { invariant: 'log-matching', message: 'm', trace: 'traces/l.json', replay: "raft-check replay 'traces/l.json'" } });
    const out = strip(stdout.out);
    expect(out).toContain('w1 exploring');
    expect(out).toContain('w2 exploring');
    expect(out).toContain('log-matching (iteration 7)');
    expect(out).toContain('300 -> 90 events');
    expect(out).toContain("open it: raft-check replay 'traces/l.json'");
  });
});
