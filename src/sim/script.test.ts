import { describe, expect, it } from 'vitest';
import { runChecked } from '../check/run.js';
import { explore } from '../explore/explore.js';
import { coreFactory } from '../raft/index.js';
import type { Message, NodeFactory, Output } from '../raft/types.js';
import type { TraceEvent } from './events.js';
import { DEFAULT_TIMING, type Schedule } from './schedule.js';
import { scriptFromEvents, type ScriptStep } from './script.js';

const RV1 = 'RequestVote t1 last=0/t0';
const GRANT1 = 'RequestVoteReply t1 granted';

function scripted(nodes: number, script: ScriptStep[]): Schedule {
  return {
    nodes,
    timing: DEFAULT_TIMING,
    network: { delayMinMs: 1, delayMaxMs: 1, dropPerMille: 0, dupPerMille: 0, slowPerMille: 0, slowMaxMs: 0 },
    net: { seed: null, choices: [] },
    drift: Array.from({ length: nodes }, () => 1000),
    faults: [],
    proposals: [],
    durationMs: 0,
    livenessWindowMs: 0,
    snapshotThreshold: 0,
    seed: 1,
    script,
  };
}

const kinds = (events: readonly TraceEvent[] | null) => events!.map((e) => `${e.kind} ${e.node}${e.from === undefined ? '' : `<-${e.from}`}`);

describe('scripted runs', () => {
  it('do only what the steps say, in their order, with messages waiting in flight', () => {
    const r = runChecked(coreFactory(null), scripted(3, [
      { t: 10, do: 'tick', node: 1 },
      { t: 11, do: 'deliver', from: 1, to: 2, msg: RV1 },
      { t: 12, do: 'deliver', from: 2, to: 1, msg: GRANT1 },
    ]), { record: true });
    expect(r.finding).toBeNull();
    expect(kinds(r.events).slice(3)).toEqual(['timer 1', 'deliver 2<-1', 'deliver 1<-2']);
    expect(r.events!.at(-1)!.state?.role).toBe('leader');
    expect(r.events!.map((e) => e.t)).toEqual([0, 0, 0, 10, 11, 12]);
    expect(r.script).toEqual({ skipped: [], stoppedAt: null });
  });

  it('skip a step with nothing to do: no such message, a tick of a node down, a restart of a node up', () => {
    const r = runChecked(coreFactory(null), scripted(3, [
      { t: 1, do: 'deliver', from: 1, to: 2, msg: RV1 },
      { t: 2, do: 'crash', node: 3 },
      { t: 3, do: 'tick', node: 3 },
      { t: 4, do: 'restart', node: 2 },
      { t: 5, do: 'tick', node: 1 },
      { t: 6, do: 'drop', from: 1, to: 2, msg: RV1 },
      { t: 7, do: 'deliver', from: 1, to: 2, msg: RV1 },
      { t: 8, do: 'restart', node: 3 },
    ]), { record: true });
    expect(r.script?.skipped).toEqual([0, 2, 3, 6]);
    expect(kinds(r.events).slice(3)).toEqual(['crash 3', 'timer 1', 'drop 2<-1', 'restart 3']);
  });

  it('deliver a duplicated message twice', () => {
    const r = runChecked(coreFactory(null), scripted(3, [
      { t: 1, do: 'tick', node: 1 },
      { t: 2, do: 'duplicate', from: 1, to: 2, msg: RV1 },
      { t: 3, do: 'deliver', from: 1, to: 2, msg: RV1 },
      { t: 4, do: 'deliver', from: 1, to: 2, msg: RV1 },
      { t: 5, do: 'deliver', from: 1, to: 2, msg: RV1 },
    ]), { record: true });
    expect(r.script?.skipped).toEqual([4]);
    expect(r.stats.delivered).toBe(2);
  });

  it('end at the step that breaks an invariant, and the correct core passes the same script', () => {
    // Node 2 votes for 1 and then for 3 in the same term: two leaders with double-vote.
    const script: ScriptStep[] = [
      { t: 1, do: 'tick', node: 1 },
      { t: 1, do: 'tick', node: 3 },
      { t: 2, do: 'deliver', from: 1, to: 2, msg: RV1 },
      { t: 3, do: 'deliver', from: 3, to: 2, msg: RV1 },
      { t: 4, do: 'deliver', from: 2, to: 1, msg: GRANT1 },
      { t: 5, do: 'deliver', from: 2, to: 3, msg: GRANT1 },
      { t: 6, do: 'tick', node: 2 },
    ];
    const bad = runChecked(coreFactory('double-vote'), scripted(3, script));
    expect(bad.finding?.invariant).toBe('election-safety');
    expect(bad.script?.stoppedAt).toBe(5);
    const good = runChecked(coreFactory(null), scripted(3, script), { record: true });
    expect(good.finding).toBeNull();
    // No grant from 2 to 3 here: the step takes the reply that is in flight, a refusal.
    expect(good.script?.skipped).toEqual([]);
    expect(good.events!.find((e) => e.kind === 'deliver' && e.node === 3)?.msg).toBe('RequestVoteReply t1 refused');
  });

  it('take a message of the same type when none has the summary, and an exact one first', () => {
    const r = runChecked(coreFactory(null), scripted(3, [
      { t: 1, do: 'tick', node: 1 },
      { t: 2, do: 'deliver', from: 1, to: 2, msg: 'RequestVote t7 last=3/t2' },
      { t: 3, do: 'deliver', from: 1, to: 2, msg: 'AppendEntries t1 prev=0/t0 heartbeat commit=0' },
      { t: 4, do: 'deliver', from: 2, to: 1, msg: GRANT1 },
      { t: 5, do: 'tick', node: 1 },
      { t: 6, do: 'tick', node: 1 },
      { t: 7, do: 'deliver', from: 1, to: 3, msg: 'AppendEntries t1 prev=0/t0 heartbeat commit=0' },
    ]), { record: true });
    expect(r.script?.skipped).toEqual([2]);
    const delivered = r.events!.filter((e) => e.kind === 'deliver').map((e) => `${e.from}->${e.node} ${e.msg}`);
    expect(delivered).toEqual(['1->2 ' + RV1, '2->1 ' + GRANT1, '1->3 AppendEntries t1 prev=0/t0 heartbeat commit=0']);
  });
});

