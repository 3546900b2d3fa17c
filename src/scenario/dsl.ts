/**
 * The scenario builder: a scenario is a plain synchronous function of a context `s`, read top to
 * bottom as a story ("elect a leader, cut it off, a new one is elected, ..."), in the style of
 * the classic Raft lab's test helpers (`checkOneLeader`, `one`, `nCommitted`, ...).
 *
 * Everything happens in virtual time on the deterministic simulator with all five safety
 * checkers running. A failed assertion ends the run through `Simulator.fail` with a finding that
 * names the assertion; a safety finding from the checkers ends it the same way. Either way the
 * script stops at that line (a private exception unwinds it) and the runner records the trace.
 *
 * Nodes are numbered 1..n (the lab numbers servers 0..n-1). All randomness comes from one
 * {@link Prng} seeded by the scenario seed; nothing reads the wall clock.
 *
 * Concurrency, as the lab's goroutine clients have it, is written as generators: a client is a
 * `function*` that `yield`s how many virtual ms it sleeps; `s.spawn` runs it in the background
 * while the script goes on, and `s.join` waits for it.
 */
import { SafetyChecker } from '../check/checkers.js';
import type { Command, NodeFactory, NodeId, Observation, Timing } from '../raft/types.js';
import type { Finding } from '../sim/observer.js';
import { Prng, STREAM } from '../sim/prng.js';
import { CALM_NETWORK, DEFAULT_TIMING, type NetworkKnobs, type Schedule } from '../sim/schedule.js';
import { Simulator } from '../sim/simulator.js';

/** A scenario: its story for people, and its script for the simulator. */
export interface Scenario {
  /** Kebab-case, as on the command line: `figure8-unreliable`. */
  readonly name: string;
  /** The classic lab test it re-creates (the lab's name, for people who know it). */
  readonly lab: string;
  readonly nodes: number;
  /** What happens, one or two sentences. */
  readonly story: string;
  /** What is asserted, one sentence. */
  readonly asserts: string;
  readonly script: (s: Ctx) => void;
}

export interface ClusterOptions {
  /** Start with the lab's unreliable network: 10% of messages lost, delays up to 27 ms. */
  readonly unreliable?: boolean;
  /** Nodes snapshot when this many applied entries sit in their log (the lab snapshots every 10); 0 is off. */
  readonly snapshotThreshold?: number;
}

/** What the lab's `rf.Start(cmd)` returns. */
export interface Started {
  readonly index: number;
  readonly term: number;
  readonly isLeader: boolean;
}

/** A client's sleep, in virtual ms. */
export type Client<T> = Generator<number, T, void>;

/** A background client started by `s.spawn`. */
export interface Task<T> {
  readonly done: boolean;
  /** The client's return value once done. */
  readonly value: T | undefined;
}

/** The network the lab calls reliable: every message delivered, 1 to 5 ms (the healed network of a run). */
export const RELIABLE: NetworkKnobs = CALM_NETWORK;

/** The lab's unreliable network: 10% of messages (requests and replies alike) lost, 1 to 27 ms. */
export const UNRELIABLE: NetworkKnobs = { ...CALM_NETWORK, delayMaxMs: 27, dropPerMille: 100 };

/**
 * The lab's long reordering: about two thirds of replies come 200 ms to 2 s late there. Here a
 * third of all messages (so about two thirds of round trips) are held back up to 800 ms more,
 * scaled to our shorter election timeouts.
 */
const REORDER = { slowPerMille: 333, slowMaxMs: 800 } as const;

/** Per-node budget of processed events per virtual second; far beyond is a message storm. */
const EVENTS_PER_NODE_SECOND = 2000;
/** A directed run has no end of its own; the budget assumes at most this much virtual time. */
const HORIZON_MS = 600_000;

/** Thrown to unwind a script once its run has a finding. */
class Halt {
  constructor(readonly finding: Finding) {}
}

/** A mistake in a scenario script itself (not a finding): a bug in raft-check. */
export class ScriptError extends Error {
  override readonly name = 'ScriptError';
}

interface Running {
  readonly gen: Client<unknown>;
  wake: number;
  readonly order: number;
  readonly task: { done: boolean; value: unknown };
}

export interface CtxOptions {
  readonly factory: NodeFactory;
  readonly seed: number;
  /** Keep every event for a trace (off for bulk runs; failures are re-run recorded). */
  readonly record: boolean;
  readonly timing?: Timing;
}

