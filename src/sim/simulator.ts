import type { Command, DurableWrite, Message, NodeFactory, NodeId, Observation, Output, ProposalResult, RaftNode } from '../raft/types.js';
import type { EventKind, LogChange, NodeState, TraceEvent } from './events.js';
import { InFlight } from './in-flight.js';
import { MessageLedger, type MessageRecord } from './ledger.js';
import { Links, NetworkChoices } from './network.js';
import type { Checker, Finding, Report, StepInfo } from './observer.js';
import { bootSeed, Prng } from './prng.js';
import { EventQueue, Pending, type Happening } from './queue.js';
import { CALM_NETWORK, type CrashTrigger, type Fault, type NetworkKnobs, type NodeRef, type Schedule } from './schedule.js';
import { scriptCommandIndex, type ScriptStep, type ScriptUse } from './script.js';
import { Storage, type CrashLoss } from './storage.js';
import { checkObservation, checkOutput, frozenInit, isTrusted, Malformed, nodeProblem, summarize, thrownText } from './validate-output.js';
import { ackTo, writesOf } from './writes.js';

export interface SimOptions {
  readonly factory: NodeFactory;
  readonly schedule: Schedule;
  readonly checkers?: readonly Checker[];
  /** Keep every event for a trace; off for exploration, where only failing runs are re-run to record. */
  readonly record?: boolean;
  /** Past this many processed events the run ends with a `message-storm` finding. */
  readonly maxEvents?: number;
  /** Most messages one input may send before it counts as malformed output. */
  readonly maxMessagesPerInput?: number;
  /** Keep every node's applied command per index and message counts per type (directed runs). */
  readonly track?: boolean;
}

/** See Simulator.scriptView. */
export interface ScriptView {
  readonly nodes: readonly {
    readonly id: NodeId;
    readonly up: boolean;
    /** A timer is armed, so a tick step would fire it. */
    readonly timer: boolean;
    readonly obs: Observation | null;
    /** Unsynced write parts a crash could lose. */
    readonly unsynced: number;
  }[];
  /** Oldest first. */
  readonly inFlight: readonly { readonly from: NodeId; readonly to: NodeId; readonly summary: string }[];
  /** Messages sent since the boot. */
  readonly sent: number;
}

export interface RunStats {
  /**
   * Processed events: deliveries, timers that fire, faults, proposals (a timer superseded
   * before it fires is no event), or a script's steps. The message-storm budget counts these.
   */
  readonly events: number;
  /** Trace steps: what a recording holds. */
  readonly steps: number;
  readonly virtualMs: number;
  readonly sent: number;
  readonly delivered: number;
  readonly dropped: number;
  readonly faults: number;
  readonly proposals: number;
  readonly committedProbe: boolean;
}

export interface RunResult {
  readonly finding: Finding | null;
  readonly stats: RunStats;
  readonly events: readonly TraceEvent[] | null;
  /** For a scripted schedule: which steps did nothing, and where the run stopped. */
  readonly script?: ScriptUse;
  /** With `record`: every message sent, each copy with its fate (not part of the trace). */
  readonly messages?: readonly MessageRecord[];
}

interface SimNode {
  readonly id: NodeId;
  node: RaftNode | null;
  readonly storage: Storage;
  obs: Observation | null;
  /**
   * The node's one pending timer (-1: none) and its place in the event order. Timers live
   * here rather than in the queue: a follower re-arms on every heartbeat, and each superseded
   * timer would otherwise sit in the queue until its time came, a quarter of all events.
   */
  timerAt: number;
  timerSeq: number;
  /** Bumped on every crash so a restart scheduled for an earlier crash is ignored. */
  incarnation: number;
  lastApplied: number;
  readonly drift: number;
  /**
   * The node's own randomness: one stream per node, so a change to what one node does leaves
   * the others' election timeouts alone (and shrinking stays on story). Kept across restarts,
   * or with `randomness: 'per-boot'` a new one from each boot's seed.
   */
  random: Prng;
  /** With `track`: command id applied at each index (null for a no-op). */
  readonly appliedIds: (string | null)[];
}

interface Armed {
  /** 0: whoever next does it. */
  readonly node: NodeRef;
  readonly trigger: Exclude<CrashTrigger, 'time'>;
  readonly downMs: number;
  readonly loss: CrashLoss;
  readonly keep: number;
}

/** Thrown inside the loop to end the run with a finding. */
class Stop {
  constructor(readonly finding: Finding) {}
}

const PROBE_RETRY_MS = 100;
const PROBE_RECHECK_MS = 1000;
const CLIENT_RETRY_MS = 20;

/**
 * The deterministic discrete-event simulator: one queue ordered by (virtual time, seq), every
 * choice taken from the schedule, nothing read from the outside world.
 */