/** A user-style implementation: our core behind message types of its own, which describe.ts knows nothing of. */
function renamedTypes(bug: Parameters<typeof coreFactory>[0]): NodeFactory {
  const inner = coreFactory(bug);
  const wrap = (o: Output): Output => ({ ...o, messages: o.messages.map((m) => ({ ...m, type: `My${m.type}` })) });
  return {
    ...inner,
    create: (init) => {
      const n = inner.create(init);
      return {
        start: () => wrap(n.start()),
        tick: () => wrap(n.tick()),
        propose: (c) => wrap(n.propose(c)),
        receive: (m: Message) => wrap(n.receive({ ...m, type: m.type.slice(2) })),
        observe: () => n.observe(),
      };
    },
  };
}

describe('scriptFromEvents', () => {
  it('repeats the run of an implementation with message types of its own', () => {
    const factory = renamedTypes('double-vote');
    const found = explore({ factory, implementation: { name: 'renamed', bug: null, module: null }, iterations: 500, seed: 2, nodes: 5, shrinkTimeMs: 0 });
    const timed = runChecked(factory, found.failure!.schedule, { record: true });
    expect(timed.events!.find((e) => e.kind === 'deliver')?.msg).toMatch(/^MyRequestVote t1 lastLogIndex=0 lastLogTerm=0 #[0-9a-f]{6}$/);
    const again = runChecked(factory, { ...found.failure!.schedule, script: scriptFromEvents(timed.events!) }, { record: true });
    expect(again.finding?.message).toBe(timed.finding!.message);
    expect(again.stats.delivered).toBe(timed.stats.delivered);
  });

  it('turns a failing timed run into a script that repeats it event for event', () => {
    const found = explore({ factory: coreFactory('commit-previous-term'), implementation: { name: 'core', bug: 'commit-previous-term', module: null }, iterations: 2000, seed: 1, nodes: 5, shrinkTimeMs: 0 });
    const timed = runChecked(coreFactory('commit-previous-term'), found.failure!.schedule, { record: true });
    const again = runChecked(coreFactory('commit-previous-term'), { ...found.failure!.schedule, script: scriptFromEvents(timed.events!) }, { record: true });
    expect(again.finding?.invariant).toBe(timed.finding!.invariant);
    expect(again.finding?.message).toBe(timed.finding!.message);
    // Partitions, heals and the phase change are not steps: their effect is in the drops and
    // restarts. Crash notes lose the restart time.
    const story = (events: readonly TraceEvent[] | null) =>
      events!.filter((e) => e.kind !== 'partition' && e.kind !== 'heal' && e.kind !== 'phase').map(({ step: _, note: __, ...rest }) => rest);
    expect(story(again.events)).toEqual(story(timed.events));
  });
});

describe('crash steps carry what the crash lost', () => {
  it('a recorded crash becomes a step that loses the same parts of the same unsynced writes', () => {
    const crash = (lost?: readonly [number, number]): TraceEvent => ({ step: 0, t: 5, kind: 'crash', node: 2, note: 'down for 9 ms (after its ack)', ...(lost === undefined ? {} : { lost }) });
    expect(scriptFromEvents([crash()])).toEqual([{ t: 5, do: 'crash', node: 2, note: 'after its ack' }]);
    expect(scriptFromEvents([crash([2, 2])])).toEqual([{ t: 5, do: 'crash', node: 2, note: 'after its ack' }]);
    expect(scriptFromEvents([crash([2, 0])])).toEqual([{ t: 5, do: 'crash', node: 2, note: 'after its ack', loss: 'unsynced' }]);
    expect(scriptFromEvents([crash([3, 1])])).toEqual([{ t: 5, do: 'crash', node: 2, note: 'after its ack', loss: 'torn', keep: 1 }]);
  });
});

describe('a script with a liveness window', () => {
  it('heals after its last step and runs the window by time: a correct cluster elects and commits the probe', () => {
    // Node 1 crashes and nobody has ticked: after the script the window must do it all.
    const s: Schedule = { ...scripted(3, [{ t: 5, do: 'crash', node: 1 }]), livenessWindowMs: 3000 };
    const r = runChecked(coreFactory(null), s, { record: true });
    expect(r.finding).toBeNull();
    expect(r.stats.committedProbe).toBe(true);
    const phase = r.events!.findIndex((e) => e.kind === 'phase');
    expect(phase).toBeGreaterThan(0);
    expect(r.events!.slice(phase).some((e) => e.kind === 'restart' && e.node === 1)).toBe(true);
    expect(r.script).toEqual({ skipped: [], stoppedAt: null });
  });
});
