import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runChecked } from '../check/run.js';
import { scheduleArb } from '../explore/arbitraries.js';
import { coreFactory } from '../raft/index.js';
import { toTrace } from '../trace/record.js';
import type { TraceFile } from '../trace/format.js';
import { fixtureTrace } from './fixture.js';
import { describeNet, layoutScreen, lanes, termChar, timelineText } from './layout.js';
import { TraceModel } from './model.js';
import { initialView, type ViewState } from './navigation.js';
import { lineWidth, plain } from './text.js';

/** A real recorded run: one schedule drawn with a pinned seed, run on the core with a bug. */
function recordedTrace(): TraceFile {
  const [schedule] = fc.sample(scheduleArb({ nodes: 5 }), { seed: 5, numRuns: 1 });
  const run = runChecked(coreFactory('commit-previous-term'), schedule, { record: true });
  return toTrace({ implementation: { name: 'raft-check core', bug: 'commit-previous-term', module: null }, profile: 'chaos', seed: 5, path: null }, schedule, run);
}

function screen(trace: TraceFile, model: TraceModel, view: ViewState, width: number, height: number) {
  return layoutScreen({ trace, replay: null, file: 'traces/x.json', model, view, width, height });
}

describe('layout', () => {
  it('lays every step of a recorded run out in exactly 24 lines of at most 80 columns', () => {
    const trace = recordedTrace();
    const model = new TraceModel(trace);
    expect(model.size).toBeGreaterThan(50);
    const v0 = initialView(model);
    const every = Math.max(1, Math.floor(model.size / 400));
    for (let i = 0; i < model.size; i += every) {
      for (const highlight of [false, true]) {
        const lines = screen(trace, model, { ...v0, cursor: i, highlight }, 80, 24);
        expect(lines.length).toBe(24);
        for (const l of lines) expect(lineWidth(l)).toBeLessThanOrEqual(80);
      }
    }
  });

  it('keeps to the size it is given, small or large', () => {
    const trace = fixtureTrace();
    const model = new TraceModel(trace);
    const view = { ...initialView(model), cursor: 12 };
    for (const [w, h] of [
      [40, 12],
      [80, 24],
      [132, 43],
      [200, 60],
    ]) {
      const lines = screen(trace, model, view, w, h);
      expect(lines.length).toBe(h);
      for (const l of lines) expect(lineWidth(l)).toBeLessThanOrEqual(w);
    }
  });

  it('marks the commit point and the snapshot in the log cells', () => {
    const trace = fixtureTrace();
    const model = new TraceModel(trace);
    const text = screen(trace, model, { ...initialView(model), cursor: 12 }, 80, 24).map(plain).join('\n');
    expect(text).toContain('s1:1'); // n1: index 1 compacted, index 2 (term 1) committed
    expect(text).toContain('|11'); // n2: nothing committed yet
    expect(text).toContain('grp A');
    expect(text).toContain('grp B');
    expect(text).toContain('net A{1} | B{2,3}');
  });

  it('writes terms as one character each', () => {
    expect([1, 9, 10, 35, 36].map(termChar).join('')).toBe('19az+');
  });

  it('draws a message as an arrow between the lanes of its sender and receiver', () => {
    const e = { step: 0, t: 0, kind: 'deliver' as const, node: 4, from: 2 };
    expect(plain(lanes(e, 5))).toBe(' │ o───> │ ');
    expect(plain(lanes({ ...e, kind: 'drop', node: 1, from: 3 }, 3))).toBe(' x╌╌╌o ');
    expect(plain(lanes({ step: 0, t: 0, kind: 'crash', node: 2 }, 3))).toBe(' │ X │ ');
  });

  it('describes an event on one line with what it changed', () => {
    const model = new TraceModel(fixtureTrace());
    expect(timelineText(model, 5)).toBe('5 154ms 2→1 deliver   RequestVoteReply t1 granted  => leader t1, +1/t1');
    expect(describeNet(model.stateAt(-1))).toBe('all links up');
  });
});