export class Simulator {
  private readonly schedule: Schedule;
  private readonly factory: NodeFactory;
  /** Our own core: its outputs are used as they are (see trustFactory). */
  private readonly trusted: boolean;
  private readonly checkers: readonly Checker[];
  private readonly record: boolean;
  private readonly maxEvents: number;
  private readonly maxMessages: number;
  private readonly queue = new EventQueue();
  private seq = 0;
  private readonly nodes: SimNode[] = [];
  private readonly cluster: NodeId[];
  private readonly links: Links;
  private readonly net: NetworkChoices;
  private knobs: NetworkKnobs;
  private now = 0;
  private step = 0;
  private processed = 0;
  private sent = 0;
  private delivered = 0;
  private dropped = 0;
  private faultCount = 0;
  private proposalCount = 0;
  private healGeneration = 0;
  private leaderGuess: NodeId = 1;
  private probeApplied = new Set<NodeId>();
  private probeSeq = 0;
  /** An early end is scheduled (the probe committed). */
  private ended = false;
  private readonly trace: TraceEvent[] | null;
  private readonly ledger: MessageLedger | null;
  private readonly track: boolean;
  private readonly sentByType = new Map<string, number>();
  /** A directed run's finding; once set, the run is over. */
  private stopped: Finding | null = null;
  /** Links each disconnected node's cut holds, so reconnecting restores exactly those. */
  private readonly disconnected = new Map<NodeId, [NodeId, NodeId][]>();
  /** Crashes armed to strike after a node's next vote or append. */
  private armed: Armed[] = [];
  /** Scripted runs: messages sent and not yet delivered or dropped, oldest first. */
  /** Null in timed runs, and once a script's steps are done and its liveness window runs. */
  private inFlight: InFlight | null;
  private scriptAt = -1;
  private readonly scriptSkipped: number[] = [];
  /** The sender of the message being delivered, while its input runs (for the 'ack' trigger). */
  private deliveringFrom: NodeId | null = null;
  /** The factory was told a run begins (at the first boot). */
  private begun = false;

  constructor(options: SimOptions) {
    this.schedule = options.schedule;
    this.factory = options.factory;
    this.trusted = isTrusted(options.factory);
    this.checkers = options.checkers ?? [];
    this.record = options.record ?? false;
    const s = options.schedule;
    // A healthy cluster handles a few hundred events per virtual second; far beyond that is a storm.
    this.maxEvents = options.maxEvents ?? 2000 * s.nodes * Math.ceil((s.durationMs + s.livenessWindowMs) / 1000 + 1);
    this.maxMessages = options.maxMessagesPerInput ?? 10_000;
    this.trace = this.record ? [] : null;
    this.ledger = this.record ? new MessageLedger() : null;
    this.track = options.track ?? false;
    const n = this.schedule.nodes;
    this.cluster = Array.from({ length: n }, (_, i) => i + 1);
    this.links = new Links(n);
    this.net = new NetworkChoices(this.schedule);
    this.knobs = this.schedule.network;
    this.inFlight = this.schedule.script === undefined ? null : new InFlight();
    for (const id of this.cluster) {
      this.nodes[id] = {
        id,
        node: null,
        storage: new Storage(),
        obs: null,
        timerAt: -1,
        timerSeq: 0,
        incarnation: 0,
        lastApplied: 0,
        drift: this.schedule.drift[id - 1] ?? 1000,
        appliedIds: [],
        random: new Prng(this.schedule.seed, 100 + id),
      };
    }
  }

  run(): RunResult {
    const s = this.schedule;
    if (s.script !== undefined) {
      const script = s.script;
      this.guarded(() => this.runScript(script));
      return this.result();
    }
    this.guarded(() => {
      for (const id of this.cluster) this.boot(id, 'start');
      for (const f of s.faults) this.later(f.at, { kind: 'fault', fault: f });
      s.proposals.forEach((at, k) => {
        this.later(at, { kind: 'propose', command: command(`c${k + 1}`, k), target: 0, attempt: 0, probe: false });
      });
      this.later(s.durationMs, { kind: 'calm' });
      this.later(s.durationMs + s.livenessWindowMs, { kind: 'end' });
      return this.loop();
    });
    return this.result();
  }

  /** What happened so far: the finding (if any), counters and the recording. */
  result(): RunResult {
    return {
      finding: this.stopped,
      events: this.trace,
      stats: {
        events: this.processed,
        steps: this.step,
        virtualMs: this.now,
        sent: this.sent,
        delivered: this.delivered,
        dropped: this.dropped,
        faults: this.faultCount,
        proposals: this.proposalCount,
        committedProbe: this.probeCommitted(),
      },
      ...(this.schedule.script === undefined ? {} : { script: { skipped: this.scriptSkipped, stoppedAt: this.stopped === null ? null : this.scriptAt } }),
      ...(this.ledger === null ? {} : { messages: this.ledger.records }),
    };
  }

  /** Runs a piece of the simulation; a finding ends the run and every later call is a no-op. */
  private guarded(f: () => Finding | null | void): Finding | null {
    if (this.stopped !== null) return this.stopped;
    try {
      const r = f();
      if (r !== null && r !== undefined) this.stopped = r;
    } catch (e) {
      if (!(e instanceof Stop)) throw e;
      this.stopped = e.finding;
    }
    return this.stopped;
  }

  // ---- directed control, for scenarios: each returns the run's finding so far ---------------

  /** Boots every node at time 0. */
  begin(): Finding | null {
    return this.guarded(() => {
      for (const id of this.cluster) this.boot(id, 'start');
    });
  }

  /** Lets virtual time run for `ms`. */
  advance(ms: number): Finding | null {
    return this.guarded(() => this.loop(this.now + ms));
  }

  get time(): number {
    return this.now;
  }

  /** Crashes a node; `loss` says what becomes of its unsynced writes (default: nothing is lost). */
  crashNode(id: NodeId, loss: CrashLoss = 'none', keep = 0): Finding | null {
    return this.guarded(() => this.crash(id, null, '', loss, keep));
  }

