/**
 * The five safety checkers, fed hand-built histories: no simulator, no Raft core. A history is
 * a list of node inputs (StepInfo) and crashes; each violating history breaks exactly one
 * invariant, and a correct history of the same shape passes every checker.
 */
import { describe, expect, it } from 'vitest';
import type { Applied, DurableWrite, Entry, NodeId, Observation, Output, Role, Snapshot } from '../raft/types.js';
import type { CrashInfo, Report, StepInfo } from '../sim/observer.js';
import { ElectionSafety, LeaderAppendOnly, LeaderCompleteness, LogMatching, SAFETY_INVARIANTS, SafetyChecker, StateMachineSafety, type SafetyInvariant } from './checkers.js';
import { LogMirror } from './log-mirror.js';

// ---- history building ----------------------------------------------------------------------

const e = (index: number, term: number, id = `c${index}t${term}`): Entry => ({ index, term, command: { id, key: `k${index % 3}`, value: id } });

/** A toy state machine digest: a chain over command ids, so equal prefixes give equal digests. */
function digestAfter(entries: readonly Entry[], index: number): number {
  let h = 0x811c9dc5;
  for (const x of entries) {
    if (x.index > index) break;
    const id = x.command === null ? '-' : x.command.id;
    for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193) >>> 0;
  }
  return h;
}

/** The entries of `log` in [from, to] as applied, each with the digest after it. */
function applied(log: readonly Entry[], from: number, to: number): Applied[] {
  return log.filter((x) => x.index >= from && x.index <= to).map((x) => ({ index: x.index, term: x.term, command: x.command, digest: digestAfter(log, x.index) }));
}

function snapshot(log: readonly Entry[], index: number): Snapshot {
  return { lastIncludedIndex: index, lastIncludedTerm: log[index - 1].term, digest: digestAfter(log, index), data: null };
}

interface Effects {
  readonly write?: DurableWrite;
  /** Several writes, for unsynced ones (`write` is shorthand for one). */
  readonly writes?: readonly DurableWrite[];
  readonly applied?: readonly Applied[];
  readonly restored?: Output['restored'];
}

type Event = { readonly kind: 'step'; readonly info: StepInfo } | { readonly kind: 'crash'; readonly node: NodeId; readonly info?: CrashInfo };

/**
 * Builds a history input by input. Each node's `before` is its previous `after` (null for its
 * first input and right after a crash, as the simulator does); `after` patches the previous one.
 */
class History {
  readonly events: Event[] = [];
  private readonly last = new Map<NodeId, Observation | null>();
  private stepNo = 0;

  /** Adds one input; returns its step number. */
  step(node: NodeId, after: Partial<Observation>, fx: Effects = {}): number {
    const before = this.last.get(node) ?? null;
    const base: Observation = before ?? { role: 'follower', term: 0, votedFor: null, commitIndex: 0, lastApplied: 0, leaderId: null };
    const obs: Observation = { ...base, ...after };
    const step = this.stepNo++;
    this.events.push({ kind: 'step', info: { node, step, time: step * 10, before, after: obs, writes: fx.writes ?? (fx.write === undefined ? [] : [fx.write]), applied: fx.applied ?? [], restored: fx.restored } });
    this.last.set(node, obs);
    return step;
  }

  /** A crash; `info` says what survived on disk when it lost unsynced writes. */
  crash(node: NodeId, info?: CrashInfo): void {
    this.events.push({ kind: 'crash', node, info });
    this.last.set(node, null);
  }

  /** Shorthands. */
  role(node: NodeId, role: Role, term: number, fx: Effects = {}): number {
    return this.step(node, { role, term, leaderId: role === 'leader' ? node : null }, fx);
  }

  append(node: NodeId, entries: readonly Entry[]): number {
    return this.step(node, {}, { write: { append: entries } });
  }

  /** An election: candidate (durable vote for itself), then leader. Returns the leader step. */
  elect(node: NodeId, term: number): number {
    this.role(node, 'candidate', term, { write: { hardState: { term, votedFor: node } } });
    return this.role(node, 'leader', term);
  }
}

