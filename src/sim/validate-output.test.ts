/**
 * A node the simulator cannot trust: whatever it throws, returns or mutates is an
 * `implementation-error` finding at the step it happened, never an exception out of the
 * simulator and never a recording that replay would reject (issue 12, classes 4 and 5).
 */
import { describe, expect, it } from 'vitest';
import { runChecked } from '../check/run.js';
import { coreFactory } from '../raft/index.js';
import type { NodeFactory, NodeInit, Observation, Output, RaftNode } from '../raft/types.js';
import { parseTrace, serializeTrace } from '../trace/io.js';
import { toTrace } from '../trace/record.js';
import { PROFILES, scheduleFromSeed } from './schedule.js';
import { checkObservation, checkOutput, Malformed, thrownText, userFrames } from './validate-output.js';

const SCHEDULE = scheduleFromSeed(3, { nodes: 3, profile: PROFILES.none });

/**
 * Our core, except that node 1's `n`-th input (0 is start) goes through `spoil`, which may
 * throw, rewrite the output, or return anything at all.
 */
function spoiled(n: number, spoil: (out: Output, init: NodeInit) => unknown, observe?: (o: Observation) => unknown): NodeFactory {
  const core = coreFactory(null);
  return {
    contractVersion: 2,
    name: 'spoiled core',
    create(init) {
      const node = core.create(init);
      let inputs = 0;
      const wrap = (out: Output): Output => (init.id === 1 && inputs++ === n ? (spoil(out, init) as Output) : out);
      return {
        start: () => wrap(node.start()),
        tick: () => wrap(node.tick()),
        receive: (m) => wrap(node.receive(m)),
        propose: (c) => wrap(node.propose(c)),
        observe: () => (init.id === 1 && inputs > n && observe !== undefined ? (observe(node.observe()) as Observation) : node.observe()),
      } satisfies RaftNode;
    },
  };
}

const throwing = (value: unknown) => (): never => {
  throw value;
};

const evilToString = { toString: () => { throw new Error('no'); }, toJSON: () => { throw new Error('no'); } };

/** [label, factory, what the finding's message must say]. */
const CASES: [string, NodeFactory, RegExp][] = [
  ['throws a string', spoiled(1, throwing('boom')), /^node 1 threw on timer: a non-Error value "boom"$/],
  ['throws null', spoiled(1, throwing(null)), /threw on timer: a non-Error value null$/],
  ['throws undefined', spoiled(1, throwing(undefined)), /threw on timer: a non-Error value undefined$/],
  ['throws a symbol', spoiled(1, throwing(Symbol('s'))), /threw on timer: a non-Error value Symbol\(s\)$/],
  ['throws an object whose toString and toJSON throw', spoiled(1, throwing(evilToString)), /threw on timer: a non-Error value \[object Object\]$/],
  ['throws an Error whose message getter throws', spoiled(1, throwing(Object.defineProperty(new Error('x'), 'message', { get: () => { throw new Error('no'); } }))), /threw on timer: a value that cannot be shown/],
  ['a message to node 1.5', spoiled(1, (out, init) => ({ ...out, messages: [{ type: 'X', from: init.id, to: 1.5 }] })), /malformed output on timer: messages\[0\] is addressed to unknown node 1\.5$/],
  ['a message to "2"', spoiled(1, (out, init) => ({ ...out, messages: [{ type: 'X', from: init.id, to: '2' }] })), /addressed to unknown node "2"$/],
  ['a message without a type', spoiled(1, (out, init) => ({ ...out, messages: [{ from: init.id, to: 2 }] })), /messages\[0\]\.type is undefined/],
  ['an output with a throwing getter', spoiled(1, (out) => Object.defineProperty({ ...out }, 'applied', { get: () => { throw new RangeError('gotcha'); }, enumerable: true })), /malformed output on timer: reading it threw RangeError: gotcha/],
  ['a message with a throwing getter', spoiled(1, (out, init) => ({ ...out, messages: [Object.defineProperty({ type: 'X', from: init.id }, 'to', { get: () => { throw new Error('to?'); } })] })), /reading it threw Error: to\?/],
  ['a Promise for an output', spoiled(1, (out) => Promise.resolve(out)), /malformed output on timer: a Promise: every input is answered synchronously/],
  ['a non-numeric digest', spoiled(1, (out) => ({ ...out, applied: [{ index: 1, term: 1, command: null, digest: 'abc' }] })), /applied\[0\]\.digest is "abc", expected a whole number/],
  ['a command without an id', spoiled(1, (out) => ({ ...out, applied: [{ index: 1, term: 1, command: { key: 'k' }, digest: 1 }] })), /applied\[0\]\.command is not a command/],
  ['a vote for node 7 of 3', spoiled(1, (out) => ({ ...out, write: { hardState: { term: 1, votedFor: 7 } } })), /write\.hardState\.votedFor is 7, expected null or a node id 1\.\.3/],
  ['an observation with a NaN term', spoiled(0, (out) => out, (o) => ({ ...o, term: NaN })), /malformed output on start: observe\(\)\.term is NaN/],
  ['an observation with an unknown role', spoiled(0, (out) => out, (o) => ({ ...o, role: 'king' })), /observe\(\)\.role is "king", expected follower, candidate or leader/],
  ['an observation that is a string', spoiled(0, (out) => out, () => 'leader'), /observe\(\) is "leader", expected an object/],
  ['a node without tick()', { contractVersion: 2, name: 'half', create: () => ({ start: () => ({ messages: [], applied: [] }) }) as unknown as RaftNode }, /^node 1: create\(\) returned a node without tick\(\), receive\(\), propose\(\), observe\(\)$/],
];