/**
 * The context a script runs against. Method names follow the lab's helpers where one exists;
 * durations are virtual milliseconds.
 */
export class Ctx {
  /** The scenario's randomness (victims, command values, sleeps): the lab's `rand`. */
  readonly prng: Prng;
  /**
   * The lab's `RaftElectionTimeout` (1 s there, about twice a typical election timeout): here
   * twice the nodes' longest election timeout, 600 ms with the default timing.
   */
  readonly electionTimeout: number;
  readonly timing: Timing;
  /** Warnings the lab prints without failing ("term changed even though there were no failures"). */
  readonly warnings: string[] = [];

  private readonly options: CtxOptions;
  private readonly root: Prng;
  private simulator: Simulator | null = null;
  private schedule: Schedule | null = null;
  private size = 0;
  private knobs: NetworkKnobs = RELIABLE;
  private reordering = false;
  private readonly running: Running[] = [];
  private spawned = 0;
  /** True while a background client runs: it must yield, not sleep. */
  private inClient = false;

  constructor(options: CtxOptions) {
    this.options = options;
    this.timing = options.timing ?? DEFAULT_TIMING;
    this.electionTimeout = 2 * this.timing.electionTimeoutMaxMs;
    this.root = new Prng(options.seed);
    this.prng = this.root.split(STREAM.faults);
  }

  // ---- setup --------------------------------------------------------------------------------

  /** Boots n nodes (numbered 1..n) on a reliable network, or the lab's unreliable one. */
  cluster(n: number, options: ClusterOptions = {}): void {
    if (this.simulator !== null) throw new ScriptError('cluster() called twice');
    this.size = n;
    this.knobs = options.unreliable === true ? UNRELIABLE : RELIABLE;
    this.schedule = {
      nodes: n,
      timing: this.timing,
      network: this.knobs,
      net: { seed: this.root.split(STREAM.network).nextU32(), choices: [] },
      drift: Array.from({ length: n }, () => 1000),
      faults: [],
      proposals: [],
      durationMs: HORIZON_MS,
      livenessWindowMs: 0,
      snapshotThreshold: options.snapshotThreshold ?? 0,
      seed: this.root.split(STREAM.timers).nextU32(),
    };
    this.simulator = new Simulator({
      factory: this.options.factory,
      schedule: this.schedule,
      checkers: [new SafetyChecker(n)],
      record: this.options.record,
      track: true,
      maxEvents: EVENTS_PER_NODE_SECOND * n * (HORIZON_MS / 1000),
    });
    this.halt(this.simulator.begin());
  }

  /** Number of nodes. */
  get n(): number {
    return this.size;
  }

  /** Node ids 1..n. */
  get ids(): NodeId[] {
    return Array.from({ length: this.size }, (_, i) => i + 1);
  }

  /** The simulator, once cluster() ran. */
  get sim(): Simulator {
    if (this.simulator === null) throw new ScriptError('call cluster() first');
    return this.simulator;
  }

  /** The schedule the run stands on (no faults, no proposals: the script drives). */
  get runSchedule(): Schedule {
    if (this.schedule === null) throw new ScriptError('call cluster() first');
    return this.schedule;
  }

  /** Virtual time now, ms. */
  get now(): number {
    return this.sim.time;
  }

  // ---- network and faults -------------------------------------------------------------------

  /** Cuts node i off the network both ways; it keeps running (the lab's `disconnect`). */
  disconnect(i: NodeId): void {
    this.halt(this.sim.disconnect(this.node(i)));
  }

  /** Puts node i back on the network (the lab's `connect`). */
  connect(i: NodeId): void {
    this.halt(this.sim.reconnect(this.node(i)));
  }

  /**
   * Crashes node i, as the lab's `crash1`: it is cut off (what it had in flight is lost) and
   * loses everything but its durable storage.
   */
  crash(i: NodeId): void {
    this.disconnect(i);
    this.halt(this.sim.crashNode(this.node(i)));
  }

  /**
   * Boots node i from its durable storage, crashing it first if it is up, as the lab's
   * `start1`: it stays cut off until `connect(i)`.
   */
  restart(i: NodeId): void {
    if (this.isUp(i)) this.crash(i);
    else this.disconnect(i);
    this.halt(this.sim.restartNode(this.node(i)));
  }

  /**
   * A process restart rather than the lab's `crash1`: node i crashes and boots from storage at
   * once, its links untouched, so messages already on their way to it still arrive.
   */
  reboot(i: NodeId): void {
    this.halt(this.sim.crashNode(this.node(i)));
    this.halt(this.sim.restartNode(i));
  }

