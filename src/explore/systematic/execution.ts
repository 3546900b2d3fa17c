import { SAFETY_INVARIANTS, SafetyChecker, type SafetyInvariant } from '../../check/checkers.js';
import type { NodeFactory, Timing } from '../../raft/types.js';
import type { Finding } from '../../sim/observer.js';
import { CALM_NETWORK, type Schedule } from '../../sim/schedule.js';
import { Simulator, type ScriptView } from '../../sim/simulator.js';
import { stepOf, type Choice } from './choices.js';
import { History } from './history.js';

/**
 * Fixed timeouts: a node's randomInt then never draws (an empty range), so what a tick does
 * depends on the node's state alone and two paths to one state really are one state. With the
 * election timeout equal to the heartbeat, each tick of a candidate is a new election rather
 * than a retry of its RequestVotes (a duplicate step covers a retry).
 */
export const SYSTEMATIC_TIMING: Timing = { electionTimeoutMinMs: 150, electionTimeoutMaxMs: 150, heartbeatMs: 150 };

export interface Setup {
  readonly factory: NodeFactory;
  readonly nodes: number;
  /** Seeds the nodes' own randomness (NodeInit.seed); our core draws nothing with fixed timing. */
  readonly seed: number;
  /** Applied entries kept before a node snapshots; 0 turns compaction off. */
  readonly snapshotThreshold: number;
  readonly invariants?: readonly SafetyInvariant[];
}

/** The scripted schedule a path of choices stands for: what a trace of it stores and replays. */
export function scriptSchedule(setup: Setup, path: readonly Choice[]): Schedule {
  return {
    nodes: setup.nodes,
    timing: SYSTEMATIC_TIMING,
    network: CALM_NETWORK,
    net: { seed: null, choices: [] },
    drift: Array.from({ length: setup.nodes }, () => 1000),
    faults: [],
    proposals: [],
    durationMs: path.length,
    livenessWindowMs: 0,
    snapshotThreshold: setup.snapshotThreshold,
    seed: setup.seed,
    randomness: 'per-boot',
    script: path.map((c, i) => stepOf(c, i + 1)),
  };
}

/**
 * One scripted run driven a step at a time. Nodes cannot be copied, so going back means
 * running again from the boot: `reset` re-executes a path, and `steps` counts every step run,
 * re-executions included.
 */
export class Execution {
  private sim!: Simulator;
  private history!: History;
  private length = 0;
  steps = 0;

  constructor(private readonly setup: Setup) {
    this.reset([]);
  }

  /** Starts over and runs the path; false when a step of it found nothing to do. */
  reset(path: readonly Choice[]): boolean {
    this.history = new History(this.setup.nodes);
    const schedule = scriptSchedule(this.setup, []);
    this.sim = new Simulator({
      factory: this.setup.factory,
      schedule,
      checkers: [new SafetyChecker(this.setup.nodes, new Set(this.setup.invariants ?? SAFETY_INVARIANTS)), this.history],
    });
    this.sim.begin();
    this.length = 0;
    for (const c of path) if (!this.apply(c)) return false;
    return true;
  }

  /** Takes one choice; false when it found nothing to do (or the run had already ended). */
  apply(c: Choice): boolean {
    if (this.sim.stoppedBy !== null) return false;
    this.steps++;
    this.length++;
    return this.sim.scripted(stepOf(c, this.length));
  }

  get finding(): Finding | null {
    return this.sim.stoppedBy;
  }

  view(): ScriptView {
    return this.sim.scriptView();
  }

  /** The highest term any node has reached since the boot. */
  get maxTerm(): number {
    return this.history.maxTerm;
  }

  /**
   * The state as a cache key (the budgets spent are the caller's to compare); null when a
   * running node has no fingerprint().
   */
  key(): string | null {
    const cluster = this.sim.fingerprint();
    if (cluster === null) return null;
    return digest(`${cluster}\n${this.history.fingerprint()}`);
  }
}

/**
 * 64 bits of a string, as 16 hex digits: two independent 32-bit lanes (FNV-1a, and a
 * multiply-rotate lane with other constants). A million states collide with odds near 1e-8,
 * and the cache keeps 16 characters a state instead of kilobytes.
 */
export function digest(s: string): string {
  let a = 0x811c9dc5;
  let b = 0x9747b28c;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  a ^= a >>> 16;
  a = Math.imul(a, 0x85ebca6b);
  a ^= a >>> 13;
  b = Math.imul(b ^ (b >>> 16), 0xc2b2ae35);
  b ^= b >>> 16;
  return (a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0');
}

