import type { TraceEvent } from '../sim/events.js';
import type { TraceFile } from '../trace/format.js';

/**
 * A small hand-written trace for the UI tests: three nodes; n1 is elected in term 1 and
 * commits c1 at index 2, compacts index 1 into a snapshot, and is isolated; n3 crashes and
 * restarts; n2 wins term 2 and hands n3 a different entry (c9) at index 2, which n3 applies:
 * state-machine-safety at index 2. Written by hand so the tests do not depend on the core or
 * on committed trace files.
 */
type Ev = Omit<TraceEvent, 'step'>;

const F = (term: number, vote: number | null, commit = 0, applied = 0) => ({ role: 'follower' as const, term, vote, commit, applied });
const C = (term: number, id: number) => ({ role: 'candidate' as const, term, vote: id, commit: 0, applied: 0 });
const L = (term: number, id: number, commit = 0, applied = commit) => ({ role: 'leader' as const, term, vote: id, commit, applied });

const isolate1: [number, number][] = [
  [1, 2],
  [2, 1],
  [1, 3],
  [3, 1],
];

const events: Ev[] = [
  { t: 0, kind: 'start', node: 1, state: F(0, null) },
  { t: 0, kind: 'start', node: 2, state: F(0, null) },
  { t: 0, kind: 'start', node: 3, state: F(0, null) },
  { t: 150, kind: 'timer', node: 1, state: C(1, 1) },
  { t: 152, kind: 'deliver', node: 2, from: 1, msg: 'RequestVote t1 last=0/t0', state: F(1, 1) },
  { t: 154, kind: 'deliver', node: 1, from: 2, msg: 'RequestVoteReply t1 granted', state: L(1, 1), log: { app: [[1, 1, null]] } },
  { t: 160, kind: 'propose', node: 1, note: 'c1', state: L(1, 1), log: { app: [[2, 1, 'c1']] } },
  { t: 162, kind: 'deliver', node: 2, from: 1, msg: 'AppendEntries t1 prev=0/t0 [1..2] commit=0', state: F(1, 1), log: { app: [[1, 1, null], [2, 1, 'c1']] } },
  { t: 163, kind: 'drop', node: 3, from: 1, msg: 'AppendEntries t1 prev=0/t0 [1..2] commit=0', note: 'lost' },
  { t: 164, kind: 'deliver', node: 1, from: 2, msg: 'AppendEntriesReply t1 ok match=2', state: L(1, 1, 2, 2) },
  { t: 164, kind: 'apply', node: 1, apply: [1, 2, 0xbeef] },
  { t: 200, kind: 'timer', node: 1, state: L(1, 1, 2, 2), log: { snap: [1, 1] } },
  { t: 210, kind: 'partition', node: 0, links: isolate1, note: 'isolate 1' },
  { t: 220, kind: 'crash', node: 3, note: 'down for 30 ms' },
  { t: 250, kind: 'restart', node: 3, state: F(0, null) },
  { t: 400, kind: 'timer', node: 2, state: C(2, 2) },
  { t: 402, kind: 'deliver', node: 3, from: 2, msg: 'RequestVote t2 last=2/t1', state: F(2, 2) },
  { t: 404, kind: 'deliver', node: 2, from: 3, msg: 'RequestVoteReply t2 granted', state: L(2, 2, 0, 0), log: { trunc: 2, app: [[2, 2, 'c9'], [3, 2, null]] } },
  { t: 410, kind: 'heal', node: 0, links: isolate1 },
  { t: 412, kind: 'deliver', node: 3, from: 2, msg: 'AppendEntries t2 prev=0/t0 [1..3] commit=2', state: F(2, 2, 2, 2), log: { app: [[1, 1, null], [2, 2, 'c9'], [3, 2, null]] } },
  { t: 412, kind: 'apply', node: 3, apply: [1, 2, 0xdead] },
];

export const FIXTURE_EVENTS: readonly TraceEvent[] = events.map((e, step) => ({ step, ...e }));

export const VIOLATION_STEP = FIXTURE_EVENTS.length - 1;

export function fixtureTrace(): TraceFile {
  return {
    format: 'raft-check-trace',
    version: 1,
    tool: 'raft-check test',
    implementation: { name: 'raft-check core', bug: 'commit-previous-term', module: null },
    profile: 'chaos',
    seed: 42,
    path: null,
    schedule: {
      nodes: 3,
      timing: { electionTimeoutMinMs: 150, electionTimeoutMaxMs: 300, heartbeatMs: 50 },
      network: { delayMinMs: 1, delayMaxMs: 5, dropPerMille: 0, dupPerMille: 0, slowPerMille: 0, slowMaxMs: 0 },
      net: { seed: 1, choices: [] },
      drift: [1000, 1000, 1000],
      faults: [],
      proposals: [160],
      durationMs: 500,
      livenessWindowMs: 1000,
      snapshotThreshold: 0,
      seed: 42,
    },
    violation: {
      invariant: 'state-machine-safety',
      kind: 'safety',
      step: VIOLATION_STEP,
      time: 412,
      nodes: [1, 3],
      index: 2,
      terms: [2],
      message: 'node 3 applied c9 at index 2, but node 1 applied c1 there',
    },
    shrink: null,
    events: FIXTURE_EVENTS as TraceFile['events'],
  };
}

/** A trace with `nodes` nodes that only start and elect n1, for layout tests of wide clusters. */
export function wideTrace(nodes: number): TraceFile {
  const base = fixtureTrace();
  const ev: Ev[] = [];
  for (let id = 1; id <= nodes; id++) ev.push({ t: 0, kind: 'start', node: id, state: F(0, null) });
  ev.push({ t: 150, kind: 'timer', node: 1, state: L(1, 1), log: { app: Array.from({ length: 40 }, (_, k) => [k + 1, 1 + (k >> 3), `c${k}`] as const) } });
  return {
    ...base,
    schedule: { ...base.schedule, nodes, drift: new Array<number>(nodes).fill(1000) },
    violation: null,
    events: ev.map((e, step) => ({ step, ...e })) as TraceFile['events'],
  };
}