  restartNode(id: NodeId): Finding | null {
    return this.guarded(() => {
      if (this.nodes[id].node === null) this.boot(id, 'restart');
    });
  }

  /** Cuts a node off both ways (it keeps running), as the lab's disconnect does. */
  disconnect(id: NodeId): Finding | null {
    return this.guarded(() => {
      if (this.disconnected.has(id)) return;
      const links: [NodeId, NodeId][] = [];
      for (const b of this.cluster) if (b !== id) links.push([id, b], [b, id]);
      for (const [a, b] of links) this.links.cut(a, b);
      this.disconnected.set(id, links);
      this.emit('partition', 0, { links, note: `disconnect ${id}` });
    });
  }

  reconnect(id: NodeId): Finding | null {
    return this.guarded(() => {
      const links = this.disconnected.get(id);
      if (links === undefined) return;
      for (const [a, b] of links) this.links.restore(a, b);
      this.disconnected.delete(id);
      this.emit('heal', 0, { links, note: `reconnect ${id}` });
    });
  }

  isConnected(id: NodeId): boolean {
    return !this.disconnected.has(id);
  }

  setNetwork(knobs: NetworkKnobs): void {
    this.knobs = knobs;
  }

  /** A client request straight to one node; null when the node is down or the run is over. */
  submit(id: NodeId, cmd: Command): ProposalResult | null {
    let result: ProposalResult | null = null;
    this.guarded(() => {
      this.proposalCount++;
      result = this.input(this.nodes[id], 'propose', { note: cmd.id }, cmd)?.proposal ?? null;
    });
    return result;
  }

  /** A node's state, or null while it is down. */
  observation(id: NodeId): Observation | null {
    return this.nodes[id].node === null ? null : this.nodes[id].obs;
  }

  /** With `track`: the command id a node applied at an index (null: a no-op; undefined: none). */
  appliedAt(id: NodeId, index: number): string | null | undefined {
    return this.nodes[id].appliedIds[index];
  }

  lastAppliedOf(id: NodeId): number {
    return this.nodes[id].lastApplied;
  }

  /** Durable log length of a node (what it would restart with). */
  storedLogSize(id: NodeId): { readonly snapshotIndex: number; readonly entries: number } {
    const st = this.nodes[id].storage;
    return { snapshotIndex: st.snapshotIndex, entries: st.entryCount };
  }

  /** Messages sent so far, in all or of one type (with `track`). */
  messagesSent(type?: string): number {
    return type === undefined ? this.sent : this.sentByType.get(type) ?? 0;
  }

  /** Ends a directed run with a scenario's own failed assertion. */
  fail(invariant: string, message: string, nodes: NodeId[] = []): Finding {
    if (this.stopped === null) this.stopped = this.finding(invariant, 'assertion', nodes, message);
    return this.stopped;
  }

  // ---- stepwise scripts, for systematic search (src/explore/systematic) ---------------------

  /**
   * Carries out one script step of a run whose schedule has a script (booted with begin()),
   * as runScript would: false when the step found nothing to do or the run is over.
   */
  scripted(st: ScriptStep): boolean {
    let did = false;
    this.guarded(() => {
      this.now = Math.max(this.now, st.t);
      this.processed++;
      did = this.scriptStep(st);
    });
    return did;
  }

  /** The finding that ended the run; null while it goes on. */
  get stoppedBy(): Finding | null {
    return this.stopped;
  }

  /** What a next script step could act on: each node's state and the messages in flight. */
  scriptView(): ScriptView {
    const nodes = this.cluster.map((id) => {
      const sn = this.nodes[id];
      return { id, up: sn.node !== null, timer: sn.node !== null && sn.timerAt >= 0, obs: sn.node === null ? null : sn.obs, unsynced: sn.storage.bufferedParts };
    });
    const inFlight = (this.inFlight?.entries() ?? []).map((f) => ({ from: f.msg.from, to: f.msg.to, summary: f.summary }));
    return { nodes, inFlight, sent: this.sent };
  }

  /**
   * The whole cluster as a string, equal for two runs that behave the same from here on:
   * every node's own fingerprint (null when a running node has none), its disk, and the
   * messages in flight as a multiset. The client's next command number and the checkers'
   * history are the caller's to add.
   */
  fingerprint(): string | null {
    const parts: string[] = [];
    for (const id of this.cluster) {
      const sn = this.nodes[id];
      let own = 'down';
      if (sn.node !== null) {
        if (typeof sn.node.fingerprint !== 'function') return null;
        try {
          own = String(sn.node.fingerprint());
        } catch {
          return null;
        }
      }
      parts.push(`${own}#${sn.storage.fingerprint()}`);
    }
    const msgs = (this.inFlight?.entries() ?? []).map((f) => `${f.msg.from}>${f.msg.to} ${contentOf(f.msg, f.summary)}`).sort();
    parts.push(msgs.join('\n'));
    return parts.join('\n#\n');
  }

