import type { Timing } from '../raft/types.js';
import { Prng, STREAM } from './prng.js';
import type { ScriptStep } from './script.js';
import type { CrashLoss } from './storage.js';

/**
 * A run is fully described by a Schedule: plain data that fast-check can generate and shrink,
 * that a seed can produce, and that a trace file stores so a replay needs nothing else.
 */
export interface Schedule {
  readonly nodes: number;
  readonly timing: Timing;
  readonly network: NetworkKnobs;
  /**
   * Per-message choices, each in [0, CHOICE_RANGE), consumed in send order and decoded with
   * `network`. Past the end they come from `seed` when it is set, else every message is on
   * time (choice 0): shrinking the list straightens the network.
   */
  readonly net: { readonly seed: number | null; readonly choices: readonly number[] };
  /** Per node, clock rate in per-mille: 1100 means its timers fire 10% late. */
  readonly drift: readonly number[];
  readonly faults: readonly Fault[];
  /** Virtual times (ms) at which the client proposes a new command. */
  readonly proposals: readonly number[];
  /** Length of the faulty phase (ms); then every fault heals and liveness is watched. */
  readonly durationMs: number;
  /** How long the healed, stable cluster has to elect a leader and commit a probe (ms). */
  readonly livenessWindowMs: number;
  /** Applied entries kept in a log before a node snapshots; 0 turns compaction off. */
  readonly snapshotThreshold: number;
  /** Seeds the nodes' randomness (election timeouts). */
  readonly seed: number;
  /**
   * How a node's randomness follows `seed`. 'per-boot': every boot (start or restart) draws
   * from its own NodeInit.seed, which is all a process-hosted node gets, so in-process and
   * over the protocol the same schedule draws the same. Absent: one stream per node kept
   * across restarts (traces recorded before per-boot existed).
   */
  readonly randomness?: 'per-boot';
  /**
   * When set, the run follows these steps instead of time, faults, proposals and the network
   * (which it ignores). After the last one it ends, or, with a liveness window, heals and runs
   * the window as a timed run does (messages still in flight are lost). Shrinking turns a
   * failing run into one: see `./script.ts`.
   */
  readonly script?: readonly ScriptStep[];
}

export interface NetworkKnobs {
  /** Ordinary one-way delay range (ms). */
  readonly delayMinMs: number;
  readonly delayMaxMs: number;
  /** Per-mille of messages dropped. */
  readonly dropPerMille: number;
  /** Per-mille of messages delivered twice. */
  readonly dupPerMille: number;
  /** Per-mille of messages held back up to slowMaxMs beyond delayMaxMs: long reordering. */
  readonly slowPerMille: number;
  readonly slowMaxMs: number;
}

/** A node by id (1..n), or 0 for whoever is leader when the fault strikes. */
export type NodeRef = number;

/**
 * When a crash strikes: at its time, or armed at its time and struck at the node's next
 * written vote for another node ('vote', after the reply is sent), next append as leader
 * ('append', before anything is sent), next acknowledgement of its leader's AppendEntries
 * ('ack': a delivery from the node's leader that wrote entries and answered, after the answer
 * left) or next snapshot message sent ('snapshot', after it left): the moments where
 * persistence and compaction bugs show. With node 0 an armed crash strikes whichever node
 * does it next. Every trigger is read from what the simulator sees (writes, observations,
 * who a message goes to; for 'snapshot', a message type containing "snap"), so it works for
 * any implementation's message names.
 */
export type CrashTrigger = 'time' | 'vote' | 'append' | 'ack' | 'snapshot';

export type Fault =
  | {
      readonly at: number;
      readonly kind: 'crash';
      readonly node: NodeRef;
      readonly downMs: number;
      readonly trigger?: CrashTrigger;
      /** What becomes of the node's unsynced writes; absent: nothing is lost. */
      readonly loss?: CrashLoss;
      /** With loss 'torn': parts kept (at most all but one of the buffered parts). */
      readonly keep?: number;
    }
  /** The nodes in `side` and the rest cannot talk either way. */
  | { readonly at: number; readonly kind: 'partition'; readonly side: readonly NodeRef[]; readonly durationMs: number }
  | { readonly at: number; readonly kind: 'isolate'; readonly node: NodeRef; readonly durationMs: number }
  /** One-way: messages from `from` to `to` are lost. */
  | { readonly at: number; readonly kind: 'cut'; readonly from: NodeRef; readonly to: NodeRef; readonly durationMs: number };

export type FaultKind = Fault['kind'];

export const CHOICE_RANGE = 10_000;

