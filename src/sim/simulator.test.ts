/**
 * The simulator: determinism (in one process and across processes), independent random
 * streams, the network's fate of in-flight messages, crashes and storage, timer drift, and the
 * findings a misbehaving implementation gets (liveness, implementation errors, message storms).
 * Small hand-made NodeFactory fakes stand in for Raft wherever the core would hide the point.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runChecked } from '../check/run.js';
import { coreFactory } from '../raft/index.js';
import { CONTRACT_VERSION, type Applied, type Command, type Entry, type Message, type NodeFactory, type NodeId, type NodeInit, type Observation, type Output, type RaftNode, type StoredState } from '../raft/types.js';
import { serializeTrace } from '../trace/io.js';
import { toTrace } from '../trace/record.js';
import type { TraceEvent } from './events.js';
import { DEFAULT_TIMING, PROFILES, scheduleFromSeed, type NetworkKnobs, type Profile, type Schedule } from './schedule.js';
import { Simulator, runSimulation } from './simulator.js';

// ---- fakes ---------------------------------------------------------------------------------

const NOTHING: Output = { messages: [], applied: [] };

/** A node that does nothing unless told to; `on` overrides any input. */
interface FakeSpec {
  start?: (self: Fake) => Output;
  tick?: (self: Fake) => Output;
  receive?: (self: Fake, m: Message) => Output;
  propose?: (self: Fake, c: Command) => Output;
  observe?: (self: Fake) => Observation;
}

class Fake implements RaftNode {
  obs: Observation = { role: 'follower', term: 0, votedFor: null, commitIndex: 0, lastApplied: 0, leaderId: null };
  constructor(
    readonly init: NodeInit,
    private readonly spec: FakeSpec,
  ) {}
  get id(): NodeId {
    return this.init.id;
  }
  start(): Output {
    return this.spec.start === undefined ? NOTHING : this.spec.start(this);
  }
  tick(): Output {
    return this.spec.tick === undefined ? NOTHING : this.spec.tick(this);
  }
  receive(m: Message): Output {
    return this.spec.receive === undefined ? NOTHING : this.spec.receive(this, m);
  }
  propose(c: Command): Output {
    return this.spec.propose === undefined ? { ...NOTHING, proposal: { accepted: false, leaderHint: null } } : this.spec.propose(this, c);
  }
  observe(): Observation {
    return this.spec.observe === undefined ? this.obs : this.spec.observe(this);
  }
}

function fake(spec: (init: NodeInit) => FakeSpec, boots?: { id: NodeId; stored: StoredState | null }[]): NodeFactory {
  return {
    contractVersion: CONTRACT_VERSION,
    name: 'fake',
    create: (init) => {
      boots?.push({ id: init.id, stored: init.stored });
      return new Fake(init, spec(init));
    },
  };
}

const FIXED_DELAY = (ms: number): NetworkKnobs => ({ delayMinMs: ms, delayMaxMs: ms, dropPerMille: 0, dupPerMille: 0, slowPerMille: 0, slowMaxMs: 0 });

function schedule(over: Partial<Schedule> = {}): Schedule {
  const nodes = over.nodes ?? 3;
  return {
    nodes,
    timing: DEFAULT_TIMING,
    network: FIXED_DELAY(10),
    net: { seed: null, choices: [] },
    drift: Array.from({ length: nodes }, () => 1000),
    faults: [],
    proposals: [],
    durationMs: 1000,
    livenessWindowMs: 1000,
    snapshotThreshold: 0,
    seed: 1,
    ...over,
  };
}

const entry = (index: number, term: number): Entry => ({ index, term, command: { id: `c${index}`, key: 'k', value: 'v' } });
const eventsOf = (events: readonly TraceEvent[] | null, kind: TraceEvent['kind'], node?: NodeId): TraceEvent[] =>
  (events ?? []).filter((e) => e.kind === kind && (node === undefined || e.node === node));

// ---- determinism ---------------------------------------------------------------------------

const META = { implementation: { name: 'raft-check core', bug: null, module: null }, profile: 'chaos', seed: 0, path: null };

function recordedText(seed: number): string {
  const s = scheduleFromSeed(seed, { nodes: 5, profile: PROFILES.chaos });
  const run = runChecked(coreFactory(null), s, { record: true });
  return serializeTrace(toTrace({ ...META, seed }, s, run));
}