  private loop(until = Infinity): Finding | null {
    for (;;) {
      const timer = this.nextTimer();
      const top = this.queue.peek() ?? null;
      const timerFirst = timer !== null && (top === null || timer.timerAt < top.time || (timer.timerAt === top.time && timer.timerSeq < top.seq));
      const time = timerFirst ? timer.timerAt : top === null ? Infinity : top.time;
      if (time === Infinity || time > until) {
        if (until !== Infinity) this.now = until;
        return null;
      }
      this.now = time;
      if (++this.processed > this.maxEvents) {
        return this.finding('message-storm', 'liveness', [], `${this.maxEvents} events in ${this.now} virtual ms: the nodes keep messaging without the run ending`);
      }
      if (timerFirst) {
        timer.timerAt = -1;
        this.input(timer, 'timer', undefined, null);
        continue;
      }
      const e = this.queue.pop()!;
      if (e.msg !== null) {
        this.deliver(e.msg, e.epoch);
        continue;
      }
      const o = e.other!;
      switch (o.kind) {
        case 'fault':
          this.fault(o.fault);
          break;
        case 'restart': {
          const sn = this.nodes[o.node];
          if (sn.node === null && sn.incarnation === o.incarnation) this.boot(o.node, 'restart');
          break;
        }
        case 'heal':
          if (o.generation === this.healGeneration) {
            for (const [a, b] of o.links) this.links.restore(a, b);
            this.emit('heal', 0, { links: o.links });
          }
          break;
        case 'propose':
          this.propose(o);
          break;
        case 'calm':
          this.calm();
          break;
        case 'probe-check':
          if (!this.probeCommitted()) this.proposeProbe();
          break;
        case 'end':
          return this.checkLiveness();
      }
    }
  }

  /** The running node whose timer fires first, ties in the order the timers were armed. */
  private nextTimer(): SimNode | null {
    let best: SimNode | null = null;
    for (let id = 1; id < this.nodes.length; id++) {
      const sn = this.nodes[id];
      if (sn.timerAt >= 0 && (best === null || sn.timerAt < best.timerAt || (sn.timerAt === best.timerAt && sn.timerSeq < best.timerSeq))) best = sn;
    }
    return best;
  }

  // ---- nodes --------------------------------------------------------------------------------

  private boot(id: NodeId, kind: 'start' | 'restart'): void {
    const sn = this.nodes[id];
    // Copies, frozen: a node that mutates its cluster list, timing or stored state must not
    // change the simulator's (or another node's) view of them.
    // Our own core is trusted not to (and a copy per boot is a cost each run pays).
    const { cluster, timing, stored } = this.trusted
      ? { cluster: this.cluster, timing: this.schedule.timing, stored: sn.storage.read() }
      : frozenInit(this.cluster, this.schedule.timing, sn.storage.read());
    let node: RaftNode;
    const seed = bootSeed(this.schedule.seed, id, sn.incarnation);
    // Per boot, each instance draws from its own seed, as a process-hosted node must (it gets
    // only the seed): the same schedule then means the same draws in or out of process.
    if (this.schedule.randomness === 'per-boot') sn.random = new Prng(seed);
    try {
      if (!this.begun) {
        this.begun = true;
        this.factory.beginRun?.();
      }
      node = this.factory.create({
        id,
        cluster,
        randomInt: (lo, hi) => sn.random.int(lo, hi),
        seed,
        stored,
        timing,
        snapshotThreshold: this.schedule.snapshotThreshold,
      });
    } catch (err) {
      throw new Stop(this.finding('implementation-error', 'implementation', [id], `create() threw on ${kind}: ${thrownText(err)}`));
    }
    const problem = nodeProblem(node);
    if (problem !== null) throw new Stop(this.finding('implementation-error', 'implementation', [id], `node ${id}: ${problem}`));
    sn.node = node;
    sn.obs = null;
    sn.lastApplied = 0;
    this.input(sn, kind, undefined, null);
  }

