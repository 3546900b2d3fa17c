/**
 * Trace files: serialize/parse round trip, replay (exact reproduction, divergence at the
 * edited step, edited violations), clear errors for malformed files, atomic writes.
 */
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runChecked } from '../check/run.js';
import { coreFactory, type BugName } from '../raft/index.js';
import type { NodeFactory } from '../raft/types.js';
import { PROFILES, scheduleFromSeed } from '../sim/schedule.js';
import { scriptFromEvents } from '../sim/script.js';
import { TRACE_FORMAT, TRACE_VERSION, type TraceFile } from './format.js';
import { TraceError, parseTrace, readTrace, serializeTrace, writeTrace } from './io.js';
import { toTrace } from './record.js';
import { replayTrace } from './replay.js';

function record(seed: number, nodes: number, bug: BugName | null = null): TraceFile {
  const schedule = scheduleFromSeed(seed, { nodes, profile: PROFILES.chaos });
  const run = runChecked(coreFactory(bug), schedule, { record: true });
  return toTrace({ implementation: { name: coreFactory(bug).name, bug, module: null }, profile: 'chaos', seed, path: null }, schedule, run);
}

/** A correct run, and a buggy one that ends in a leader-completeness violation. */
const PASSING = record(42, 5);
const FAILING = record(1, 3, 'vote-ignores-log');

const tmp = mkdtempSync(join(tmpdir(), 'raft-check-trace-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('the recorded traces used here', () => {
  it('are what the tests assume', () => {
    expect(PASSING.violation).toBeNull();
    expect(PASSING.events.length).toBeGreaterThan(500);
    expect(PASSING.events.some((e) => e.kind === 'partition')).toBe(true);
    expect(FAILING.violation).toMatchObject({ invariant: 'leader-completeness', kind: 'safety' });
    // Steps are numbered densely: event i is step i.
    expect(PASSING.events.every((e, i) => e.step === i)).toBe(true);
  });

  it('toTrace needs a recorded run', () => {
    const s = scheduleFromSeed(1, { nodes: 3, profile: PROFILES.none });
    const run = runChecked(coreFactory(null), s);
    expect(() => toTrace({ implementation: { name: 'x', bug: null, module: null }, profile: 'none', seed: 1, path: null }, s, run)).toThrow(/recorded run/);
  });
});

describe('serialize and parse', () => {
  it.each([
    ['passing', PASSING],
    ['failing', FAILING],
  ])('%s trace: parse(serialize(t)) gives t back', (_label, t) => {
    const text = serializeTrace(t);
    const back = parseTrace(text, 't.json');
    expect(back).toEqual(t);
    expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(t)));
  });

  it('the header is readable and each event is one line', () => {
    const text = serializeTrace(PASSING);
    const lines = text.split('\n');
    expect(lines[0]).toBe('{');
    expect(lines[1]).toBe(`  "format": "${TRACE_FORMAT}",`);
    expect(lines[2]).toBe(`  "version": ${TRACE_VERSION},`);
    expect(text.endsWith('\n')).toBe(true);
    const eventLines = lines.filter((l) => l.startsWith('    {"step":'));
    expect(eventLines).toHaveLength(PASSING.events.length);
  });

  it('an empty event list serializes and parses', () => {
    const t = { ...PASSING, events: [] };
    expect(parseTrace(serializeTrace(t), 'empty.json')).toEqual(t);
  });

  // Regression: zod rebuilt objects in schema key order, so re-saving a loaded trace changed
  // its bytes; parseTrace now returns the validated file as it was.
  it('re-serializing a parsed trace gives the same bytes', () => {
    const text = serializeTrace(PASSING);
    expect(serializeTrace(parseTrace(text, 't.json'))).toBe(text);
  });
});