describe('a hostile node is a finding, never an exception', () => {
  it.each(CASES)('%s', (_label, factory, message) => {
    let r: ReturnType<typeof runChecked> | undefined;
    expect(() => (r = runChecked(factory, SCHEDULE, { record: true }))).not.toThrow();
    expect(r!.finding).toMatchObject({ invariant: 'implementation-error', kind: 'implementation', nodes: [1] });
    expect(r!.finding!.message).toMatch(message);
    expect(r!.finding!.message).not.toMatch(/\n/);
    // What the run recorded, replay accepts (class 5): the trace parses.
    const trace = toTrace({ implementation: { name: 'x', bug: null, module: null }, profile: 'none', seed: 3, path: null }, SCHEDULE, r!);
    expect(() => parseTrace(serializeTrace(trace), 'x.json')).not.toThrow();
  });

  it('a message typed like our core\'s without its fields is summarised, not a crash', () => {
    const factory = spoiled(1, (out, init) => ({ ...out, messages: [{ type: 'InstallSnapshot', from: init.id, to: 2, term: 1 }, { type: 'AppendEntries', from: init.id, to: 3, term: 1 }] }));
    let r: ReturnType<typeof runChecked> | undefined;
    expect(() => (r = runChecked(factory, SCHEDULE, { record: true }))).not.toThrow();
    // Our core, receiving them, throws: that is a finding about node 2 or 3, not about raft-check.
    expect(r!.finding).toMatchObject({ invariant: 'implementation-error' });
    expect(r!.finding!.message).toMatch(/^node [23] threw on (deliver|install-snapshot) of (InstallSnapshot|AppendEntries) t1\b.* from node 1: TypeError/);
  });

  it('a node that mutates what it was handed changes nothing of the simulator', () => {
    const core = coreFactory(null);
    const mutating: NodeFactory = {
      contractVersion: 2,
      name: 'mutating',
      create(init) {
        const tryMutate = (f: () => void): void => {
          try {
            f();
          } catch {
            // Frozen: the write throws in strict mode, which is the point.
          }
        };
        tryMutate(() => (init.cluster as number[]).push(9));
        tryMutate(() => ((init.timing as { heartbeatMs: number }).heartbeatMs = 1));
        tryMutate(() => ((init.timing as { electionTimeoutMinMs: number }).electionTimeoutMinMs = NaN));
        if (init.stored !== null) tryMutate(() => ((init.stored!.hardState as { term: number }).term = 999));
        return core.create(init);
      },
    };
    const a = runChecked(mutating, SCHEDULE, { record: true });
    const b = runChecked(core, SCHEDULE, { record: true });
    expect(a.finding).toBeNull();
    expect(JSON.stringify(a.events)).toBe(JSON.stringify(b.events));
  });

  it('a node that mutates an entry after writing it cannot rewrite the disk', () => {
    const core = coreFactory(null);
    const kept: { term: number }[] = [];
    const factory: NodeFactory = {
      contractVersion: 2,
      name: 'rewrites its entries',
      create(init) {
        const node = core.create(init);
        const grab = (out: Output): Output => {
          for (const e of out.write?.append ?? []) kept.push(e as { term: number });
          return out;
        };
        return { start: () => grab(node.start()), tick: () => grab(node.tick()), receive: (m) => grab(node.receive(m)), propose: (c) => grab(node.propose(c)), observe: () => node.observe() };
      },
    };
    expect(runChecked(factory, SCHEDULE).finding).toBeNull();
    // The core's entries are its own business; the simulator kept copies, so this is harmless.
    for (const e of kept) if (!Object.isFrozen(e)) e.term = 0;
  });
});