  /**
   * Feeds one input to a node and carries out its output: persist, check, record, then arm
   * the timer, apply and send. Returns the output (null when the node is down).
   */
  private input(sn: SimNode, kind: InputKind, extra: Partial<TraceEvent> | undefined, arg: Message | Command | null): Output | null {
    const node = sn.node;
    if (node === null) return null;
    const msg = kind === 'deliver' || kind === 'install-snapshot' ? (arg as Message) : undefined;
    let out: Output | Malformed;
    let after: Observation | Malformed;
    try {
      if (this.trusted) {
        out = feed(node, kind, arg);
        after = node.observe();
      } else {
        out = checkOutput(feed(node, kind, arg), { id: sn.id, nodes: this.schedule.nodes, maxMessages: this.maxMessages });
        after = out instanceof Malformed ? out : checkObservation(node.observe(), this.schedule.nodes);
      }
    } catch (err) {
      throw new Stop(this.finding('implementation-error', 'implementation', [sn.id], `node ${sn.id} threw on ${inputText(kind, extra, msg)}: ${thrownText(err)}`));
    }
    const bad = out instanceof Malformed ? out : after instanceof Malformed ? after : null;
    const malformed = bad !== null ? bad.problem : this.persist(sn, out as Output);
    if (malformed !== null) throw new Stop(this.finding('implementation-error', 'implementation', [sn.id], `node ${sn.id} returned malformed output on ${inputText(kind, extra, msg)}: ${malformed}`));
    out = out as Output;
    after = after as Observation;
    const writes = writesOf(out);
    const before = sn.obs;
    sn.obs = after;

    const restored = out.restored;
    if (restored !== undefined) sn.lastApplied = restored.index;
    for (const a of out.applied) {
      if (a.index !== sn.lastApplied + 1) {
        throw new Stop(this.finding('implementation-error', 'implementation', [sn.id], `node ${sn.id} applied index ${a.index} after ${sn.lastApplied}: entries must be applied in order, once each`));
      }
      sn.lastApplied = a.index;
      if (a.command !== null && a.command.id.startsWith('probe') && !this.probeApplied.has(sn.id)) {
        this.probeApplied.add(sn.id);
        // Liveness is shown once a majority applied the probe; a short grace lets the
        // stragglers catch up under the safety checkers, then the run ends.
        if (this.probeCommitted() && this.ended === false && this.schedule.livenessWindowMs > 0 && this.now >= this.schedule.durationMs) {
          this.ended = true;
          const grace = 2 * this.schedule.timing.electionTimeoutMaxMs;
          this.later(Math.min(this.now + grace, this.schedule.durationMs + this.schedule.livenessWindowMs), { kind: 'end' });
        }
      }
      if (this.track) sn.appliedIds[a.index] = a.command === null ? null : a.command.id;
    }

    const stepNo = this.step;
    if (this.trace !== null) this.trace.push(this.event(kind, sn.id, after, writes, extra));
    else this.step++;
    if (out.applied.length > 0) {
      const first = out.applied[0].index;
      const last = out.applied[out.applied.length - 1];
      if (this.trace === null) this.step++;
      else this.emit('apply', sn.id, { apply: [first, last.index, last.digest] });
    }

    const info: StepInfo = { node: sn.id, step: stepNo, time: this.now, before, after, writes, applied: out.applied, restored };
    for (const c of this.checkers) {
      const r = c.onStep(info);
      if (r !== null) throw new Stop(this.report(r, stepNo));
    }

    const strike = this.armed.length > 0 ? this.takeArmed(sn.id, after, out, writes) : null;
    // An append-triggered crash lands between the fsync and the sends: the entry is durable
    // on this node alone.
    if (strike !== null && strike.trigger === 'append') {
      this.crash(sn.id, strike.downMs, 'after its append, before sending', strike.loss, strike.keep);
      return out;
    }
    // A scripted run never reads the time: a tick step only asks whether a timer is armed.
    if (out.timer !== undefined) {
      const delay = Math.max(1, Math.floor((out.timer * sn.drift + 500) / 1000));
      sn.timerAt = this.now + delay;
      sn.timerSeq = this.seq++;
    }
    for (const m of out.messages) {
      this.ledger?.sent(m, stepNo);
      this.send(m);
    }
    // Vote-, ack- and snapshot-triggered crashes land after the messages left.
    if (strike !== null) this.crash(sn.id, strike.downMs, `after its ${strike.trigger}`, strike.loss, strike.keep);
    return out;
  }

  /**
   * The armed crash this output sets off, if any. Node 0 means whoever does it next. Each
   * trigger is read from what the simulator sees, never from our core's payloads: 'vote', a
   * write (synced or not) whose hardState votes for another node; 'append', entries written
   * while the observation says leader; 'ack', a delivery from the node's leader (per its
   * observation) that wrote entries and sent something back to that leader; 'snapshot', a
   * message whose type names a snapshot (InstallSnapshot, etcd's MsgSnap: any type containing
   * "snap", in any case).
   */
  private takeArmed(id: NodeId, after: Observation, out: Output, writes: readonly DurableWrite[]): Armed | null {
    const did = (t: Armed['trigger']): boolean => {
      switch (t) {
        case 'vote':
          return writes.some((w) => w.hardState !== undefined && w.hardState.votedFor !== null && w.hardState.votedFor !== id);
        case 'append':
          return after.role === 'leader' && writes.some((w) => (w.append?.length ?? 0) > 0);
        case 'ack':
          return ackTo(this.deliveringFrom, after, out.messages) && writes.some((w) => (w.append?.length ?? 0) > 0);
        case 'snapshot':
          return out.messages.some((m) => typeof m.type === 'string' && /snap/i.test(m.type));
      }
    };
    const i = this.armed.findIndex((a) => (a.node === 0 || a.node === id) && did(a.trigger));
    if (i < 0) return null;
    const a = this.armed[i];
    this.armed.splice(i, 1);
    return a;
  }

  /** Makes the output's writes, in order: synced ones durable, the others buffered. */
  private persist(sn: SimNode, out: Output): string | null {
    if (out.write !== undefined && out.writes !== undefined) return 'both write and writes are set (write is shorthand for writes: [write])';
    if (out.writes !== undefined && !Array.isArray(out.writes)) return 'writes is not an array';
    for (const w of writesOf(out)) {
      if (w === null || typeof w !== 'object') return `a write is ${String(w)}`;
      const bad = sn.storage.write(w);
      if (bad !== null) return `durable write: ${bad}`;
    }
    return null;
  }

