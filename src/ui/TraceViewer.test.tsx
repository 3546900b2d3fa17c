import { cleanup, render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { TraceViewer } from './TraceViewer.js';
import { VIOLATION_STEP, fixtureTrace, wideTrace } from './fixture.js';
import type { TraceFile } from '../trace/format.js';

const ESC = '\u001B';
const KEY = {
  right: `${ESC}[C`,
  left: `${ESC}[D`,
  pageDown: `${ESC}[6~`,
  pageUp: `${ESC}[5~`,
  home: `${ESC}[H`,
  end: `${ESC}[F`,
  tab: '\t',
};

const ANSI = /\u001B\[[0-9;?]*[ -/]*[@-~]/g;
const strip = (s: string) => s.replace(ANSI, '');
const tick = (ms = 15) => new Promise((r) => setTimeout(r, ms));

async function open(trace: TraceFile = fixtureTrace(), width = 80, height = 24) {
  const app = render(<TraceViewer trace={trace} replay={null} file="traces/fixture.json" width={width} height={height} />);
  await tick(); // let useInput attach
  const screen = () => strip(app.lastFrame() ?? '');
  // Waits for the frame a key causes (or a while, for keys that change nothing).
  const press = async (...keys: string[]) => {
    for (const k of keys) {
      const before = app.frames.length;
      app.stdin.write(k);
      for (let waited = 0; app.frames.length === before && waited < 300; waited += 5) await tick(5);
    }
  };
  return { app, screen, press };
}

function longestLine(frame: string): number {
  return Math.max(...frame.split('\n').map((l) => [...l].length));
}

afterEach(() => cleanup());

describe('TraceViewer', () => {
  it('renders the header, a panel per node and the timeline', async () => {
    const { screen } = await open();
    const s = screen();
    expect(s).toContain('traces/fixture.json');
    expect(s).toContain('seed 42');
    expect(s).toContain('3 nodes');
    expect(s).toContain('bug commit-previous-term');
    expect(s).toContain('state-machine-safety');
    expect(s.replace(/\s+/g, ' ')).toContain('node 3 applied c9 at index 2, but node 1 applied c1 there');
    for (const n of ['n1', 'n2', 'n3']) expect(s).toContain(n);
    expect(s).toMatch(/step 0\/20/);
    expect(s).toMatch(/▶ ?0 +0ms +n1 start/);
  });

  it('moves one step on right and left arrows, ten on page keys, to the ends on home/end', async () => {
    const { screen, press } = await open();
    await press(KEY.right);
    expect(screen()).toMatch(/step 1\/20/);
    await press(KEY.right, KEY.right, KEY.right, KEY.right, KEY.right);
    expect(screen()).toMatch(/step 6\/20/);
    expect(screen()).toContain('LEADER');
    await press(KEY.left);
    expect(screen()).toMatch(/step 5\/20/);
    await press(KEY.pageDown);
    expect(screen()).toMatch(/step 15\/20/);
    await press(KEY.pageUp);
    expect(screen()).toMatch(/step 5\/20/);
    await press(KEY.end);
    expect(screen()).toMatch(/step 20\/20/);
    await press(KEY.home);
    expect(screen()).toMatch(/step 0\/20/);
  });

  it('lands on the violation with v and highlights the entry on every node that holds it', async () => {
    const { screen, press } = await open();
    expect(screen()).not.toContain('!#2');
    await press('v');
    const s = screen();
    expect(s).toMatch(new RegExp(`step ${VIOLATION_STEP}/20`));
    expect(s).toContain('VIOLATION');
    expect(s).toContain('!#2 t1 c1'); // n1 still holds the entry it applied (index 1 compacted)
    expect(s).toContain('!#2 t2 c9'); // n2 and n3 hold the other one
    expect(s.match(/!#2 t2 c9/g)?.length).toBe(2);
    expect(s).toContain('!2/t1'); // the selected node's log line marks it too
    // The highlight stays on while stepping back to see where the entries came from.
    await press(KEY.left, KEY.left);
    expect(screen()).toContain('!#2');
  });

  it('holds the 80x24 layout at every step: no line wider than 80, never more than 24 lines', async () => {
    const { app, press } = await open();
    const check = () => {
      const f = strip(app.lastFrame() ?? '');
      expect(longestLine(f)).toBeLessThanOrEqual(80);
      expect(f.split('\n').length).toBeLessThanOrEqual(24);
    };
    check();
    for (let i = 0; i <= VIOLATION_STEP; i++) {
      await press(KEY.right);
      check();
    }
    await press('v');
    check();
    await press('?');
    check();
  });

  it('fits wide clusters into 80 columns one row per node, and uses more width when there is some', async () => {
    const nine = await open(wideTrace(9), 80, 24);
    await nine.press(KEY.end);
    const s = nine.screen();
    expect(longestLine(s)).toBeLessThanOrEqual(80);
    for (let n = 1; n <= 9; n++) expect(s).toMatch(new RegExp(`n${n} `));
    cleanup();
    const wide = await open(wideTrace(5), 160, 30);
    await wide.press(KEY.end);
    const w = wide.screen();
    expect(longestLine(w)).toBeLessThanOrEqual(160);
    expect(longestLine(w)).toBeGreaterThan(100);
    expect(w).toContain('╭─n2'); // side-by-side panels
  });

  it('selects nodes with number keys and tab, and walks the selected node’s events with n/p', async () => {
    const { screen, press } = await open();
    expect(screen()).toContain('▸n1');
    await press('3');
    expect(screen()).toContain('▸n3');
    await press('n');
    expect(screen()).toMatch(/step 2\/20/);
    await press('n');
    expect(screen()).toMatch(/step 8\/20/);
    await press('p');
    expect(screen()).toMatch(/step 2\/20/);
    await press(KEY.tab);
    expect(screen()).toContain('▸n1');
  });

  it('cycles the event filter with /', async () => {
    const { screen, press } = await open();
    await press('/', '/');
    expect(screen()).toContain('filter faults');
    await press(KEY.right);
    expect(screen()).toMatch(/step 12\/20/);
    expect(screen()).toContain('partition');
  });

  it('shows help on ? and closes it on the next key', async () => {
    const { screen, press } = await open();
    await press('?');
    expect(screen()).toContain('Keys');
    expect(screen()).toContain('jump to the violation');
    await press('x');
    expect(screen()).not.toContain('Keys');
    expect(screen()).toMatch(/step 0\/20/);
  });

  it('takes several keys arriving in one chunk one by one', async () => {
    const { screen, press } = await open();
    await press(KEY.right + KEY.right + KEY.right);
    expect(screen()).toMatch(/step 3\/20/);
    await press('3n\tv');
    expect(screen()).toMatch(new RegExp(`step ${VIOLATION_STEP}/20`));
    expect(screen()).toContain('▸n1');
  });

  it('quits on q', async () => {
    let how: string | null = null;
    const app = render(<TraceViewer trace={fixtureTrace()} width={80} height={24} onExit={(h) => (how = h)} />);
    await tick();
    app.stdin.write('q');
    await tick();
    expect(how).toBe('quit');
  });

  it('reports Ctrl-C as an interrupt', async () => {
    let how: string | null = null;
    const app = render(<TraceViewer trace={fixtureTrace()} width={80} height={24} onExit={(h) => (how = h)} />);
    await tick();
    app.stdin.write('\u0003');
    await tick();
    expect(how).toBe('interrupt');
  });
});

describe('runViewer', () => {
  it('draws one screen and returns when there is no keyboard (stdin not a TTY)', async () => {
    const { EventEmitter } = await import('node:events');
    const { runViewer } = await import('./viewer.js');
    const stdout = Object.assign(new EventEmitter(), { columns: 80, rows: 24, isTTY: false, out: '', write(s: string) { stdout.out += s; return true; } });
    const stdin = Object.assign(new EventEmitter(), { isTTY: false });
    await runViewer(fixtureTrace(), null, { file: 'f.json', stdout: stdout as unknown as NodeJS.WriteStream, stdin: stdin as unknown as NodeJS.ReadStream });
    const s = strip(stdout.out);
    expect(s).toContain('f.json');
    expect(s).toMatch(/step 0\/20/);
    expect(stdout.out).not.toContain('\u001B[?1049h'); // no alternate screen on a pipe
  });
});