describe('checkOutput and checkObservation', () => {
  const limits = { id: 1, nodes: 3, maxMessages: 10 };

  it('copy a good output, so later changes by the node do not reach the simulator', () => {
    const raw = { messages: [{ type: 'X', from: 1, to: 2 }], applied: [{ index: 1, term: 1, command: { id: 'c', key: 'k', value: 'v' }, digest: 5 }], timer: 10 };
    const out = checkOutput(raw, limits);
    expect(out).not.toBeInstanceOf(Malformed);
    raw.applied[0].digest = 6;
    expect((out as Output).applied[0].digest).toBe(5);
  });

  it('refuse write and writes together', () => {
    expect(checkOutput({ messages: [], applied: [], write: {}, writes: [] }, limits)).toEqual(new Malformed('it carries both write and writes (write is shorthand for writes: [write])'));
  });

  it('refuse too many messages', () => {
    const messages = Array.from({ length: 11 }, () => ({ type: 'X', from: 1, to: 2 }));
    expect((checkOutput({ messages, applied: [] }, limits) as Malformed).problem).toBe('messages has 11 items (at most 10 per input)');
  });

  it('accept a leaderless follower and refuse a leaderId of 0', () => {
    const o = { role: 'follower', term: 0, votedFor: null, commitIndex: 0, lastApplied: 0, leaderId: null };
    expect(checkObservation(o, 3)).toEqual(o);
    expect(checkObservation({ ...o, leaderId: 0 }, 3)).toBeInstanceOf(Malformed);
  });
});

describe('thrownText', () => {
  it('keeps the user\'s frames as file:line, innermost first, and drops ours and Node\'s', () => {
    const own = new URL('./simulator.js', import.meta.url).pathname;
    const stack = [
      'TypeError: x is undefined',
      '    at Node.tick (file:///home/u/proj/my-raft.mjs:12:5)',
      '    at helper (/home/u/proj/lib/util.mjs:40:3)',
      '    at node:internal/modules/run_main:1:1',
      `    at Simulator.input (${own}:420:11)`,
      '    at later (/home/u/proj/my-raft.mjs:99:1)',
    ].join('\n');
    expect(userFrames(stack)).toEqual(['my-raft.mjs:12', 'util.mjs:40']);
    const err = new TypeError('x is undefined');
    err.stack = stack;
    expect(thrownText(err)).toBe('TypeError: x is undefined (at my-raft.mjs:12 < util.mjs:40)');
  });

  it('is one line of at most 300 characters', () => {
    expect(thrownText(new Error(`${'a'.repeat(400)}\nsecond`))).toHaveLength(300);
  });
});