  private crash(id: NodeId, downMs: number | null, why: string, loss: CrashLoss, keep: number): void {
    const sn = this.nodes[id];
    const node = sn.node;
    if (node === null) return;
    sn.node = null;
    try {
      node.destroy?.();
    } catch (err) {
      throw new Stop(this.finding('implementation-error', 'implementation', [id], `node ${id} threw on destroy (its crash): ${thrownText(err)}`));
    }
    sn.obs = null;
    sn.timerAt = -1;
    sn.incarnation++;
    const { buffered, kept } = sn.storage.crash(loss, keep);
    const stored = sn.storage.read();
    for (const c of this.checkers) c.onCrash?.(id, { lost: kept < buffered, stored });
    const down = downMs === null ? 'down' : `down for ${downMs} ms`;
    const lost = buffered === 0 ? '' : `, ${kept === buffered ? 'kept all' : kept === 0 ? 'lost all' : `kept ${kept}`} of ${buffered} unsynced write parts`;
    this.emit('crash', id, {
      note: `${down}${lost}${why === '' ? '' : ` (${why})`}`,
      ...(buffered === 0 ? {} : { lost: [buffered, kept] as const }),
      ...(kept < buffered ? { log: survivingLog(stored) } : {}),
    });
    if (downMs !== null) this.later(this.now + downMs, { kind: 'restart', node: id, incarnation: sn.incarnation });
  }

  // ---- scripts ------------------------------------------------------------------------------

  private runScript(script: readonly ScriptStep[]): Finding | null {
    for (const id of this.cluster) this.boot(id, 'start');
    for (let i = 0; i < script.length; i++) {
      this.scriptAt = i;
      const st = script[i];
      this.now = Math.max(this.now, st.t);
      this.processed++;
      if (!this.scriptStep(st)) this.scriptSkipped.push(i);
    }
    this.scriptAt = script.length;
    return this.schedule.livenessWindowMs > 0 ? this.livenessAfterScript() : null;
  }

  /**
   * A script with a liveness window (a shrunk liveness finding) ends as a timed run does: the
   * messages still in flight are lost, every link heals, down nodes restart, and the cluster
   * gets the window, with the calm network, to elect a leader and commit a probe.
   */
  private livenessAfterScript(): Finding | null {
    this.inFlight = null;
    for (const id of this.cluster) {
      const sn = this.nodes[id];
      // Script steps fire timers whatever their time; from here time drives them again.
      if (sn.timerAt >= 0 && sn.timerAt < this.now) sn.timerAt = this.now;
    }
    this.later(this.now, { kind: 'calm' });
    this.later(this.now + this.schedule.livenessWindowMs, { kind: 'end' });
    return this.loop();
  }

  /** Carries out one step; false when it finds nothing to do. */
  private scriptStep(st: ScriptStep): boolean {
    if (st.do === 'deliver' || st.do === 'drop' || st.do === 'duplicate') {
      if (!this.isNode(st.from) || !this.isNode(st.to)) return false;
      if (st.do === 'duplicate') {
        const m = this.inFlight!.duplicate(st.from, st.to, st.msg);
        if (m !== null) {
          this.ledger?.duplicated(m, this.step);
          this.emit('duplicate', m.to, { from: m.from, msg: this.record ? summarize(m) : undefined });
        }
        return m !== null;
      }
      const m = this.inFlight!.take(st.from, st.to, st.msg);
      if (m === null) return false;
      if (st.do === 'drop') this.drop(m, st.note ?? 'lost');
      else this.deliver(m, this.links.epoch(m.from, m.to));
      return true;
    }
    if (!this.isNode(st.node)) return false;
    const sn = this.nodes[st.node];
    switch (st.do) {
      case 'tick':
        if (sn.node === null || sn.timerAt < 0) return false;
        sn.timerAt = -1;
        this.input(sn, 'timer', undefined, null);
        return true;
      case 'crash':
        if (sn.node === null) return false;
        this.crash(sn.id, null, st.note ?? '', st.loss ?? 'none', st.keep ?? 0);
        return true;
      case 'restart':
        if (sn.node !== null) return false;
        this.boot(sn.id, 'restart');
        return true;
      case 'propose': {
        if (sn.node === null) return false;
        if (!st.id.startsWith('probe')) this.proposalCount++;
        const cmd = command(st.id, scriptCommandIndex(st.id));
        this.input(sn, 'propose', { note: st.id }, cmd);
        return true;
      }
    }
  }

  private isNode(id: number): boolean {
    return Number.isInteger(id) && id >= 1 && id <= this.schedule.nodes;
  }

  // ---- network ------------------------------------------------------------------------------

  private send(m: Message): void {
    this.sent++;
    if (this.track) this.sentByType.set(m.type, (this.sentByType.get(m.type) ?? 0) + 1);
    if (this.inFlight !== null) {
      this.inFlight.add(m);
      return;
    }
    const fate = this.net.fate(this.knobs);
    if (fate.drop) return this.drop(m, 'lost');
    if (this.links.isBlocked(m.from, m.to)) return this.drop(m, 'cut');
    const epoch = this.links.epoch(m.from, m.to);
    this.queue.push(new Pending(this.now + fate.delay, this.seq++, m, epoch, null));
    if (fate.dupDelay !== null) {
      this.ledger?.duplicated(m, this.step);
      if (this.trace === null) this.step++;
      else this.emit('duplicate', m.to, { from: m.from, msg: summarize(m) });
      this.queue.push(new Pending(this.now + fate.dupDelay, this.seq++, m, epoch, null));
    }
  }

  private drop(m: Message, why: string): void {
    this.dropped++;
    this.ledger?.dropped(m, this.step, why);
    if (this.trace === null) this.step++;
    else this.emit('drop', m.to, { from: m.from, msg: summarize(m), note: why });
  }