const sha = (text: string): string => createHash('sha256').update(text).digest('hex');

describe('determinism', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'raft-check-det-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('one seed gives byte-identical traces; another seed differs', () => {
    const a = recordedText(1234);
    const b = recordedText(1234);
    const c = recordedText(1235);
    expect(a.length).toBeGreaterThan(10_000);
    expect(b).toBe(a);
    expect(c).not.toBe(a);
  });

  it('and the same bytes in another process', () => {
    const src = (p: string): string => pathToFileURL(resolve(import.meta.dirname, '..', p)).href;
    const script = join(tmp, 'hash.ts');
    writeFileSync(
      script,
      [
        `import { createHash } from 'node:crypto';`,
        `import { runChecked } from ${JSON.stringify(src('check/run.ts'))};`,
        `import { coreFactory } from ${JSON.stringify(src('raft/index.ts'))};`,
        `import { PROFILES, scheduleFromSeed } from ${JSON.stringify(src('sim/schedule.ts'))};`,
        `import { serializeTrace } from ${JSON.stringify(src('trace/io.ts'))};`,
        `import { toTrace } from ${JSON.stringify(src('trace/record.ts'))};`,
        `const seed = 1234;`,
        `const s = scheduleFromSeed(seed, { nodes: 5, profile: PROFILES.chaos });`,
        `const run = runChecked(coreFactory(null), s, { record: true });`,
        `const text = serializeTrace(toTrace({ ...${JSON.stringify(META)}, seed }, s, run));`,
        `process.stdout.write(createHash('sha256').update(text).digest('hex'));`,
      ].join('\n'),
    );
    const out = execFileSync('npx', ['tsx', script], { cwd: resolve(import.meta.dirname, '../..'), encoding: 'utf8', timeout: 30_000 });
    expect(out.trim()).toBe(sha(recordedText(1234)));
  });
});

// ---- streams -------------------------------------------------------------------------------

describe('scheduleFromSeed: one stream per purpose', () => {
  const base = PROFILES.chaos;
  const knobs: [string, Profile][] = [
    ['no crashes', { ...base, crashes: 0 }],
    ['more crashes', { ...base, crashes: 7 }],
    ['no partitions', { ...base, partitions: 0 }],
    ['more cuts', { ...base, cuts: 5 }],
    ['no isolations', { ...base, isolations: 0 }],
    ['a lossier network', { ...base, network: { ...base.network, dropPerMille: 300, dupPerMille: 0 } }],
  ];

  it.each(knobs)('%s: net seed, timer seed, proposals and drift stay put', (_label, profile) => {
    let faultsChanged = 0;
    for (let seed = 1; seed <= 25; seed++) {
      const a = scheduleFromSeed(seed, { nodes: 5, profile: base });
      const b = scheduleFromSeed(seed, { nodes: 5, profile });
      expect(b.net).toEqual(a.net);
      expect(b.seed).toBe(a.seed);
      expect(b.proposals).toEqual(a.proposals);
      expect(b.drift).toEqual(a.drift);
      expect(b.snapshotThreshold).toBe(a.snapshotThreshold);
      if (JSON.stringify(a.faults) !== JSON.stringify(b.faults)) faultsChanged++;
    }
    if (profile.network === base.network) expect(faultsChanged).toBe(25);
    else expect(faultsChanged).toBe(0); // the network knob leaves the faults alone too
  });

  it('drift has its own stream too: changing it moves nothing else', () => {
    const a = scheduleFromSeed(9, { nodes: 5, profile: base });
    const b = scheduleFromSeed(9, { nodes: 5, profile: { ...base, maxDrift: 10 } });
    expect(b.drift).not.toEqual(a.drift);
    expect({ ...b, drift: null }).toEqual({ ...a, drift: null });
  });

  it('every schedule part is within its profile', () => {
    for (let seed = 1; seed <= 50; seed++) {
      const s = scheduleFromSeed(seed, { nodes: 5, profile: base });
      expect(s.faults).toHaveLength(base.crashes + base.partitions + base.isolations + base.cuts);
      expect(s.drift.every((d) => d >= 900 && d <= 1100)).toBe(true);
      expect(s.proposals.every((t) => t >= 0 && t < s.durationMs)).toBe(true);
      expect([...s.faults].map((f) => f.at)).toEqual([...s.faults].map((f) => f.at).sort((x, y) => x - y));
    }
  });
});

