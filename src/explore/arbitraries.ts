import fc from 'fast-check';
import { CHOICE_RANGE, type Fault, type FaultKind, type Schedule } from '../sim/schedule.js';

export interface ScheduleArbOptions {
  /** Fixed cluster size, or undefined to let fast-check pick 3, 5 or 7. */
  readonly nodes?: number;
  /** Fault kinds that may be drawn; swarm testing turns a random subset of them on per run. */
  readonly faultKinds?: readonly FaultKind[];
  /** Network misbehaviour may be drawn (drop, duplicate, long delay). */
  readonly lossy?: boolean;
  /** Snapshots may be turned on (default true). */
  readonly snapshots?: boolean;
  /** Most per-message choices generated; past them choices come from a generated seed. */
  readonly maxChoices?: number;
}

const ALL_KINDS: readonly FaultKind[] = ['crash', 'partition', 'isolate', 'cut'];
const MAX_NODES = 9;
const MAX_DURATION = 6000;

/**
 * A run's liveness window, in longest election timeouts: long enough that our correct core
 * always makes progress in it after healing (the property gate holds it to that).
 */
export const LIVENESS_WINDOW_TIMEOUTS = 10;

/**
 * Schedules as fast-check values. Every part shrinks toward a calm run: fewer faults (a whole
 * kind switched off by its swarm flag), on-time messages, no drift, default timing.
 * Node references shrink toward 0, "the leader".
 */
export function scheduleArb(options: ScheduleArbOptions = {}): fc.Arbitrary<Schedule> {
  const kinds = options.faultKinds ?? ALL_KINDS;
  const lossy = options.lossy ?? true;
  const pct = (max: number) => (lossy ? fc.integer({ min: 0, max }) : fc.constant(0));
  const at = fc.nat(MAX_DURATION - 1);
  // Half the faults aim at whoever leads: that is where Raft's hard cases live.
  const ref = fc.oneof(fc.constant(0), fc.nat(MAX_NODES));
  // Crashes weigh double: every persistence bug needs one, at the right moment.
  const crash = fc.record({
    at,
    kind: fc.constant('crash' as const),
    node: ref,
    // Often a quick restart: a node back before its peers' messages of the moment arrive.
    downMs: fc.oneof(fc.integer({ min: 1, max: 50 }), fc.integer({ min: 1, max: 2000 })),
    // 'vote' twice: a restart right after voting is where persistence bugs hide best.
    trigger: fc.constantFrom('time' as const, 'vote' as const, 'append' as const, 'snapshot' as const, 'vote' as const, 'ack' as const),
    // What the crash does to unsynced writes; shrinks toward losing nothing. Losing them all
    // weighs double: it is what shows an acknowledgement sent before its fsync.
    loss: fc.constantFrom('none' as const, 'unsynced' as const, 'torn' as const, 'unsynced' as const),
    keep: fc.nat(8),
  }).map(({ keep, ...f }) => (f.loss === 'torn' ? { ...f, keep } : f));
  const fault: fc.Arbitrary<Fault> = fc.oneof(
    { weight: 2, arbitrary: crash },
    fc.record({ at, kind: fc.constant('partition' as const), side: fc.uniqueArray(ref, { maxLength: 4 }), durationMs: fc.integer({ min: 50, max: 3000 }) }),
    // Isolating the leader weighs more: a cut-off leader still takes proposals, the raw
    // material of Figure 8.
    { weight: 3, arbitrary: fc.record({ at, kind: fc.constant('isolate' as const), node: ref, durationMs: fc.integer({ min: 50, max: 3000 }) }) },
    fc.record({ at, kind: fc.constant('cut' as const), from: ref, to: ref, durationMs: fc.integer({ min: 50, max: 3000 }) }),
  );
  return fc
    .record({
      // Declaration order is shrink order: the parts that make a counterexample long go first.
      swarm: fc.record({ crash: fc.boolean(), partition: fc.boolean(), isolate: fc.boolean(), cut: fc.boolean() }),
      faults: fc.array(fault, { maxLength: 14, size: 'max' }),
      proposals: fc.array(at, { maxLength: 40, size: 'max' }),
      durationMs: fc.integer({ min: 500, max: MAX_DURATION }),
      nodes: options.nodes === undefined ? fc.constantFrom(3, 5, 7) : fc.constant(options.nodes),
      dropPerMille: pct(300),
      dupPerMille: pct(200),
      slowPerMille: pct(200),
      slowMaxMs: fc.integer({ min: 0, max: 1000 }),
      delayMax: fc.integer({ min: 1, max: 40 }),
      electionMin: fc.integer({ min: 150, max: 300 }),
      // A narrow timeout range half the time: simultaneous candidates and split votes, yet wide
      // enough against the healed network's delays that elections still converge.
      electionSpread: fc.oneof(fc.integer({ min: 0, max: 130 }).map((x) => 150 - x), fc.integer({ min: 20, max: 50 })),
      heartbeat: fc.integer({ min: 20, max: 50 }).map((x) => 70 - x),
      // Small thresholds, mostly very small, so lagging followers regularly need InstallSnapshot
      // (compaction bugs were all found with thresholds of 3 to 8).
      snapshotThreshold:
        options.snapshots === false
          ? fc.constant(0)
          : fc.oneof({ weight: 1, arbitrary: fc.constant(0) }, { weight: 2, arbitrary: fc.integer({ min: 2, max: 8 }) }, { weight: 1, arbitrary: fc.integer({ min: 2, max: 30 }) }),
      seed: fc.nat(),
      netSeed: fc.nat(),
      drift: fc.array(fc.oneof(fc.constant(0), fc.integer({ min: -200, max: 200 })), { minLength: MAX_NODES, maxLength: MAX_NODES }),
      choices: fc.array(fc.nat(CHOICE_RANGE - 1), { maxLength: options.maxChoices ?? 400, size: 'max' }),
    })
    .map((g): Schedule => {
      const n = g.nodes;
      const fit = (r: number) => r % (n + 1);
      const on = (k: FaultKind) => kinds.includes(k) && g.swarm[k];
      const faults = g.faults
        .filter((f) => on(f.kind))
        .map((f): Fault => {
          const t = f.at % g.durationMs;
          switch (f.kind) {
            case 'crash':
            case 'isolate':
              return { ...f, at: t, node: fit(f.node) };
            case 'partition':
              return { ...f, at: t, side: [...new Set(f.side.map(fit))].sort((a, b) => a - b) };
            case 'cut':
              return { ...f, at: t, from: fit(f.from), to: fit(f.to) };
          }
        })
        .sort((a, b) => a.at - b.at);
      const electionMax = g.electionMin + g.electionSpread;
      return {
        nodes: n,
        timing: { electionTimeoutMinMs: g.electionMin, electionTimeoutMaxMs: electionMax, heartbeatMs: g.heartbeat },
        network: {
          delayMinMs: 1,
          delayMaxMs: g.delayMax,
          dropPerMille: g.dropPerMille,
          dupPerMille: g.dupPerMille,
          slowPerMille: g.slowPerMille,
          slowMaxMs: g.slowMaxMs,
        },
        net: { seed: g.netSeed, choices: g.choices },
        drift: g.drift.slice(0, n).map((d) => 1000 + d),
        faults,
        proposals: g.proposals.map((p) => p % g.durationMs).sort((a, b) => a - b),
        durationMs: g.durationMs,
        livenessWindowMs: LIVENESS_WINDOW_TIMEOUTS * electionMax,
        snapshotThreshold: g.snapshotThreshold,
        seed: g.seed,
        randomness: 'per-boot',
      };
    });
}