  private deliver(m: Message, epoch: number): void {
    const sn = this.nodes[m.to];
    if (sn.node === null) return this.drop(m, 'down');
    if (this.links.epoch(m.from, m.to) !== epoch || this.links.isBlocked(m.from, m.to)) return this.drop(m, 'cut');
    this.delivered++;
    this.ledger?.delivered(m, this.step);
    // InstallSnapshot gets its own kind: in a trace it is the moment a follower's state jumps.
    const kind = m.type === 'InstallSnapshot' ? 'install-snapshot' : 'deliver';
    this.deliveringFrom = m.from;
    try {
      this.input(sn, kind, this.record ? { from: m.from, msg: summarize(m) } : undefined, m);
    } finally {
      this.deliveringFrom = null;
    }
  }

  // ---- faults -------------------------------------------------------------------------------

  private resolve(ref: NodeRef): NodeId | null {
    if (ref >= 1 && ref <= this.schedule.nodes) return ref;
    let best: SimNode | null = null;
    for (const id of this.cluster) {
      const sn = this.nodes[id];
      if (sn.obs !== null && sn.obs.role === 'leader' && (best === null || sn.obs.term > best.obs!.term)) best = sn;
    }
    return best === null ? null : best.id;
  }

  private fault(f: Fault): void {
    this.faultCount++;
    switch (f.kind) {
      case 'crash': {
        const trigger = f.trigger ?? 'time';
        const loss = f.loss ?? 'none';
        const keep = f.keep ?? 0;
        if (trigger !== 'time') {
          this.armed.push({ node: f.node >= 1 && f.node <= this.schedule.nodes ? f.node : 0, trigger, downMs: f.downMs, loss, keep });
          return;
        }
        const id = this.resolve(f.node);
        if (id === null) return this.emit('crash', 0, { note: 'no leader to crash' });
        return this.crash(id, f.downMs, '', loss, keep);
      }
      case 'partition': {
        const side = new Set(f.side.map((r) => this.resolve(r)).filter((x): x is NodeId => x !== null));
        const links: [NodeId, NodeId][] = [];
        for (const a of this.cluster) for (const b of this.cluster) if (side.has(a) !== side.has(b)) links.push([a, b]);
        return this.cutLinks(links, f.durationMs, `{${[...side].sort((a, b) => a - b).join(',')}} | rest`);
      }
      case 'isolate': {
        const id = this.resolve(f.node);
        if (id === null) return this.emit('partition', 0, { note: 'no leader to isolate' });
        const links: [NodeId, NodeId][] = [];
        for (const b of this.cluster) if (b !== id) links.push([id, b], [b, id]);
        return this.cutLinks(links, f.durationMs, `isolate ${id}`);
      }
      case 'cut': {
        const from = this.resolve(f.from);
        const to = this.resolve(f.to);
        if (from === null || to === null || from === to) return this.emit('partition', 0, { note: 'cut skipped' });
        return this.cutLinks([[from, to]], f.durationMs, `one-way ${from} -> ${to}`);
      }
    }
  }

  private cutLinks(links: [NodeId, NodeId][], durationMs: number, note: string): void {
    for (const [a, b] of links) this.links.cut(a, b);
    this.emit('partition', 0, { links, note });
    this.later(this.now + durationMs, { kind: 'heal', links, generation: this.healGeneration });
  }

  /** End of the faulty phase: heal every link, restart every node, calm the network, probe. */
  private calm(): void {
    this.armed = [];
    this.healGeneration++;
    this.links.healAll();
    // Stable means prompt too: delays well under the election timeout spread.
    const d = this.schedule.network;
    this.knobs = { ...CALM_NETWORK, delayMinMs: Math.min(d.delayMinMs, CALM_NETWORK.delayMaxMs), delayMaxMs: Math.min(d.delayMaxMs, CALM_NETWORK.delayMaxMs) };
    this.emit('phase', 0, { note: 'faults healed; liveness window starts' });
    for (const id of this.cluster) if (this.nodes[id].node === null) this.boot(id, 'restart');
    this.proposeProbe();
  }

  // ---- client -------------------------------------------------------------------------------

  private proposeProbe(): void {
    this.probeSeq++;
    const cmd = command(`probe${this.probeSeq}`, -1);
    this.later(this.now, { kind: 'propose', command: cmd, target: 0, attempt: 0, probe: true });
    this.later(this.now + PROBE_RECHECK_MS, { kind: 'probe-check' });
  }

  private probeCommitted(): boolean {
    return this.probeApplied.size * 2 > this.schedule.nodes;
  }

  /** A client as a real one behaves: try the believed leader, follow redirects, retry. */
  private propose(e: Extract<Happening, { kind: 'propose' }>): void {
    if (e.probe && this.probeCommitted()) return;
    const n = this.schedule.nodes;
    const target = e.target === 0 ? this.leaderGuess : e.target;
    if (e.attempt === 0 && !e.probe) this.proposalCount++;
    const sn = this.nodes[target];
    const out = this.input(sn, 'propose', { note: e.command.id }, e.command);
    const result = out?.proposal;
    if (result !== undefined && result.accepted) {
      this.leaderGuess = target;
      return;
    }
    const hint = result !== undefined && !result.accepted ? result.leaderHint : null;
    const next = hint !== null && hint >= 1 && hint <= n && hint !== target ? hint : (target % n) + 1;
    this.leaderGuess = next;
    // A real client tries each node about once, then gives up on the command.
    if (e.probe || e.attempt < n) {
      this.later(this.now + (e.probe ? PROBE_RETRY_MS : CLIENT_RETRY_MS), { ...e, target: next, attempt: e.attempt + 1 });
    }
  }