// ---- network, crashes, drift ----------------------------------------------------------------

describe('messages in flight', () => {
  /** Node 1 sends one Ping to node 2 at time 0; it takes 50 ms. */
  const pinger = (): NodeFactory => fake((init) => ({ start: () => ({ ...NOTHING, messages: init.id === 1 ? [{ type: 'Ping', from: 1, to: 2 }] : [] }) }));

  it.each<[string, Schedule['faults'], 'deliver' | 'cut']>([
    ['no fault', [], 'deliver'],
    ['a cut 1 -> 2 that heals before arrival', [{ at: 10, kind: 'cut', from: 1, to: 2, durationMs: 5 }], 'cut'],
    ['isolating node 2 for 5 ms mid-flight', [{ at: 10, kind: 'isolate', node: 2, durationMs: 5 }], 'cut'],
    ['a partition {1} | rest mid-flight', [{ at: 20, kind: 'partition', side: [1], durationMs: 5 }], 'cut'],
    ['a cut the other way (2 -> 1)', [{ at: 10, kind: 'cut', from: 2, to: 1, durationMs: 500 }], 'deliver'],
    ['a partition that leaves 1 and 2 together', [{ at: 10, kind: 'partition', side: [3], durationMs: 500 }], 'deliver'],
    ['a cut after arrival', [{ at: 60, kind: 'cut', from: 1, to: 2, durationMs: 500 }], 'deliver'],
  ])('%s: %s', (_label, faults, fate) => {
    const run = runSimulation({ factory: pinger(), schedule: schedule({ network: FIXED_DELAY(50), faults }), record: true });
    const pings = (run.events ?? []).filter((e) => e.from === 1 && e.node === 2 && e.msg?.startsWith('Ping #') === true);
    expect(pings).toHaveLength(1);
    expect(pings[0]).toMatchObject(fate === 'deliver' ? { kind: 'deliver', t: 50 } : { kind: 'drop', t: 50, note: 'cut' });
  });

  it('a message to a crashed node is dropped as down', () => {
    const run = runSimulation({
      factory: pinger(),
      schedule: schedule({ network: FIXED_DELAY(50), faults: [{ at: 10, kind: 'crash', node: 2, downMs: 100 }] }),
      record: true,
    });
    expect(eventsOf(run.events, 'drop', 2)).toEqual([expect.objectContaining({ t: 50, from: 1, note: 'down' })]);
  });

  it('choices decode per message: a dropped first message, then on time', () => {
    const twoPings = fake((init) => ({
      start: () => ({ ...NOTHING, messages: init.id === 1 ? [{ type: 'Ping', from: 1, to: 2 }, { type: 'Ping', from: 1, to: 3 }] : [] }),
    }));
    const network: NetworkKnobs = { ...FIXED_DELAY(7), dropPerMille: 100 };
    const run = runSimulation({ factory: twoPings, schedule: schedule({ network, net: { seed: null, choices: [9999] } }), record: true });
    expect(eventsOf(run.events, 'drop', 2)).toEqual([expect.objectContaining({ t: 0, note: 'lost' })]);
    expect(eventsOf(run.events, 'deliver', 3)).toEqual([expect.objectContaining({ t: 7, from: 1 })]);
  });
});