interface Outcome {
  readonly report: Report | null;
  /** The step whose input drew the report. */
  readonly at: number | null;
}

function feed(h: History, checker: { onStep(s: StepInfo): Report | null; onCrash?(n: NodeId, info?: CrashInfo): void }): Outcome {
  for (const ev of h.events) {
    if (ev.kind === 'crash') {
      checker.onCrash?.(ev.node, ev.info);
      continue;
    }
    const r = checker.onStep(ev.info);
    if (r !== null) return { report: r, at: ev.info.step };
  }
  return { report: null, at: null };
}

const NODES = 3;
const all = (h: History): Outcome => feed(h, new SafetyChecker(NODES));
const allBut = (h: History, name: SafetyInvariant): Outcome => feed(h, new SafetyChecker(NODES, new Set(SAFETY_INVARIANTS.filter((x) => x !== name))));

/** One sentence a person can read: a single line, starting with a word, no sentence break inside. */
function expectSentence(message: string, ...mentions: string[]): void {
  expect(message).not.toMatch(/\n/);
  expect(message).toMatch(/^[A-Za-z]/);
  expect(message).not.toMatch(/\.\s+[A-Z]/);
  expect(message.length).toBeLessThan(200);
  expect(message).not.toMatch(/undefined|NaN|\[object/);
  for (const m of mentions) expect(message).toContain(m);
}

// ---- the histories -------------------------------------------------------------------------

const LOG = [e(1, 1), e(2, 1), e(3, 1)];

interface Case {
  readonly name: string;
  readonly invariant: SafetyInvariant;
  readonly build: () => { h: History; at: number };
  readonly expected: Partial<Report>;
  readonly mentions: readonly string[];
  /** The same shape, but correct. */
  readonly correct: () => History;
}

const CASES: Case[] = [
  {
    name: 'two leaders in one term at different times (never at one instant)',
    invariant: 'election-safety',
    build: () => {
      const h = new History();
      h.elect(1, 2);
      h.role(1, 'follower', 3, { write: { hardState: { term: 3, votedFor: null } } }); // node 1 is no longer leader
      h.role(3, 'follower', 3);
      const at = h.elect(2, 2); // later, node 2 claims term 2 as well
      return { h, at };
    },
    expected: { invariant: 'election-safety', nodes: [1, 2], terms: [2] },
    mentions: ['1', '2', 'term 2'],
    correct: () => {
      const h = new History();
      h.elect(1, 2);
      h.role(1, 'follower', 3, { write: { hardState: { term: 3, votedFor: null } } });
      h.role(3, 'follower', 3);
      h.elect(2, 4);
      h.role(2, 'leader', 4); // staying leader is no second leader
      return h;
    },
  },
  {
    name: 'a leader deletes entries from its own log',
    invariant: 'leader-append-only',
    build: () => {
      const h = new History();
      h.elect(1, 1);
      h.step(1, {}, { write: { append: LOG } });
      const at = h.step(1, {}, { write: { truncateFrom: 2 } });
      return { h, at };
    },
    expected: { invariant: 'leader-append-only', nodes: [1], index: 2, terms: [1] },
    mentions: ['leader 1', 'term 1', 'index 2'],
    correct: () => {
      const h = new History();
      h.elect(1, 1);
      h.step(1, {}, { write: { append: LOG } });
      h.step(1, {}, { write: { append: [e(4, 1)] } }); // appending is fine
      h.step(1, {}, { write: { truncateFrom: 5 } }); // truncating past its end deletes nothing
      h.append(2, [e(1, 1), e(2, 2, 'stale')]);
      h.step(2, {}, { write: { truncateFrom: 2, append: [e(2, 1)] } }); // a follower may truncate
      // A leader that learns of a higher term steps down in the same input and may then truncate.
      h.step(1, { role: 'follower', term: 2, leaderId: null }, { write: { hardState: { term: 2, votedFor: null }, truncateFrom: 4 } });
      return h;
    },
  },
  {
    name: 'same (index, term) but a different earlier entry',
    invariant: 'log-matching',
    build: () => {
      const h = new History();
      h.append(1, [e(1, 1), e(2, 1), e(3, 3)]);
      const at = h.append(2, [e(1, 1), e(2, 2), e(3, 3)]);
      return { h, at };
    },
    expected: { invariant: 'log-matching', nodes: [1, 2], index: 3, terms: [3] },
    mentions: ['node 1', 'node 2', 'index 3', 'term 3', 'at index 2'],
    correct: () => {
      const h = new History();
      h.append(1, [e(1, 1), e(2, 1), e(3, 3)]);
      h.append(2, [e(1, 1), e(2, 1), e(3, 3)]);
      h.append(3, [e(1, 1), e(2, 2)]); // diverges, but shares no later (index, term)
      return h;
    },
  },
  {
    name: 'same (index, term) with a different command at that index',
    invariant: 'log-matching',
    build: () => {
      const h = new History();
      h.append(1, [e(1, 1), e(2, 1)]);
      const at = h.append(3, [e(1, 1), e(2, 1, 'other')]);
      return { h, at };
    },
    expected: { invariant: 'log-matching', nodes: [1, 3], index: 2, terms: [1] },
    mentions: ['node 1', 'node 3', 'index 2', 'at index 2'],
    correct: () => {
      const h = new History();
      h.append(1, [e(1, 1), e(2, 1)]);
      h.append(3, [e(1, 1), e(2, 1)]);
      return h;
    },
  },
  {
    name: 'a leader of a later term becomes leader lacking a committed entry',
    invariant: 'leader-completeness',
    build: () => {
      const h = new History();
      h.elect(1, 1);
      h.step(1, {}, { write: { append: [e(1, 1), e(2, 1)] } });
      h.append(2, [e(1, 1), e(2, 1)]);
      h.append(3, [e(1, 1)]);
      h.step(1, { commitIndex: 2 });
      h.role(1, 'follower', 2);
      const at = h.elect(3, 2);
      return { h, at };
    },
    expected: { invariant: 'leader-completeness', nodes: [3, 1], index: 2, terms: [1, 2] },
    mentions: ['leader 3', 'term 2', 'lacks index 2', 'node 1', 'term 1'],
    correct: () => {
      const h = new History();
      h.elect(1, 1);
      h.step(1, {}, { write: { append: [e(1, 1), e(2, 1)] } });
      h.append(2, [e(1, 1), e(2, 1)]);
      h.append(3, [e(1, 1), e(2, 1)]);
      h.step(1, { commitIndex: 2 });
      h.role(1, 'follower', 2);
      h.elect(3, 2);
      return h;
    },
  },
  {
    name: 'a commit lands while a leader of a later term lacks the entry',
    invariant: 'leader-completeness',
    build: () => {
      const h = new History();
      h.elect(1, 1);
      h.step(1, {}, { write: { append: [e(1, 1), e(2, 1)] } });
      h.append(2, [e(1, 1), e(2, 1)]);
      h.append(3, [e(1, 1)]);
      h.elect(3, 2); // nothing committed yet: fine so far
      const at = h.step(1, { commitIndex: 2 }); // the stale leader of term 1 commits index 2
      return { h, at };
    },
    expected: { invariant: 'leader-completeness', nodes: [3, 1], index: 2, terms: [1, 2] },
    mentions: ['leader 3', 'term 2', 'lacks index 2', 'node 1', 'term 1'],
    correct: () => {
      const h = new History();
      h.elect(1, 1);
      h.step(1, {}, { write: { append: [e(1, 1), e(2, 1)] } });
      h.append(2, [e(1, 1), e(2, 1)]);
      h.append(3, [e(1, 1), e(2, 1)]);
      h.elect(3, 2);
      h.step(1, { commitIndex: 2 });
      return h;
    },
  },
  {
    name: 'different commands applied at one index',
    invariant: 'state-machine-safety',
    build: () => {
      const h = new History();
      const a = [e(1, 1, 'set-x')];
      const b = [e(1, 1, 'set-y')];
      h.step(1, { commitIndex: 1, lastApplied: 1 }, { applied: applied(a, 1, 1) });
      const at = h.step(2, { commitIndex: 1, lastApplied: 1 }, { applied: applied(b, 1, 1) });
      return { h, at };
    },
    expected: { invariant: 'state-machine-safety', nodes: [1, 2], index: 1, terms: [1] },
    mentions: ['node 2', 'set-y', 'index 1', 'node 1', 'set-x'],
    correct: () => {
      const h = new History();
      for (const n of [1, 2, 3]) h.step(n, { commitIndex: 1, lastApplied: 1 }, { applied: applied([e(1, 1, 'set-x')], 1, 1) });
      return h;
    },
  },
  {
    name: 'the same command at one index but a different resulting state',
    invariant: 'state-machine-safety',
    build: () => {
      const h = new History();
      h.step(1, { lastApplied: 2 }, { applied: applied(LOG, 1, 2) });
      const bad = applied(LOG, 1, 2).map((a) => (a.index === 2 ? { ...a, digest: a.digest ^ 1 } : a));
      const at = h.step(2, { lastApplied: 2 }, { applied: bad });
      return { h, at };
    },
    expected: { invariant: 'state-machine-safety', nodes: [1, 2], index: 2 },
    mentions: ['node 2', 'index 2', 'node 1'],
    correct: () => {
      const h = new History();
      h.step(1, { lastApplied: 2 }, { applied: applied(LOG, 1, 2) });
      h.step(2, { lastApplied: 1 }, { applied: applied(LOG, 1, 1) });
      h.step(2, { lastApplied: 2 }, { applied: applied(LOG, 2, 2) });
      return h;
    },
  },
  {
    name: 'a snapshot restored with a different digest at its index',
    invariant: 'state-machine-safety',
    build: () => {
      const h = new History();
      h.step(1, { lastApplied: 3 }, { applied: applied(LOG, 1, 3) });
      const s = snapshot(LOG, 3);
      const at = h.step(2, { lastApplied: 3 }, { restored: { index: 3, term: 1, digest: s.digest + 1 } });
      return { h, at };
    },
    expected: { invariant: 'state-machine-safety', nodes: [1, 2], index: 3 },
    mentions: ['node 2', 'snapshot', 'index 3', 'node 1'],
    correct: () => {
      const h = new History();
      h.step(1, { lastApplied: 3 }, { applied: applied(LOG, 1, 3) });
      h.step(2, { lastApplied: 3 }, { restored: { index: 3, term: 1, digest: snapshot(LOG, 3).digest } });
      return h;
    },
  },
  {
    name: 'a state machine moves backwards through `restored`',
    invariant: 'state-machine-safety',
    build: () => {
      const h = new History();
      h.step(1, { commitIndex: 3, lastApplied: 3 }, { applied: applied(LOG, 1, 3) });
      const s = snapshot(LOG, 2);
      const at = h.step(1, { lastApplied: 2 }, { restored: { index: 2, term: 1, digest: s.digest } });
      return { h, at };
    },
    expected: { invariant: 'state-machine-safety', nodes: [1], index: 2 },
    mentions: ['node 1', 'from index 3 to 2'],
    correct: () => {
      const h = new History();
      h.step(1, { commitIndex: 3, lastApplied: 3 }, { applied: applied(LOG, 1, 3) });
      // After a crash the state machine restarts from its snapshot: that is not going back.
      h.crash(1);
      h.step(1, { commitIndex: 2, lastApplied: 2 }, { restored: { index: 2, term: 1, digest: snapshot(LOG, 2).digest } });
      h.step(1, { commitIndex: 3, lastApplied: 3 }, { applied: applied(LOG, 3, 3) });
      // Moving forwards by snapshot is fine too.
      h.step(2, { lastApplied: 1 }, { applied: applied(LOG, 1, 1) });
      h.step(2, { lastApplied: 3 }, { restored: { index: 3, term: 1, digest: snapshot(LOG, 3).digest } });
      return h;
    },
  },
  {
    name: 'a leader commits on an acknowledgement whose entries are not yet synced',
    invariant: 'commit-durability',
    build: () => {
      const h = new History();
      h.elect(1, 1);
      h.step(1, {}, { write: { append: [e(1, 1)] } });
      // Node 2 writes the entry without an fsync and answers: the leader counts it.
      h.step(2, { term: 1, leaderId: 1 }, { writes: [{ append: [e(1, 1)], sync: false }] });
      const at = h.step(1, { commitIndex: 1 });
      return { h, at };
    },
    expected: { invariant: 'commit-durability', nodes: [1], index: 1, terms: [1] },
    mentions: ['node 1', 'index 1', 'only node 1', 'on disk'],
    correct: () => {
      const h = new History();
      h.elect(1, 1);
      h.step(1, {}, { write: { append: [e(1, 1)] } });
      h.step(2, { term: 1, leaderId: 1 }, { writes: [{ append: [e(1, 1)], sync: false }, { hardState: { term: 1, votedFor: 1 } }] }); // the next fsync covers it
      h.step(1, { commitIndex: 1 });
      return h;
    },
  },
  {
    name: 'a follower commits an entry that only it holds',
    invariant: 'commit-durability',
    build: () => {
      const h = new History();
      h.append(2, [e(1, 1), e(2, 1)]);
      h.append(3, [e(1, 1)]);
      const at = h.step(2, { commitIndex: 2 });
      return { h, at };
    },
    expected: { invariant: 'commit-durability', nodes: [2], index: 2, terms: [1] },
    mentions: ['node 2', 'index 2', 'term 1'],
    correct: () => {
      const h = new History();
      h.append(2, [e(1, 1), e(2, 1)]);
      h.append(3, [e(1, 1)]);
      h.step(2, { commitIndex: 1 });
      // A snapshot past the index counts as holding it.
      h.step(3, {}, { write: { snapshot: snapshot(LOG, 2) } });
      h.step(2, { commitIndex: 2 });
      return h;
    },
  },
];

describe('safety checkers on hand-built histories', () => {
  describe.each(CASES)('$invariant: $name', (c) => {
    it('reports the violation at the step that commits it', () => {
      const { h, at } = c.build();
      const out = all(h);
      expect(out.report).toMatchObject(c.expected);
      expect(out.at).toBe(at);
      expectSentence(out.report!.message, ...c.mentions);
    });

    it('the history breaks only this invariant', () => {
      expect(allBut(c.build().h, c.invariant).report).toBeNull();
    });

    it('passes the correct history of the same shape', () => {
      expect(all(c.correct())).toEqual({ report: null, at: null });
    });
  });

  it('covers every safety invariant with a violating and a correct history', () => {
    expect(new Set(CASES.map((c) => c.invariant))).toEqual(new Set(SAFETY_INVARIANTS));
  });
});

// ---- the individual classes, and exactness across compaction -------------------------------

describe('ElectionSafety alone', () => {
  it('remembers every term: a leader of term 1 is still known after terms 2..50', () => {
    const h = new History();
    h.elect(1, 1);
    for (let t = 2; t <= 50; t++) h.elect(((t - 1) % 3) + 1, t);
    h.role(1, 'follower', 50);
    h.role(2, 'leader', 1); // node 2 (leader of terms 2, 5, ...) now claims term 1
    const checker = new ElectionSafety();
    let report: Report | null = null;
    for (const ev of h.events) if (ev.kind === 'step') report ??= checker.check(ev.info);
    expect(report).toMatchObject({ invariant: 'election-safety', nodes: [1, 2], terms: [1] });
  });

  it('the same node leading a term again after a crash is one leader', () => {
    const h = new History();
    h.elect(1, 2);
    h.crash(1);
    h.role(1, 'leader', 2);
    expect(all(h).report).toBeNull();
  });
});

describe('LeaderAppendOnly and LogMatching over a LogMirror', () => {
  it('LeaderAppendOnly looks at the log before the write', () => {
    const logs = new LogMirror(3);
    logs.apply(1, { append: LOG }, () => null);
    const leader: Observation = { role: 'leader', term: 1, votedFor: 1, commitIndex: 0, lastApplied: 0, leaderId: 1 };
    const s = (w: DurableWrite): StepInfo => ({ node: 1, step: 0, time: 0, before: leader, after: leader, writes: [w], applied: [], restored: undefined });
    const check = new LeaderAppendOnly();
    const at = (w: DurableWrite) => check.check(s(w), w, logs);
    expect(at({ truncateFrom: 3 })).toMatchObject({ invariant: 'leader-append-only', index: 3 });
    expect(at({ truncateFrom: 4 })).toBeNull();
    expect(at({ append: [e(4, 1)] })).toBeNull();
  });

  it('LogMatching names the first index where the logs differ', () => {
    const logs = new LogMirror(3);
    const lm = new LogMatching();
    const reports: Report[] = [];
    logs.apply(1, { append: [e(1, 1), e(2, 1), e(3, 1), e(4, 2), e(5, 3), e(6, 3)] }, (i, t, hash) => lm.check(1, i, t, hash, logs));
    const r = logs.apply(2, { append: [e(1, 1), e(2, 1), e(3, 2), e(4, 2), e(5, 3)] }, (i, t, hash) => lm.check(2, i, t, hash, logs));
    if (r !== null) reports.push(r);
    expect(reports).toEqual([expect.objectContaining({ invariant: 'log-matching', nodes: [1, 2], index: 4, terms: [2] })]);
    expect(reports[0].message).toContain('at index 3');
  });
});

describe('checkers stay exact across compaction', () => {
  /** Node 1 leads term 1 and commits LOG; nodes 2 and 3 hold it in their own ways. */
  function committed(): History {
    const h = new History();
    h.elect(1, 1);
    h.step(1, {}, { write: { append: LOG } });
    h.append(2, LOG);
    h.step(1, { commitIndex: 3, lastApplied: 3 }, { applied: applied(LOG, 1, 3) });
    return h;
  }

  it('a log compared after a snapshot write: the base (index, term) is known, so the next entry matches', () => {
    const h = committed();
    h.step(3, { term: 1 }, { write: { snapshot: snapshot(LOG, 2) } });
    h.step(3, {}, { write: { append: [e(3, 1)] } });
    h.append(1, [e(4, 1)]);
    h.append(3, [e(4, 1)]);
    expect(all(h).report).toBeNull();
  });

  it('and an entry after the snapshot that really differs is still caught', () => {
    const h = committed();
    h.step(3, { term: 1 }, { write: { snapshot: snapshot(LOG, 2) } });
    const at = h.step(3, {}, { write: { append: [e(3, 1, 'forged')] } });
    const out = all(h);
    expect(out.report).toMatchObject({ invariant: 'log-matching', nodes: [1, 3], index: 3, terms: [1] });
    expect(out.at).toBe(at);
    expectSentence(out.report!.message, 'at index 3');
  });

  it('a snapshot that keeps the entries past it (log already longer) keeps comparing them', () => {
    const h = committed();
    h.step(2, { commitIndex: 3, lastApplied: 3 }, { applied: applied(LOG, 1, 3) });
    h.step(2, {}, { write: { snapshot: snapshot(LOG, 2) } }); // index 3 stays in node 2's log
    h.append(2, [e(4, 1)]);
    h.append(1, [e(4, 1)]);
    expect(all(h).report).toBeNull();
  });

  it.each([
    ['exactly at the committed index', 3],
    ['past the committed index', 4],
  ])('a leader whose snapshot covers a committed index is not flagged for it (%s)', (_label, at) => {
    const h = committed();
    const log = [...LOG, e(4, 1)];
    if (at === 4) h.append(1, [e(4, 1)]);
    h.step(3, { term: 1 }, { write: { snapshot: snapshot(log, at) }, restored: { index: at, term: 1, digest: digestAfter(log, at) } });
    h.role(1, 'follower', 2);
    h.elect(3, 2);
    expect(all(h).report).toBeNull();
  });

  it('while a leader that lacks it (no snapshot) is flagged', () => {
    const h = committed();
    h.role(1, 'follower', 2);
    const at = h.elect(3, 2);
    expect(all(h)).toMatchObject({ at, report: { invariant: 'leader-completeness', nodes: [3, 1], index: 3, terms: [1, 2] } });
  });

  it('a leader holding a different entry at the committed index is flagged with that wording', () => {
    const h = committed();
    h.append(3, [e(1, 1), e(2, 1), e(3, 2, 'other')]);
    h.role(1, 'follower', 3);
    h.elect(3, 3);
    const lc = feed(h, new SafetyChecker(NODES, new Set(['leader-completeness'])));
    expect(lc.report).toMatchObject({ invariant: 'leader-completeness', nodes: [3, 1], index: 3, terms: [1, 3] });
    expectSentence(lc.report!.message, 'holds a different entry at index 3');
  });

  it('state machine safety: a node restored from a snapshot is not flagged for indexes it never applied', () => {
    const h = committed();
    const log = [...LOG, e(4, 2)];
    h.step(3, { lastApplied: 3 }, { restored: { index: 3, term: 1, digest: digestAfter(log, 3) } });
    h.step(3, { lastApplied: 4 }, { applied: applied(log, 4, 4) });
    h.step(1, { lastApplied: 4 }, { applied: applied(log, 4, 4) });
    expect(all(h).report).toBeNull();
    const sms = new StateMachineSafety();
    for (const ev of h.events) if (ev.kind === 'step') expect(sms.check(ev.info)).toBeNull();
  });

  it('a crash resets what a node has seen committed, without false reports on its restart', () => {
    const h = committed();
    h.crash(1);
    h.step(1, { role: 'follower', term: 1, commitIndex: 0, lastApplied: 0 });
    h.step(1, { commitIndex: 3, lastApplied: 3 }, { applied: applied(LOG, 1, 3) });
    h.append(3, LOG);
    h.elect(3, 2);
    expect(all(h).report).toBeNull();
  });
});

describe('LeaderCompleteness alone', () => {
  it('checks every live later-term leader when an earlier-term commit lands', () => {
    const logs = new LogMirror(3);
    const lc = new LeaderCompleteness(3);
    logs.apply(1, { append: [e(1, 1)] }, () => null);
    logs.apply(2, { append: [e(1, 1)] }, () => null);
    const obs = (role: Role, term: number, commitIndex: number): Observation => ({ role, term, votedFor: null, commitIndex, lastApplied: 0, leaderId: null });
    const leaders = [null, 1, 3, 4];
    const s: StepInfo = { node: 1, step: 7, time: 70, before: obs('leader', 1, 0), after: obs('leader', 1, 1), writes: [], applied: [], restored: undefined };
    expect(lc.check(s, logs, leaders)).toMatchObject({ invariant: 'leader-completeness', nodes: [3, 1], index: 1, terms: [1, 4] });
  });
});

describe('log-matching wording when the first holder no longer holds the entry', () => {
  // Regression: the message named a node twice, or claimed the logs differ before the index
  // when they differ at it.
  const f: Observation = { role: 'follower', term: 1, votedFor: null, commitIndex: 0, lastApplied: 0, leaderId: null };
  const s = (node: NodeId, step: number, write: DurableWrite): StepInfo => ({ node, step, time: step, before: f, after: f, writes: [write], applied: [], restored: undefined });

  it('one node replacing its own entry: no "node 1 and node 1", no false "before it"', () => {
    const c = new SafetyChecker(3);
    expect(c.onStep(s(1, 0, { append: [e(1, 1), e(2, 1)] }))).toBeNull();
    const r = c.onStep(s(1, 1, { truncateFrom: 2, append: [e(2, 1, 'x')] }));
    expect(r).toMatchObject({ invariant: 'log-matching', nodes: [1], index: 2 });
    expect(r!.message).not.toMatch(/node (\d+) and node \1\b/);
    expect(r!.message).not.toMatch(/differ before it/);
  });

  it('first holder truncated since: the message does not claim the logs differ before index 2', () => {
    const c = new SafetyChecker(3);
    c.onStep(s(1, 0, { append: [e(1, 1), e(2, 1)] }));
    c.onStep(s(1, 1, { truncateFrom: 2 }));
    const r = c.onStep(s(2, 2, { append: [e(1, 1), e(2, 1, 'x')] }));
    expect(r).toMatchObject({ invariant: 'log-matching', nodes: [1, 2], index: 2 });
    expect(r!.message).not.toMatch(/differ before it/);
  });
});

describe('commit-durability and the log mirror after lost writes', () => {
  const lostEntry = (): History => {
    const h = new History();
    h.elect(1, 1);
    h.step(1, {}, { write: { append: [e(1, 1)] } });
    h.step(2, { term: 1, leaderId: 1 }, { writes: [{ append: [e(1, 1)], sync: false }] });
    return h;
  };

  it('a crash that loses the unsynced entry leaves the leader short of a durable majority', () => {
    const h = lostEntry();
    h.crash(2, { lost: true, stored: { hardState: { term: 1, votedFor: null }, snapshot: null, log: [] } });
    const at = h.step(1, { commitIndex: 1 });
    expect(all(h)).toMatchObject({ at, report: { invariant: 'commit-durability', index: 1 } });
  });

  it('a crash that keeps it (nothing lost) makes it durable', () => {
    const h = lostEntry();
    h.crash(2, { lost: false, stored: { hardState: { term: 1, votedFor: null }, snapshot: null, log: [e(1, 1)] } });
    h.step(1, { commitIndex: 1 });
    expect(all(h).report).toBeNull();
  });

  it('after a loss the mirror holds what survived: a different entry at the lost index is no log-matching violation', () => {
    const h = new History();
    h.append(1, [e(1, 1)]);
    h.step(2, {}, { writes: [{ append: [e(1, 1)] }, { append: [e(2, 1, 'lost')], sync: false }] });
    h.crash(2, { lost: true, stored: { hardState: { term: 1, votedFor: null }, snapshot: null, log: [e(1, 1)] } });
    h.append(2, [e(2, 2, 'new')]);
    h.append(1, [e(2, 2, 'new')]);
    expect(all(h).report).toBeNull();
  });

  it('but entries written after the loss are still compared', () => {
    const h = new History();
    h.append(1, [e(1, 1), e(2, 1)]);
    h.step(2, {}, { writes: [{ append: [e(1, 1)] }, { append: [e(2, 1)], sync: false }] });
    h.crash(2, { lost: true, stored: { hardState: { term: 1, votedFor: null }, snapshot: null, log: [e(1, 1)] } });
    const at = h.append(2, [e(2, 1, 'forged')]);
    expect(all(h)).toMatchObject({ at, report: { invariant: 'log-matching', nodes: [1, 2], index: 2 } });
  });
});

describe('log mirror: an entry appended, committed and compacted in one input (issue 13 part 3)', () => {
  /** Node 1 writes only a snapshot through (2, 1): nobody has written index 2 yet (commit-durability is off: only the mirror is under test). */
  const compactedAtOnce = (): History => {
    const h = new History();
    h.append(1, [e(1, 1)]);
    h.step(1, { commitIndex: 2, lastApplied: 2 }, { write: { snapshot: snapshot(LOG, 2) }, applied: applied(LOG, 2, 2) });
    h.append(1, [e(3, 1)]);
    return h;
  };

  it('identical logs are not reported as a log-matching violation', () => {
    const h = compactedAtOnce();
    h.append(2, [e(1, 1), e(2, 1), e(3, 1)]);
    h.append(2, [e(4, 1)]);
    h.append(1, [e(4, 1)]);
    expect(allBut(h, 'commit-durability').report).toBeNull();
  });

  it('a leader built on that snapshot is not flagged for lacking what it holds', () => {
    const h = compactedAtOnce();
    h.append(2, [e(1, 1), e(2, 1), e(3, 1)]);
    h.append(3, [e(1, 1), e(2, 1), e(3, 1)]);
    h.step(2, { commitIndex: 3 });
    h.elect(1, 2);
    expect(allBut(h, 'commit-durability').report).toBeNull();
  });

  it('once another node writes the entry, a real difference after the snapshot is caught', () => {
    const h = compactedAtOnce();
    h.append(2, [e(1, 1), e(2, 1), e(3, 1)]);
    const at = h.append(1, [e(4, 1, 'x')]);
    h.append(2, [e(4, 1, 'y')]);
    const out = allBut(h, 'commit-durability');
    expect(out.report).toMatchObject({ invariant: 'log-matching', nodes: [1, 2], index: 4 });
    expect(out.at).toBe(at + 1);
  });
});