  private checkLiveness(): Finding | null {
    // A majority applied a command proposed after healing: the cluster made progress. A leader
    // stepping down in the grace after it (a lagging node campaigning, as Raft without PreVote
    // allows) is not a stall.
    if (this.probeCommitted()) return null;
    let leader: NodeId | null = null;
    let maxTerm = 0;
    for (const id of this.cluster) maxTerm = Math.max(maxTerm, this.nodes[id].obs?.term ?? 0);
    for (const id of this.cluster) {
      const o = this.nodes[id].obs;
      if (o !== null && o.role === 'leader' && o.term === maxTerm) leader = id;
    }
    const w = this.schedule.livenessWindowMs;
    if (leader === null) {
      return this.finding('liveness', 'liveness', [], `no leader at term ${maxTerm} after ${w} ms of a healed, stable network`);
    }
    return this.finding('liveness', 'liveness', [leader], `leader ${leader} (term ${maxTerm}) did not commit a new command on a majority within ${w} ms of a healed network`);
  }

  // ---- recording and findings ---------------------------------------------------------------

  /** Records an event; hot paths test `this.trace` first, so an unrecorded run builds no `extra`. */
  private emit(kind: EventKind, node: NodeId, extra: Partial<TraceEvent>): void {
    if (this.trace === null) {
      this.step++;
      return;
    }
    this.trace.push({ step: this.step++, t: this.now, kind, node, ...extra });
  }

  private event(kind: EventKind, node: NodeId, after: Observation, writes: readonly DurableWrite[], extra: Partial<TraceEvent> | undefined): TraceEvent {
    const state: NodeState = { role: after.role, term: after.term, vote: after.votedFor, commit: after.commitIndex, applied: after.lastApplied };
    const changes = writes.flatMap((w) => logChange(w) ?? []);
    // One synced change is recorded as `log`, as contract-1 traces have it; anything else as `logs`.
    const log = changes.length === 1 && changes[0].sync === undefined ? { log: changes[0] } : changes.length > 0 ? { logs: changes } : {};
    return { step: this.step++, t: this.now, kind, node, ...extra, state, ...log };
  }

  private finding(invariant: string, kind: Finding['kind'], nodes: NodeId[], message: string): Finding {
    return { invariant, kind, step: Math.max(0, this.step - 1), time: this.now, nodes, message };
  }

  private report(r: Report, step: number): Finding {
    return { ...r, kind: 'safety', step, time: this.now };
  }

  // ---- queue --------------------------------------------------------------------------------

  private later(time: number, what: Happening): void {
    this.queue.push(new Pending(time, this.seq++, null, 0, what));
  }
}

/** A write's change to the log as a trace records it; null when it leaves the log alone. */
function logChange(w: DurableWrite): LogChange | null {
  if (w.snapshot === undefined && w.truncateFrom === undefined && (w.append?.length ?? 0) === 0) return null;
  return {
    ...(w.snapshot !== undefined ? { snap: [w.snapshot.lastIncludedIndex, w.snapshot.lastIncludedTerm] as const } : {}),
    ...(w.truncateFrom !== undefined ? { trunc: w.truncateFrom } : {}),
    ...(w.append !== undefined && w.append.length > 0 ? { app: w.append.map((e) => [e.index, e.term, e.command === null ? null : e.command.id] as const) } : {}),
    ...(w.sync === false ? { sync: false as const } : {}),
  };
}

/** The log a crash left, as a trace records it: it replaces what the node had written. */
function survivingLog(stored: ReturnType<Storage['read']>): LogChange {
  const snap = stored?.snapshot ?? null;
  return {
    reset: true,
    ...(snap === null ? {} : { snap: [snap.lastIncludedIndex, snap.lastIncludedTerm] as const }),
    ...((stored?.log.length ?? 0) > 0 ? { app: stored!.log.map((e) => [e.index, e.term, e.command === null ? null : e.command.id] as const) } : {}),
  };
}

/** The trace kinds of the events that are a node's input. */
type InputKind = 'start' | 'restart' | 'timer' | 'deliver' | 'install-snapshot' | 'propose';

/** Hands a node its input: a plain call rather than a closure per input, which the hot loop would allocate. */
function feed(node: RaftNode, kind: InputKind, arg: Message | Command | null): Output {
  switch (kind) {
    case 'start':
    case 'restart':
      return node.start();
    case 'timer':
      return node.tick();
    case 'deliver':
    case 'install-snapshot':
      return node.receive(arg as Message);
    case 'propose':
      return node.propose(arg as Command);
  }
}

/** What a node was told, for a finding: the input and its message or command. */
function inputText(kind: EventKind, extra: Partial<TraceEvent> | undefined, msg: Message | undefined): string {
  if (msg !== undefined) return `${kind} of ${summarize(msg)} from node ${String(msg.from)}`;
  return extra?.note !== undefined ? `${kind} ${extra.note}` : kind;
}

/** A message's full content where it serializes, else its summary. */
function contentOf(m: Message, summary: string): string {
  try {
    return JSON.stringify(m) ?? summary;
  } catch {
    return summary;
  }
}

function command(id: string, k: number): Command {
  return { id, key: `k${k < 0 ? 'p' : k % 5}`, value: id };
}

export function runSimulation(options: SimOptions): RunResult {
  return new Simulator(options).run();
}