  /**
   * Watches (every virtual ms, up to `withinMs`) for a node to grant its vote to another
   * node, and reboots the voter right then: the moment a node must not forget whom it voted
   * for. Returns the voter, or null when nobody voted in time.
   */
  rebootAfterVote(withinMs: number): NodeId | null {
    const seen = this.ids.map((id) => this.state(id));
    const start = this.now;
    while (this.now - start < withinMs) {
      this.wait(1);
      for (const id of this.ids) {
        const o = this.state(id);
        const before = seen[id - 1];
        seen[id - 1] = o;
        if (o === null || o.votedFor === null || o.votedFor === id) continue;
        if (before !== null && before.term === o.term && before.votedFor === o.votedFor) continue;
        this.reboot(id);
        return id;
      }
    }
    return null;
  }

  /** The lab's `setunreliable`: 10% loss and longer delays, or back to reliable. */
  unreliable(on: boolean): void {
    this.knobs = on ? UNRELIABLE : RELIABLE;
    this.applyNetwork();
  }

  /** The lab's `setlongreordering`: a third of messages arrive up to 800 ms late. */
  longReordering(on: boolean): void {
    this.reordering = on;
    this.applyNetwork();
  }

  private applyNetwork(): void {
    this.sim.setNetwork(this.reordering ? { ...this.knobs, ...REORDER } : this.knobs);
  }

  isUp(i: NodeId): boolean {
    return this.sim.observation(this.node(i)) !== null;
  }

  isConnected(i: NodeId): boolean {
    return this.sim.isConnected(this.node(i));
  }

  /** A node's state, or null while it is down (the lab's `GetState`, and more). */
  state(i: NodeId): Observation | null {
    return this.sim.observation(this.node(i));
  }

  /** The last index node i applied (its state machine's position; a snapshot counts). */
  applied(i: NodeId): number {
    return this.sim.lastAppliedOf(this.node(i));
  }

  /** The node k places after i, wrapping: the lab's `(i + k) % servers` for ids 1..n. */
  after(i: NodeId, k: number): NodeId {
    return ((((i - 1 + k) % this.size) + this.size) % this.size) + 1;
  }

  /** A uniformly random node id. */
  randomNode(): NodeId {
    return this.prng.int(1, this.size);
  }

  /** True with probability perMille / 1000 (the lab's `rand.Int() % 1000 < perMille`). */
  chance(perMille: number): boolean {
    return this.prng.chance(perMille, 1000);
  }

  /** A fresh random command value (the lab's `rand.Int()`). */
  randomValue(): number {
    return this.prng.int(0, 0x7fffffff);
  }

  // ---- time ---------------------------------------------------------------------------------

  /** Lets `ms` of virtual time pass (the lab's `time.Sleep`); background clients run meanwhile. */
  wait(ms: number): void {
    if (this.inClient) throw new ScriptError('a client must yield its sleeps, not call wait()');
    const until = this.now + Math.max(0, Math.floor(ms));
    for (;;) {
      const next = this.nextClient();
      if (next === null || next.wake > until) break;
      this.advanceTo(next.wake);
      this.stepClient(next);
    }
    this.advanceTo(until);
  }

  private advanceTo(t: number): void {
    if (t > this.now) this.halt(this.sim.advance(t - this.now));
  }

  /** Runs a client in the background from now on. */
  spawn<T>(client: Client<T>): Task<T> {
    const task = { done: false, value: undefined as unknown };
    this.running.push({ gen: client, wake: this.now, order: this.spawned++, task });
    return task as Task<T>;
  }

  /** Waits until a background client is done and returns its value. */
  join<T>(task: Task<T>): T {
    while (!task.done) {
      const next = this.nextClient();
      if (next === null) throw new ScriptError('join: the client is not running');
      this.advanceTo(next.wake);
      this.stepClient(next);
    }
    return task.value as T;
  }

  /** Runs a client in the foreground to its end and returns its value. */
  drive<T>(client: Client<T>): T {
    for (;;) {
      const r = client.next();
      if (r.done === true) return r.value;
      this.wait(r.value);
    }
  }

  private nextClient(): Running | null {
    let best: Running | null = null;
    for (const r of this.running) {
      if (best === null || r.wake < best.wake || (r.wake === best.wake && r.order < best.order)) best = r;
    }
    return best;
  }