describe('replay', () => {
  it.each([
    ['passing', PASSING],
    ['failing', FAILING],
  ])('a recorded %s trace reproduces exactly', (_label, t) => {
    const r = replayTrace(t, coreFactory(t.implementation.bug as BugName | null));
    expect(r).toMatchObject({ reproduced: true, divergence: null });
    expect(r.events).toEqual(t.events);
    expect(r.violation).toEqual(t.violation === null ? null : expect.objectContaining(t.violation));
  });

  it('a scripted trace (what shrinking writes) survives writing and parsing, and reproduces', () => {
    const script = scriptFromEvents(FAILING.events);
    const schedule = { ...FAILING.schedule, faults: [], proposals: [], script };
    const t = toTrace({ implementation: FAILING.implementation, profile: 'chaos', seed: 1, path: null }, schedule, runChecked(coreFactory('vote-ignores-log'), schedule, { record: true }));
    const back = parseTrace(serializeTrace(t), 'scripted.json');
    expect(back.schedule.script).toEqual(script);
    expect(replayTrace(back, coreFactory('vote-ignores-log'))).toMatchObject({ reproduced: true, violation: expect.objectContaining({ invariant: 'leader-completeness' }) });
    expect(replayTrace(back, coreFactory(null)).violation).toBeNull();
  });

  it('a script step of an unknown kind is a malformed trace', () => {
    const bad = { ...FAILING, schedule: { ...FAILING.schedule, script: [{ t: 1, do: 'teleport', node: 1 }] } };
    expect(() => parseTrace(JSON.stringify(bad), 'bad.json')).toThrow(TraceError);
  });

  const at = (t: TraceFile, k: number, edit: (e: TraceFile['events'][number]) => TraceFile['events'][number]): TraceFile => ({
    ...t,
    events: t.events.map((e, i) => (i === k ? edit(e) : e)),
  });

  const last = PASSING.events.length - 1;
  const mid = PASSING.events.findIndex((e, i) => i > 300 && e.kind === 'deliver');
  it.each<[string, number, (e: TraceFile['events'][number]) => TraceFile['events'][number]]>([
    ['t of the first event', 0, (e) => ({ ...e, t: e.t + 1 })],
    ['kind of the first event', 0, (e) => ({ ...e, kind: e.kind === 'timer' ? 'deliver' : 'timer' })],
    ['t of a delivery mid-run', mid, (e) => ({ ...e, t: e.t + 3 })],
    ['kind of a delivery mid-run', mid, (e) => ({ ...e, kind: 'drop' })],
    ['node of a delivery mid-run', mid, (e) => ({ ...e, node: e.node === 1 ? 2 : 1 })],
    ['message summary mid-run', mid, (e) => ({ ...e, msg: 'RequestVote t99' })],
    ['t of the last event', last, (e) => ({ ...e, t: e.t + 1 })],
  ])('editing the %s is a divergence at exactly that step', (_label, k, edit) => {
    const edited = at(PASSING, k, edit);
    const r = replayTrace(edited, coreFactory(null));
    expect(r.reproduced).toBe(false);
    expect(r.divergence).toEqual({ step: k, expected: JSON.stringify(edited.events[k]), actual: JSON.stringify(PASSING.events[k]) });
  });

  it('a recording cut short diverges where it ends', () => {
    const r = replayTrace({ ...PASSING, events: PASSING.events.slice(0, 100) }, coreFactory(null));
    expect(r.reproduced).toBe(false);
    expect(r.divergence).toEqual({ step: 100, expected: null, actual: JSON.stringify(PASSING.events[100]) });
  });

  it('a recording with an extra event diverges there', () => {
    const extra = { ...PASSING.events[last], step: last + 1 };
    const r = replayTrace({ ...PASSING, events: [...PASSING.events, extra] }, coreFactory(null));
    expect(r.divergence).toEqual({ step: last + 1, expected: JSON.stringify(extra), actual: null });
  });

  it.each<[string, TraceFile]>([
    ['a changed violation message', { ...FAILING, violation: { ...FAILING.violation!, message: 'something else' } }],
    ['a changed violation node list', { ...FAILING, violation: { ...FAILING.violation!, nodes: [9] } }],
    ['a removed violation', { ...FAILING, violation: null }],
    ['a violation added to a passing trace', { ...PASSING, violation: { ...FAILING.violation! } }],
  ])('%s is a divergence after the last step', (_label, t) => {
    const r = replayTrace(t, coreFactory(t.implementation.bug as BugName | null));
    expect(r.reproduced).toBe(false);
    expect(r.divergence).toEqual({ step: t.events.length, expected: JSON.stringify(t.violation), actual: JSON.stringify(r.violation) });
  });

  it('a different implementation diverges (here: a buggy core replaying a correct trace)', () => {
    const r = replayTrace(FAILING, coreFactory(null));
    expect(r.reproduced).toBe(false);
    expect(r.divergence!.step).toBeGreaterThan(0);
    expect(r.divergence!.step).toBeLessThanOrEqual(FAILING.events.length);
  });

  it('a non-deterministic implementation is caught', () => {
    // A user core whose election timeouts depend on state outside the run (a module counter).
    let calls = 0;
    const core = coreFactory(null);
    const flaky: NodeFactory = { ...core, create: (init) => core.create({ ...init, randomInt: (lo, hi) => lo + (calls++ % (hi - lo + 1)) }) };
    const schedule = scheduleFromSeed(5, { nodes: 3, profile: PROFILES.none });
    const t = toTrace({ implementation: { name: 'flaky', bug: null, module: null }, profile: 'none', seed: 5, path: null }, schedule, runChecked(flaky, schedule, { record: true }));
    const r = replayTrace(t, flaky);
    expect(r.reproduced).toBe(false);
    expect(r.divergence!.expected).not.toBe(r.divergence!.actual);
  });

  // Regression: a trace read back from disk replays clean (replay compares canonically, and
  // parseTrace keeps the file's own key order).
  it.each([
    ['passing', PASSING],
    ['failing', FAILING],
  ])('a %s trace written to disk and read back reproduces', (label, t) => {
    const file = join(tmp, `replay-${label}.json`);
    writeTrace(file, t);
    const r = replayTrace(readTrace(file), coreFactory(t.implementation.bug as BugName | null));
    expect(r.divergence).toBeNull();
    expect(r.reproduced).toBe(true);
  });
});