describe('crash and storage', () => {
  /**
   * On first boot a node votes for itself in term 1 and appends one entry; with
   * `persistVote: false` it writes the term but forgets votedFor, as a buggy node might.
   */
  function voter(persistVote: boolean, boots: { id: NodeId; stored: StoredState | null }[]): NodeFactory {
    return fake((init) => ({
      start: (self) => {
        if (init.stored !== null) {
          self.obs = { ...self.obs, term: init.stored.hardState.term, votedFor: init.stored.hardState.votedFor };
          return NOTHING;
        }
        self.obs = { ...self.obs, role: 'candidate', term: 1, votedFor: init.id };
        return { ...NOTHING, write: { hardState: { term: 1, votedFor: persistVote ? init.id : null }, append: [entry(1, 1)] } };
      },
    }), boots);
  }

  it.each([
    [true, 1],
    [false, null],
  ])('persistVote=%s: after a restart the node gets exactly what it wrote (votedFor %s)', (persistVote, votedFor) => {
    const boots: { id: NodeId; stored: StoredState | null }[] = [];
    const sim = new Simulator({ factory: voter(persistVote, boots), schedule: schedule(), record: true });
    expect(sim.begin()).toBeNull();
    expect(sim.observation(1)).toMatchObject({ role: 'candidate', term: 1, votedFor: 1 });
    sim.advance(20);
    sim.crashNode(1);
    expect(sim.observation(1)).toBeNull();
    expect(sim.storedLogSize(1)).toEqual({ snapshotIndex: 0, entries: 1 });
    sim.advance(20);
    sim.restartNode(1);
    expect(boots.map((b) => b.id)).toEqual([1, 2, 3, 1]);
    expect(boots[0].stored).toBeNull();
    expect(boots[3].stored).toEqual({ hardState: { term: 1, votedFor }, snapshot: null, log: [entry(1, 1)] });
    // Volatile state is gone: the restarted node is a follower again, with only what it stored.
    expect(sim.observation(1)).toMatchObject({ role: 'follower', term: 1, votedFor });
    expect(eventsOf(sim.result().events, 'restart', 1)).toHaveLength(1);
  });

  it('a scheduled crash restarts the node after downMs', () => {
    const boots: { id: NodeId; stored: StoredState | null }[] = [];
    const run = runSimulation({ factory: voter(true, boots), schedule: schedule({ faults: [{ at: 100, kind: 'crash', node: 2, downMs: 250 }] }), record: true });
    expect(eventsOf(run.events, 'crash', 2).map((e) => e.t)).toEqual([100]);
    expect(eventsOf(run.events, 'restart', 2).map((e) => e.t)).toEqual([350]);
    expect(boots.filter((b) => b.id === 2).map((b) => b.stored?.hardState ?? null)).toEqual([null, { term: 1, votedFor: 2 }]);
  });
});