  private stepClient(r: Running): void {
    this.inClient = true;
    let step: IteratorResult<number, unknown>;
    try {
      step = r.gen.next();
    } finally {
      this.inClient = false;
    }
    if (step.done === true) {
      r.task.done = true;
      r.task.value = step.value;
      this.running.splice(this.running.indexOf(r), 1);
    } else {
      r.wake = this.now + Math.max(0, Math.floor(step.value));
    }
  }

  // ---- clients ------------------------------------------------------------------------------

  /**
   * The command a lab value stands for: its id is the value and its key a function of it, so
   * resubmitting a value is the same command.
   */
  command(value: number | string): Command {
    const v = String(value);
    let h = 0;
    for (let k = 0; k < v.length; k++) h = (h * 31 + v.charCodeAt(k)) % 8;
    return { id: v, key: `k${h}`, value: v };
  }

  /** The lab's `rf.Start(cmd)` on node i: a down node is not a leader. */
  propose(i: NodeId, value: number | string): Started {
    const r = this.sim.submit(this.node(i), this.command(value));
    this.halt(this.sim.result().finding);
    if (r === null) return { index: -1, term: this.state(i)?.term ?? 0, isLeader: false };
    const term = this.state(i)?.term ?? 0;
    return r.accepted ? { index: r.index, term: r.term, isLeader: true } : { index: -1, term, isLeader: false };
  }

  /**
   * The lab's `nCommitted(index)`: how many nodes have applied an entry at `index` (a node
   * that got there through a snapshot counts without a known command), and which command.
   * Two nodes that applied different commands there fail the run.
   */
  nCommitted(index: number): { count: number; value: string | null } {
    let count = 0;
    let value: string | null = null;
    let by: NodeId = 0;
    for (const id of this.ids) {
      const got = this.sim.appliedAt(id, index);
      if (got === undefined) {
        if (this.sim.lastAppliedOf(id) >= index && this.sim.storedLogSize(id).snapshotIndex >= index) count++;
        continue;
      }
      if (by === 0) {
        value = got;
        by = id;
      } else if (got !== value) {
        this.fail('committed-values-match', `nCommitted(${index}): node ${by} applied ${value ?? 'a no-op'} but node ${id} applied ${got ?? 'a no-op'}`, [by, id]);
      }
      count++;
    }
    return { count, value };
  }

  /** `one`, as a client that can run in the background. */
  *oneClient(value: number | string, expected: number, retry: boolean): Client<number> {
    const want = String(value);
    const start = this.now;
    let next = 0;
    while (this.now - start < 10_000) {
      let index = -1;
      for (let k = 0; k < this.size; k++) {
        next = (next % this.size) + 1;
        if (!this.isConnected(next) || !this.isUp(next)) continue;
        const r = this.propose(next, want);
        if (r.isLeader) {
          index = r.index;
          break;
        }
      }
      if (index === -1) {
        yield 50;
        continue;
      }
      const submitted = this.now;
      while (this.now - submitted < 2000) {
        const { count, value: got } = this.nCommitted(index);
        if (count > 0 && count >= expected && got === want) return index;
        yield 20;
      }
      if (!retry) this.fail('agreement', `one(${want}): no agreement on ${expected} nodes at index ${index} within 2000 ms of submitting it`);
    }
    return this.fail('agreement', `one(${want}): no agreement on ${expected} nodes within 10000 ms`);
  }

  /**
   * The lab's `one(cmd, expectedServers, retry)`: submits to whichever connected node is
   * leader, waits up to 2 s for `expected` nodes to apply it at the index the leader gave,
   * retries through other nodes (with `retry`) for up to 10 s in all. Returns the index.
   */
  one(value: number | string, expected: number, retry: boolean): number {
    return this.drive(this.oneClient(value, expected, retry));
  }

  /**
   * The lab's `wait(index, n, startTerm)`: waits with backoff for n nodes to apply `index`;
   * returns the command, or null once some node's term passes startTerm (-1: never).
   */
  waitCommitted(index: number, n: number, startTerm: number): string | null {
    let backoff = 10;
    for (let iter = 0; iter < 30; iter++) {
      if (this.nCommitted(index).count >= n) break;
      this.wait(backoff);
      if (backoff < 1000) backoff *= 2;
      if (startTerm > -1 && this.ids.some((id) => (this.state(id)?.term ?? 0) > startTerm)) return null;
    }
    const { count, value } = this.nCommitted(index);
    if (count < n) this.fail('agreement', `wait(${index}): only ${count} nodes applied index ${index}; wanted ${n}`);
    return value;
  }