export const DEFAULT_TIMING: Timing = { electionTimeoutMinMs: 150, electionTimeoutMaxMs: 300, heartbeatMs: 50 };

/** The healed network of the liveness window: prompt and lossless. */
export const CALM_NETWORK: NetworkKnobs = {
  delayMinMs: 1,
  delayMaxMs: 5,
  dropPerMille: 0,
  dupPerMille: 0,
  slowPerMille: 0,
  slowMaxMs: 0,
};

/** An ordinary LAN: delays well below the election timeout (paper section 5.6). */
const STEADY: NetworkKnobs = { ...CALM_NETWORK, delayMaxMs: 15 };

/** How a seed turns into faults: counts over the faulty phase, and the network knobs. */
export interface Profile {
  readonly network: NetworkKnobs;
  readonly crashes: number;
  readonly partitions: number;
  readonly isolations: number;
  readonly cuts: number;
  /** Largest clock drift, per-mille either way. */
  readonly maxDrift: number;
}

const LOSSY: NetworkKnobs = { ...STEADY, dropPerMille: 100, dupPerMille: 50, slowPerMille: 50, slowMaxMs: 400 };

export const PROFILES = {
  none: { network: STEADY, crashes: 0, partitions: 0, isolations: 0, cuts: 0, maxDrift: 0 },
  lossy: { network: LOSSY, crashes: 0, partitions: 0, isolations: 0, cuts: 0, maxDrift: 0 },
  partitions: { network: STEADY, crashes: 0, partitions: 3, isolations: 2, cuts: 2, maxDrift: 0 },
  crashes: { network: STEADY, crashes: 4, partitions: 0, isolations: 0, cuts: 0, maxDrift: 50 },
  chaos: { network: LOSSY, crashes: 3, partitions: 2, isolations: 2, cuts: 2, maxDrift: 100 },
} as const satisfies Record<string, Profile>;

export type ProfileName = keyof typeof PROFILES;

export function isProfileName(name: string): name is ProfileName {
  return Object.prototype.hasOwnProperty.call(PROFILES, name);
}

export interface SeedOptions {
  readonly nodes: number;
  readonly profile?: Profile;
  readonly durationMs?: number;
  readonly livenessWindowMs?: number;
  readonly snapshotThreshold?: number;
  readonly timing?: Timing;
}

/** The schedule a seed stands for: each part drawn from its own stream. */
export function scheduleFromSeed(seed: number, options: SeedOptions): Schedule {
  const profile = options.profile ?? PROFILES.chaos;
  const nodes = options.nodes;
  const durationMs = options.durationMs ?? 4000;
  const root = new Prng(seed);
  const faults = root.split(STREAM.faults);
  const client = root.split(STREAM.client);
  const drift = root.split(STREAM.drift);
  const compaction = root.split(STREAM.compaction);
  const list: Fault[] = [];
  const ref = (): NodeRef => faults.int(0, nodes);
  const at = (): number => faults.int(0, durationMs - 1);
  for (let i = 0; i < profile.crashes; i++) list.push({ at: at(), kind: 'crash', node: ref(), downMs: faults.int(50, 1500) });
  for (let i = 0; i < profile.partitions; i++) {
    const side: NodeRef[] = [];
    for (let n = 1; n <= nodes; n++) if (faults.chance(1, 2)) side.push(n);
    list.push({ at: at(), kind: 'partition', side, durationMs: faults.int(100, 2000) });
  }
  for (let i = 0; i < profile.isolations; i++) list.push({ at: at(), kind: 'isolate', node: ref(), durationMs: faults.int(100, 2000) });
  for (let i = 0; i < profile.cuts; i++) {
    list.push({ at: at(), kind: 'cut', from: ref(), to: faults.int(1, nodes), durationMs: faults.int(100, 2000) });
  }
  list.sort((x, y) => x.at - y.at);
  const proposals: number[] = [];
  const count = client.int(5, 30);
  for (let i = 0; i < count; i++) proposals.push(client.int(0, durationMs - 1));
  proposals.sort((x, y) => x - y);
  return {
    nodes,
    timing: options.timing ?? DEFAULT_TIMING,
    network: profile.network,
    net: { seed: root.split(STREAM.network).nextU32(), choices: [] },
    drift: Array.from({ length: nodes }, () => 1000 + drift.int(-profile.maxDrift, profile.maxDrift)),
    faults: list,
    proposals,
    durationMs,
    livenessWindowMs: options.livenessWindowMs ?? 3000,
    snapshotThreshold: options.snapshotThreshold ?? compaction.int(0, 1) * compaction.int(3, 30),
    seed: root.split(STREAM.timers).nextU32(),
    randomness: 'per-boot',
  };
}