describe('malformed trace files', () => {
  const valid = (): Record<string, unknown> => JSON.parse(serializeTrace(PASSING)) as Record<string, unknown>;
  const edit = (f: (t: any) => void): string => {
    const t = valid();
    f(t);
    return JSON.stringify(t);
  };

  it.each<[string, string, RegExp]>([
    ['not JSON', '{"format": "raft-check-trace", ', /: not JSON \(/],
    ['empty', '', /: not JSON/],
    ['a JSON array', '[]', /: not a raft-check trace \(no "format": "raft-check-trace"\)/],
    ['the wrong format field', edit((t) => (t.format = 'some-other-trace')), /: not a raft-check trace/],
    ['no format field', edit((t) => delete t.format), /: not a raft-check trace/],
    ['an unsupported version', edit((t) => (t.version = 2)), /: trace format version 2 is not supported \(this raft-check reads version 1\)/],
    ['a missing version', edit((t) => delete t.version), /: trace format version undefined is not supported/],
    ['a missing schedule.nodes', edit((t) => delete t.schedule.nodes), /: schedule\.nodes: /],
    ['a string for schedule.nodes', edit((t) => (t.schedule.nodes = 'five')), /: schedule\.nodes: /],
    ['too many nodes', edit((t) => (t.schedule.nodes = 99)), /: schedule\.nodes: /],
    ['an unknown event kind', edit((t) => (t.events[3].kind = 'teleport')), /: events\.3\.kind: /],
    ['a negative event time', edit((t) => (t.events[7].t = -1)), /: events\.7\.t: /],
    ['an out-of-range network choice', edit((t) => (t.schedule.net.choices = [10_000])), /: schedule\.net\.choices\.0: /],
    ['a fault of unknown kind', edit((t) => (t.schedule.faults = [{ at: 1, kind: 'meteor' }])), /: schedule\.faults\.0(\.kind)?: /],
    ['a bad violation kind', edit((t) => (t.violation = { invariant: 'x', kind: 'oops', step: 0, time: 0, nodes: [], message: 'm' })), /: violation\.kind: /],
    ['min election timeout above max', edit((t) => (t.schedule.timing.electionTimeoutMinMs = 999)), /: schedule\.timing: electionTimeoutMinMs must not exceed electionTimeoutMaxMs/],
    ['a drift list of the wrong length', edit((t) => t.schedule.drift.pop()), /: schedule\.drift has 4 entries for 5 nodes$/],
    ['several problems', edit((t) => { delete t.tool; delete t.profile; }), /: tool: .*\(and 1 more problems?\)$/],
  ])('%s gives a TraceError naming the file and the problem', (label, text, problem) => {
    const file = join(tmp, `${label.replace(/\W+/g, '-')}.json`);
    writeFileSync(file, text);
    let err: unknown;
    try {
      readTrace(file);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(TraceError);
    const message = (err as TraceError).message;
    expect((err as TraceError).name).toBe('TraceError');
    expect(message.startsWith(`${file}: `)).toBe(true);
    expect(message).toMatch(problem);
    expect(message).not.toMatch(/\n/);
    // parseTrace says the same for text from anywhere.
    expect(() => parseTrace(text, 'pasted.json')).toThrow(/^pasted\.json: /);
  });

  it('a missing file is a TraceError that says so', () => {
    const file = join(tmp, 'no-such-trace.json');
    expect(() => readTrace(file)).toThrow(TraceError);
    expect(() => readTrace(file)).toThrow(`${file}: cannot read (no such file)`);
  });

  it('a directory is a TraceError too', () => {
    expect(() => readTrace(tmp)).toThrow(new TraceError(`${tmp}: cannot read (EISDIR)`));
  });
});

describe('writeTrace', () => {
  it('writes the serialized trace and leaves no temporary file behind', () => {
    const dir = join(tmp, 'w1');
    const file = join(dir, 'deep', 'run.json');
    writeTrace(file, PASSING);
    expect(readdirSync(join(dir, 'deep'))).toEqual(['run.json']);
    expect(readFileSync(file, 'utf8')).toBe(serializeTrace(PASSING));
    expect(readTrace(file)).toEqual(PASSING);
  });

  it('replaces an existing trace whole', () => {
    const dir = join(tmp, 'w2');
    const file = join(dir, 'run.json');
    writeTrace(file, PASSING);
    writeTrace(file, FAILING);
    expect(readdirSync(dir)).toEqual(['run.json']);
    expect(readFileSync(file, 'utf8')).toBe(serializeTrace(FAILING));
  });

  it('same trace, same bytes on disk (object identity plays no part)', () => {
    const a = join(tmp, 'w3', 'a.json');
    const b = join(tmp, 'w3', 'b.json');
    writeTrace(a, PASSING);
    writeTrace(b, structuredClone(PASSING));
    expect(readFileSync(a).equals(readFileSync(b))).toBe(true);
  });

  it('a directory that cannot be created fails without leaving anything', () => {
    const dir = join(tmp, 'w4');
    mkdirSync(dir);
    writeFileSync(join(dir, 'blocker'), 'a file, not a directory');
    expect(() => writeTrace(join(dir, 'blocker', 'run.json'), PASSING)).toThrow(/ENOTDIR|EEXIST/);
    expect(readdirSync(dir)).toEqual(['blocker']);
  });

  // As root, permissions do not stop writes; the ENOTDIR case above and io-atomic.test.ts cover that.
  it.skipIf(process.getuid?.() === 0)('a directory that is not writable fails without leaving a partial file', () => {
    const dir = join(tmp, 'w6');
    mkdirSync(dir);
    chmodSync(dir, 0o555);
    try {
      expect(() => writeTrace(join(dir, 'run.json'), PASSING)).toThrow(/EACCES|EPERM/);
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      chmodSync(dir, 0o755);
    }
  });

  it('a target that cannot be replaced fails, keeps what was there and leaves no temporary file', () => {
    const dir = join(tmp, 'w5');
    const target = join(dir, 'run.json');
    mkdirSync(join(target, 'inside'), { recursive: true }); // a non-empty directory where the file should go
    expect(() => writeTrace(target, PASSING)).toThrow();
    expect(readdirSync(dir)).toEqual(['run.json']);
    expect(readdirSync(target)).toEqual(['inside']);
  });
});