  // ---- leaders and terms --------------------------------------------------------------------

  /** Connected, running nodes that believe they lead, with their terms. */
  leaders(): { id: NodeId; term: number }[] {
    const out: { id: NodeId; term: number }[] = [];
    for (const id of this.ids) {
      const o = this.state(id);
      if (o !== null && o.role === 'leader' && this.isConnected(id)) out.push({ id, term: o.term });
    }
    return out;
  }

  /**
   * The lab's `checkOneLeader`: up to ten times, sleeps about half an election timeout and
   * looks at the connected nodes; returns the leader of the highest term that has one. Two
   * leaders in one term, or no leader in ten tries, fails the run.
   */
  checkOneLeader(): NodeId {
    const lo = Math.floor(this.electionTimeout * 0.45);
    const hi = Math.floor(this.electionTimeout * 0.55);
    for (let iter = 0; iter < 10; iter++) {
      this.wait(this.prng.int(lo, hi));
      const byTerm = new Map<number, NodeId[]>();
      for (const l of this.leaders()) byTerm.set(l.term, [...(byTerm.get(l.term) ?? []), l.id]);
      let last = -1;
      for (const [term, ids] of byTerm) {
        if (ids.length > 1) this.fail('one-leader', `checkOneLeader: term ${term} has ${ids.length} leaders (${ids.join(', ')})`, ids);
        last = Math.max(last, term);
      }
      if (last >= 0) return byTerm.get(last)![0];
    }
    return this.fail('one-leader', `checkOneLeader: no leader among the connected nodes after ${this.now} ms`);
  }

  /** The lab's `checkNoLeader`: no connected node believes it leads. */
  checkNoLeader(): void {
    const l = this.leaders();
    if (l.length > 0) {
      this.fail('no-leader', `checkNoLeader: expected no leader among the connected nodes, but node ${l[0].id} claims to lead term ${l[0].term}`, [l[0].id]);
    }
  }

  /** The lab's `checkTerms`: every connected, running node is in the same term; returns it. */
  checkTerms(): number {
    let term = -1;
    let first: NodeId = 0;
    for (const id of this.ids) {
      const o = this.state(id);
      if (o === null || !this.isConnected(id)) continue;
      if (term === -1) {
        term = o.term;
        first = id;
      } else if (o.term !== term) {
        this.fail('terms-agree', `checkTerms: node ${first} is in term ${term} but node ${id} is in term ${o.term}`, [first, id]);
      }
    }
    return term;
  }

  // ---- measures -----------------------------------------------------------------------------

  /** Messages sent so far (requests and replies; the lab counts RPCs, so its bounds double here). */
  messages(): number {
    return this.sim.messagesSent();
  }

  /** The largest durable log, in entries after the snapshot, over all nodes (the lab's `LogSize`). */
  logSize(): number {
    let most = 0;
    for (const id of this.ids) most = Math.max(most, this.sim.storedLogSize(id).entries);
    return most;
  }

  // ---- assertions ---------------------------------------------------------------------------

  /** Fails the run with `message` under the assertion's name unless `cond` holds. */
  expect(cond: boolean, assertion: string, message: string, nodes: NodeId[] = []): void {
    if (!cond) this.fail(assertion, message, nodes);
  }

  /** Ends the run with a failed assertion. */
  fail(assertion: string, message: string, nodes: NodeId[] = []): never {
    throw new Halt(this.sim.fail(assertion, message, nodes));
  }

  /** Notes something the lab only prints; the run goes on. */
  warn(message: string): void {
    this.warnings.push(`t=${this.now} ms: ${message}`);
  }

  /** Stops the script if the run has a finding (a checker's, or a failed assertion's). */
  private halt(finding: Finding | null): void {
    if (finding !== null) throw new Halt(finding);
  }

  private node(i: NodeId): NodeId {
    if (!Number.isInteger(i) || i < 1 || i > this.size) throw new ScriptError(`no node ${i}: nodes are 1..${this.size}`);
    return i;
  }
}

/** Runs a script to its end or its first finding; returns the finding (null: passed). */
export function runScript(s: Ctx, script: (s: Ctx) => void): Finding | null {
  try {
    script(s);
  } catch (e) {
    if (e instanceof Halt) return e.finding;
    throw e;
  }
  return s.sim.result().finding;
}
