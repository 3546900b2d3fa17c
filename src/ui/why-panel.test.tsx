/**
 * The viewer's explanation panel and undelivered sends: `e`/`E` walk the causal steps, the
 * panel shows the step's sentence, the `undelivered` filter keeps the steps whose sends were
 * lost or still in flight. On the committed Figure 8 trace, replayed for its message fates.
 */
import { cleanup, render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { coreFactory } from '../raft/index.js';
import { readTrace } from '../trace/io.js';
import { replayTrace } from '../trace/replay.js';
import { KIND_FILTERS, TraceModel } from './model.js';
import { initialView, reduce, visibleEvents, type Action } from './navigation.js';
import { TraceViewer } from './TraceViewer.js';

const TRACE = readTrace('traces/bug-commit-previous-term.json');
const REPLAY = replayTrace(TRACE, coreFactory('commit-previous-term'));
const MODEL = new TraceModel({ ...TRACE, messages: REPLAY.messages });

const ANSI = /\u001B\[[0-9;?]*[ -/]*[@-~]/g;
const tick = (ms = 15) => new Promise((r) => setTimeout(r, ms));

afterEach(() => cleanup());

function go(...actions: Action[]) {
  return actions.reduce((s, a) => reduce(MODEL, s, a), initialView(MODEL));
}

describe('causal steps', () => {
  it('e and E move between the explanation steps, whatever the filter', () => {
    expect(MODEL.causes.map((i) => TRACE.events[i].step)).toEqual([15, 16, 31, 35, 36, 37, 39]);
    const next = { type: 'cause', dir: 1 } as const;
    expect(TRACE.events[go(next).cursor].step).toBe(15);
    expect(TRACE.events[go(next, next, next).cursor].step).toBe(31);
    expect(TRACE.events[go(next, next, next, { type: 'cause', dir: -1 }).cursor].step).toBe(16);
    const last = go(...new Array<Action>(7).fill(next));
    expect(TRACE.events[last.cursor].step).toBe(39);
    expect(reduce(MODEL, last, next).message).toMatch(/no later causal step/);
  });

  it('a trace without a violation has none', () => {
    const clean = new TraceModel({ ...TRACE, violation: null });
    expect(reduce(clean, initialView(clean), { type: 'cause', dir: 1 }).message).toMatch(/no violation/);
  });
});

describe('undelivered sends', () => {
  it('the filter keeps the steps whose sends never arrived', () => {
    const f = KIND_FILTERS.findIndex((k) => k.name === 'undelivered');
    const steps = visibleEvents(MODEL, f).map((i) => TRACE.events[i].step);
    // Node 2's RequestVote of term 5 to nodes 1 and 5 is still in flight; the votes it got were delivered.
    expect(steps).toContain(35);
    expect(steps).not.toContain(36);
    expect(MODEL.unsent.get(35)!.map((u) => u.record.to)).toEqual([1, 5]);
  });
});

describe('the panel', () => {
  it('shows the summary and the causal step the cursor is on', async () => {
    const app = render(<TraceViewer trace={TRACE} replay={REPLAY} file="f.json" width={100} height={30} />);
    await tick();
    for (const k of 'eee') {
      const before = app.frames.length;
      app.stdin.write(k);
      for (let w = 0; app.frames.length === before && w < 300; w += 5) await tick(5);
    }
    const s = (app.lastFrame() ?? '').replace(ANSI, '');
    expect(s).toMatch(/why: Node 3 committed an entry of term 1 while leading term 4/);
    expect(s).toMatch(/#31 \(3\/7\) Node 3 \(leader of term 4\) marked index 1/);
    expect(s).toMatch(/step 31\/39/);
  });
});