describe('writes: several per output, synced or not, and what a crash loses', () => {
  /** Node 1 boots with entry 1 synced and entry 2 unsynced. */
  function twoWrites(boots: { id: NodeId; stored: StoredState | null }[]): NodeFactory {
    return fake((init) => ({
      start: () =>
        init.id !== 1 || init.stored !== null ? NOTHING : { ...NOTHING, writes: [{ hardState: { term: 1, votedFor: null }, append: [entry(1, 1)] }, { append: [entry(2, 1)], sync: false }] },
    }), boots);
  }

  it.each([
    ['none', [1, 2]],
    ['unsynced', [1]],
  ] as const)('a crash with loss %s restarts the node with entries %j', (loss, indexes) => {
    const boots: { id: NodeId; stored: StoredState | null }[] = [];
    const sim = new Simulator({ factory: twoWrites(boots), schedule: schedule(), record: true });
    sim.begin();
    sim.crashNode(1, loss);
    sim.restartNode(1);
    expect(boots[3].stored?.log.map((x) => x.index)).toEqual(indexes);
    const crash = eventsOf(sim.result().events, 'crash', 1)[0];
    expect(crash.lost).toEqual([1, loss === 'none' ? 1 : 0]);
    // A crash that lost writes records the log that survived, for the viewer and replays.
    if (loss === 'unsynced') expect(crash.log).toEqual({ reset: true, app: [[1, 1, 'c1']] });
    else expect(crash.log).toBeUndefined();
  });

  it('records one synced change as `log` and anything else as `logs`, unsynced marked', () => {
    const run = runSimulation({ factory: twoWrites([]), schedule: schedule({ durationMs: 10, livenessWindowMs: 0 }), record: true });
    const start = eventsOf(run.events, 'start', 1)[0];
    expect(start.log).toBeUndefined();
    expect(start.logs).toEqual([{ app: [[1, 1, 'c1']] }, { app: [[2, 1, 'c2']], sync: false }]);
  });

  it('an output with both write and writes is malformed', () => {
    const both = fake(() => ({ start: () => ({ ...NOTHING, write: {}, writes: [] }) }));
    const run = runSimulation({ factory: both, schedule: schedule() });
    expect(run.finding).toMatchObject({ invariant: 'implementation-error' });
    expect(run.finding?.message).toMatch(/both write and writes/);
  });

  it("the 'ack' trigger strikes after a follower answers its leader's append, whatever the messages are called", () => {
    // Node 1 says it leads and sends "Replicate"; the others write the entry unsynced and answer.
    const nodes = fake((init) => ({
      start: (self) => {
        if (init.id !== 1) return NOTHING;
        self.obs = { ...self.obs, role: 'leader', term: 1, leaderId: 1 };
        return { ...NOTHING, messages: [{ type: 'Replicate', from: 1, to: 2, term: 1 }] };
      },
      receive: (self, m) => {
        if (init.id === 1) return NOTHING;
        self.obs = { ...self.obs, term: 1, leaderId: m.from };
        return { ...NOTHING, writes: [{ append: [entry(1, 1)], sync: false }], messages: [{ type: 'Ok', from: init.id, to: m.from, term: 1 }] };
      },
    }));
    const run = runSimulation({
      factory: nodes,
      schedule: schedule({ faults: [{ at: 0, kind: 'crash', node: 0, downMs: 100, trigger: 'ack', loss: 'unsynced' }], durationMs: 200, livenessWindowMs: 0 }),
      record: true,
    });
    const crash = eventsOf(run.events, 'crash', 2);
    expect(crash).toHaveLength(1);
    expect(crash[0].note).toBe('down for 100 ms, lost all of 1 unsynced write parts (after its ack)');
    // The answer left before the crash.
    expect(eventsOf(run.events, 'deliver', 1)).toEqual([expect.objectContaining({ from: 2 })]);
  });

  it("a foreign InstallSnapshot (Figure 13's fields at top level) is recorded, not a crash of the recorder", () => {
    const nodes = fake((init) => ({
      start: () => (init.id === 1 ? { ...NOTHING, messages: [{ type: 'InstallSnapshot', from: 1, to: 2, term: 1, lastIncludedIndex: 3, lastIncludedTerm: 1, offset: 0, done: true } as Message] } : NOTHING),
    }));
    const run = runSimulation({ factory: nodes, schedule: schedule({ durationMs: 50, livenessWindowMs: 0 }), record: true });
    expect(run.finding?.invariant).not.toBe('implementation-error');
    expect(eventsOf(run.events, 'install-snapshot', 2)[0].msg).toMatch(/^InstallSnapshot t1 lastIncludedIndex=3 lastIncludedTerm=1 offset=0 done=true #/);
  });

  it("the 'snapshot' trigger reads any message type naming a snapshot (etcd's MsgSnap too)", () => {
    const late = fake((init) => ({
      start: () => (init.id === 1 ? { ...NOTHING, timer: 5 } : NOTHING),
      tick: () => ({ ...NOTHING, messages: [{ type: 'MsgSnap', from: 1, to: 2 }] }),
    }));
    const run2 = runSimulation({ factory: late, schedule: schedule({ faults: [{ at: 0, kind: 'crash', node: 0, downMs: 50, trigger: 'snapshot' }], durationMs: 10, livenessWindowMs: 0 }), record: true });
    expect(eventsOf(run2.events, 'crash', 1).map((e) => e.note)).toEqual(['down for 50 ms (after its snapshot)']);
  });
});

describe('timer drift', () => {
  it('scales each node\'s timers by its clock rate', () => {
    const ticker = fake(() => ({ start: () => ({ ...NOTHING, timer: 100 }), tick: () => ({ ...NOTHING, timer: 100 }) }));
    const run = runSimulation({ factory: ticker, schedule: schedule({ drift: [1000, 1500, 500], durationMs: 450, livenessWindowMs: 0 }), record: true });
    const times = (n: NodeId): number[] => eventsOf(run.events, 'timer', n).map((e) => e.t);
    expect(times(1)).toEqual([100, 200, 300, 400]);
    expect(times(2)).toEqual([150, 300]);
    expect(times(3)).toEqual([50, 100, 150, 200, 250, 300, 350, 400]);
  });

  it('a re-armed timer replaces the old one: only the latest fires, and the old one costs nothing', () => {
    // Node 1 pushes its timer back by 60 ms on every tick of node 2 (via a message).
    let tickOf1 = 0;
    const nodes = fake((init) => ({
      start: () => (init.id === 3 ? NOTHING : { ...NOTHING, timer: init.id === 1 ? 100 : 40 }),
      tick: () => (init.id === 1 ? (tickOf1++, NOTHING) : { ...NOTHING, timer: 40, messages: [{ type: 'Poke', from: 2, to: 1 }] }),
      receive: () => ({ ...NOTHING, timer: 60 }),
    }));
    const run = runSimulation({ factory: nodes, schedule: schedule({ durationMs: 400, livenessWindowMs: 0, network: { ...schedule().network, delayMinMs: 1, delayMaxMs: 1 } }), record: true });
    expect(tickOf1).toBe(0);
    // Node 2's ticks, the pokes, and the phase change and end are events; node 1's superseded
    // timers are not.
    expect(eventsOf(run.events, 'deliver')).toHaveLength(9);
    expect(run.stats.events).toBe(eventsOf(run.events, 'timer').length + 9 + 2);
  });
});

// ---- findings for broken implementations ---------------------------------------------------

describe('liveness', () => {
  it('a cluster that never elects a leader gets a liveness finding', () => {
    const r = runChecked(fake(() => ({ start: () => ({ ...NOTHING, timer: 150 }) })), schedule());
    expect(r.finding).toMatchObject({ invariant: 'liveness', kind: 'liveness', nodes: [], time: 2000 });
    expect(r.finding!.message).toMatch(/^no leader at term 0 after 1000 ms of a healed, stable network$/);
  });

  it('a leader that never commits the probe gets a liveness finding naming it', () => {
    const lazy = fake((init) => ({
      start: (self) => {
        if (init.id === 2) self.obs = { ...self.obs, role: 'leader', term: 1, leaderId: 2 };
        return NOTHING;
      },
      propose: (self) =>
        self.obs.role === 'leader' ? { ...NOTHING, proposal: { accepted: true, index: 1, term: 1 } } : { ...NOTHING, proposal: { accepted: false, leaderHint: 2 } },
    }));
    const r = runChecked(lazy, schedule());
    expect(r.finding).toMatchObject({ invariant: 'liveness', kind: 'liveness', nodes: [2] });
    expect(r.finding!.message).toContain('leader 2 (term 1) did not commit');
  });

  it('a probe applied on a majority is progress, even when the leader steps down before the window ends', () => {
    // Raft without PreVote lets a lagging node's campaign depose a leader right after it
    // committed; the run ending mid-election is not a stall.
    const deposed = fake((init) => ({
      start: (self) => {
        if (init.id === 2) self.obs = { ...self.obs, role: 'leader', term: 1, leaderId: 2 };
        return NOTHING;
      },
      propose: (self, c) => {
        if (self.obs.role !== 'leader') return { ...NOTHING, proposal: { accepted: false, leaderHint: 2 } };
        self.obs = { role: 'follower', term: 2, votedFor: null, commitIndex: 1, lastApplied: 1, leaderId: null };
        const messages = [1, 3].map((to) => ({ type: 'Commit', from: 2, to, term: 1, c }));
        return { messages, applied: [{ index: 1, term: 1, command: c, digest: 0 }], proposal: { accepted: true, index: 1, term: 1 } };
      },
      receive: (self, m) => {
        self.obs = { ...self.obs, term: 2, commitIndex: 1, lastApplied: 1 };
        return { messages: [], applied: [{ index: 1, term: 1, command: (m as unknown as { c: Command }).c, digest: 0 }] };
      },
    }));
    const r = runChecked(deposed, schedule(), { record: true });
    expect(r.events!.filter((e) => e.kind === 'apply' || e.kind === 'deliver').length).toBeGreaterThan(0);
    expect(r.finding).toBeNull();
  });
});

describe('implementation findings, not exceptions', () => {
  const applied = (index: number): Applied => ({ index, term: 1, command: null, digest: 0 });
  /** Node 1 misbehaves on start; the others are quiet. */
  const cases: [string, (init: NodeInit) => FakeSpec, RegExp][] = [
    ['throws', () => ({ start: () => { throw new Error('disk on fire'); } }), /^node 1 threw on start: Error: disk on fire$/],
    ['throws a multi-line error', () => ({ start: () => { throw new TypeError('first line\nsecond line'); } }), /^node 1 threw on start: TypeError: first line$/],
    ['throws a non-Error', () => ({ start: () => { throw 'just a string'; } }), /^node 1 threw on start: a non-Error value "just a string"$/],
    ['returns undefined', () => ({ start: () => undefined as unknown as Output }), /^node 1 returned malformed output on start: the output is undefined, expected an object$/],
    ['messages is not an array', () => ({ start: () => ({ messages: 'hello', applied: [] }) as unknown as Output }), /malformed output on start: messages is "hello", expected an array$/],
    ['applied is not an array', () => ({ start: () => ({ messages: [], applied: null }) as unknown as Output }), /applied is null, expected an array$/],
    ['a message to unknown node 9', () => ({ start: () => ({ ...NOTHING, messages: [{ type: 'X', from: 1, to: 9 }] }) }), /messages\[0\] is addressed to unknown node 9$/],
    ['a message to itself', () => ({ start: () => ({ ...NOTHING, messages: [{ type: 'X', from: 1, to: 1 }] }) }), /messages\[0\] is addressed to unknown node 1$/],
    ['a forged sender', () => ({ start: () => ({ ...NOTHING, messages: [{ type: 'X', from: 2, to: 3 }] }) }), /messages\[0\] claims to be from 2$/],
    ['applied out of order', () => ({ start: () => ({ ...NOTHING, applied: [applied(2)] }) }), /^node 1 applied index 2 after 0: entries must be applied in order, once each$/],
    ['applied twice', () => ({ start: () => ({ ...NOTHING, applied: [applied(1), applied(1)] }) }), /applied index 1 after 1/],
    ['an append with a gap', () => ({ start: () => ({ ...NOTHING, write: { append: [entry(3, 1)] } }) }), /durable write: append expected index 1 but got 3$/],
    ['an entry of term 0', () => ({ start: () => ({ ...NOTHING, write: { append: [entry(1, 0)] } }) }), /durable write: entry 1 has term 0$/],
    ['a negative timer', () => ({ start: () => ({ ...NOTHING, timer: -5 }) }), /timer is -5$/],
    ['observe() throws', () => ({ observe: () => { throw new Error('no state'); } }), /^node 1 threw on start: Error: no state$/],
  ];

  it.each(cases)('%s', (_label, spec, message) => {
    const factory = fake((init) => (init.id === 1 ? spec(init) : {}));
    let r: ReturnType<typeof runChecked> | undefined;
    expect(() => (r = runChecked(factory, schedule(), { record: true }))).not.toThrow();
    expect(r!.finding).toMatchObject({ invariant: 'implementation-error', kind: 'implementation', nodes: [1], step: 0, time: 0 });
    expect(r!.finding!.message).toMatch(message);
    expect(r!.finding!.message).not.toMatch(/\n/);
  });

  it('create() throwing is a finding too', () => {
    const factory: NodeFactory = { contractVersion: CONTRACT_VERSION, name: 'broken', create: () => { throw new Error('bad config'); } };
    const r = runChecked(factory, schedule());
    expect(r.finding).toMatchObject({ kind: 'implementation', nodes: [1] });
    expect(r.finding!.message).toBe('create() threw on start: Error: bad config');
  });

  it('a failure deep in a run names the input and the step', () => {
    const flaky = fake((init) => ({
      start: () => ({ ...NOTHING, timer: 100 }),
      tick: () => {
        if (init.id === 3) throw new Error('tick broke');
        return { ...NOTHING, timer: 100 };
      },
    }));
    const r = runChecked(flaky, schedule(), { record: true });
    expect(r.finding).toMatchObject({ kind: 'implementation', nodes: [3], time: 100 });
    expect(r.finding!.message).toBe('node 3 threw on timer: Error: tick broke');
    expect(r.finding!.step).toBe(r.events!.length - 1);
  });
});

describe('event budget', () => {
  it('nodes that keep messaging get a message-storm finding', () => {
    // Every message is answered with one to each other node: traffic doubles every hop.
    const chatty = fake((init) => {
      const others = init.cluster.filter((id) => id !== init.id);
      const all = (): Output => ({ ...NOTHING, messages: others.map((to) => ({ type: 'Ping', from: init.id, to })) });
      return { start: all, receive: all };
    });
    const r = runChecked(chatty, schedule({ network: FIXED_DELAY(1) }));
    expect(r.finding).toMatchObject({ invariant: 'message-storm', kind: 'liveness' });
    expect(r.finding!.time).toBeLessThan(100);
    expect(r.finding!.message).toMatch(/^\d+ events in \d+ virtual ms: the nodes keep messaging without the run ending$/);
  });

  it('an explicit budget applies to the core as well', () => {
    const r = runChecked(coreFactory(null), scheduleFromSeed(3, { nodes: 3, profile: PROFILES.none }), { maxEvents: 50 });
    expect(r.finding).toMatchObject({ invariant: 'message-storm', kind: 'liveness' });
    expect(r.stats.events).toBe(51);
  });
});
