/**
 * The HTML report without a browser: one self-contained file (nothing it could fetch), the
 * trace's strings kept as data whatever they hold, the diagram's pieces (lanes, arrows, bands)
 * where the trace puts them, and the size budget: under 1 MB for a 1,000-event trace.
 */
import { describe, expect, it } from 'vitest';
import { runChecked } from '../check/run.js';
import { renderEventLine } from '../cli/text.js';
import { coreFactory } from '../raft/index.js';
import { PROFILES, scheduleFromSeed } from '../sim/schedule.js';
import { readTrace } from '../trace/io.js';
import { toTrace } from '../trace/record.js';
import { replayTrace } from '../trace/replay.js';
import { reportData } from './html-data.js';
import { jsonForScript } from './html.js';
import { traceHtml } from './index.js';

const FIG8 = readTrace('traces/bug-commit-previous-term.json');
const FIG8_REPLAY = replayTrace(FIG8, coreFactory('commit-previous-term'));

describe('the page', () => {
  const html = traceHtml('traces/bug-commit-previous-term.json', FIG8, FIG8_REPLAY, renderEventLine);

  it('is self-contained: a policy that forbids every fetch, no external references', () => {
    expect(html).toMatch(/<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">/);
    expect(html).not.toMatch(/<link\b|<img\b|<iframe\b|\bsrc=|@import|url\(http/i);
    // The only URL is the SVG namespace, which names and never fetches.
    expect(html.match(/https?:\/\/[^\s'"]+/g)).toEqual(['http://www.w3.org/2000/svg']);
  });

  it('carries the violation and the explanation', () => {
    expect(html).toContain('leader-completeness (safety) at step 39');
    const data = JSON.parse(/<script type="application\/json" id="report-data">(.*?)<\/script>/s.exec(html)![1]) as ReturnType<typeof reportData>;
    expect(data.violation!.row).toBe(39);
    expect(data.why!.steps.map((s) => s[1])).toEqual([15, 16, 31, 35, 36, 37, 39]);
  });

  it('keeps any string a trace holds as data', () => {
    const hostile = '</script><script>alert(1)</script><!--';
    expect(jsonForScript({ msg: hostile })).not.toMatch(/<|>/);
    expect(JSON.parse(jsonForScript({ msg: hostile }))).toEqual({ msg: hostile });
    const t = { ...FIG8, events: FIG8.events.map((e) => (e.msg === undefined ? e : { ...e, msg: hostile })) };
    const page = traceHtml('<b>x</b>.json', t, null, renderEventLine);
    expect(page.match(/<script\b/g)).toHaveLength(2);
    expect(page).toContain('&#60;b&#62;x&#60;/b&#62;.json');
  });
});

describe('the diagram data', () => {
  const data = reportData({
    title: 'f',
    nodes: 5,
    about: '',
    violation: FIG8.violation,
    events: FIG8.events,
    messages: FIG8_REPLAY.messages,
    explanation: null,
    lines: FIG8.events.map(renderEventLine),
  });

  it('draws every message copy from its send to its fate', () => {
    expect(data.arrows).toHaveLength(FIG8_REPLAY.messages!.length);
    // Node 2's vote request of term 5 reached node 4 at step 36.
    const vote = data.arrows.find((a) => a[0] === 2 && a[1] === 4 && a[2] === 35)!;
    expect(vote[3]).toBe(36);
    expect(vote[4]).toBe(0);
    expect(data.arrows.filter((a) => a[4] === 2).length).toBe(FIG8_REPLAY.messages!.filter((r) => r.fate.kind === 'in-flight').length);
  });

  it('lanes change segment where role or term changes', () => {
    const n3 = data.segments.filter((s) => s[0] === 3);
    expect(n3.find((s) => s[3] === 2 && s[4] === 4)![1]).toBe(23);
    expect(n3[n3.length - 1][4]).toBe(5);
  });
});

describe('size', () => {
  it('a 1,000-event timed chaos run with its faults and messages stays under 1 MB', () => {
    const schedule = scheduleFromSeed(1, { nodes: 5, profile: PROFILES.chaos });
    const run = runChecked(coreFactory(null), schedule, { record: true });
    expect(run.events!.length).toBeGreaterThanOrEqual(1000);
    const t = toTrace({ implementation: { name: 'core', bug: null, module: null }, profile: 'chaos', seed: 1, path: null }, schedule, run);
    const page = traceHtml('seed1.json', t, { reproduced: true, events: run.events!, messages: run.messages }, renderEventLine);
    expect(Buffer.byteLength(page)).toBeLessThan(1024 * 1024);
    const data = reportData({ title: '', nodes: 5, about: '', violation: null, events: t.events, messages: run.messages, explanation: null, lines: [] });
    expect(data.partitions.length).toBeGreaterThan(0);
    expect(data.downs.length).toBeGreaterThan(0);
  });
});
