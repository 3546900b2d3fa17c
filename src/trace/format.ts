import { z } from 'zod';
import { SAFETY_INVARIANTS } from '../check/checkers.js';
import { CHOICE_RANGE } from '../sim/schedule.js';
import { LIMITS } from './limits.js';
import { TRACE_FORMAT, TRACE_VERSION } from './format-id.js';

export { TRACE_FORMAT, TRACE_VERSION };

const int = z.number().int();
const nat = int.nonnegative();
/** 0 (whoever leads, or the whole cluster) or a node id. */
const nodeId = int.min(0).max(LIMITS.nodes);
/** Virtual times and durations. */
const ms = nat.max(LIMITS.virtualMs);
const timingMs = int.min(1).max(LIMITS.timingMs);
const delayMs = nat.max(LIMITS.delayMs);

const timing = z.object({
  electionTimeoutMinMs: timingMs,
  electionTimeoutMaxMs: timingMs,
  heartbeatMs: timingMs,
}).refine((t) => t.electionTimeoutMinMs <= t.electionTimeoutMaxMs, 'electionTimeoutMinMs must not exceed electionTimeoutMaxMs');

const network = z.object({
  delayMinMs: delayMs,
  delayMaxMs: delayMs,
  dropPerMille: int.min(0).max(1000),
  dupPerMille: int.min(0).max(1000),
  slowPerMille: int.min(0).max(1000),
  slowMaxMs: delayMs,
}).refine((k) => k.delayMinMs <= k.delayMaxMs, 'delayMinMs must not exceed delayMaxMs');

const loss = { loss: z.enum(['none', 'unsynced', 'torn']).optional(), keep: nat.optional() };

const fault = z.discriminatedUnion('kind', [
  z.object({ at: ms, kind: z.literal('crash'), node: nodeId, downMs: ms, trigger: z.enum(['time', 'vote', 'append', 'ack', 'snapshot']).optional(), ...loss }),
  z.object({ at: ms, kind: z.literal('partition'), side: z.array(nodeId).max(LIMITS.nodes + 1), durationMs: ms }),
  z.object({ at: ms, kind: z.literal('isolate'), node: nodeId, durationMs: ms }),
  z.object({ at: ms, kind: z.literal('cut'), from: nodeId, to: nodeId, durationMs: ms }),
]);

const from = { t: ms, from: nodeId, to: nodeId, msg: z.string() };
const scriptStep = z.discriminatedUnion('do', [
  z.object({ t: ms, do: z.literal('tick'), node: nodeId }),
  z.object({ do: z.literal('deliver'), ...from }),
  z.object({ do: z.literal('duplicate'), ...from }),
  z.object({ do: z.literal('drop'), ...from, note: z.string().optional() }),
  z.object({ t: ms, do: z.literal('crash'), node: nodeId, note: z.string().optional(), ...loss }),
  z.object({ t: ms, do: z.literal('restart'), node: nodeId }),
  z.object({ t: ms, do: z.literal('propose'), node: nodeId, id: z.string() }),
]);

export const scheduleSchema = z.object({
  nodes: int.min(1).max(LIMITS.nodes),
  timing,
  network,
  net: z.object({ seed: nat.max(LIMITS.seed).nullable(), choices: z.array(int.min(0).max(CHOICE_RANGE - 1)).max(LIMITS.netChoices) }),
  drift: z.array(int.min(1).max(10_000)).max(LIMITS.nodes),
  faults: z.array(fault).max(LIMITS.faults),
  proposals: z.array(ms).max(LIMITS.proposals),
  durationMs: ms,
  livenessWindowMs: ms,
  snapshotThreshold: nat.max(LIMITS.snapshotThreshold),
  seed: nat.max(LIMITS.seed),
  randomness: z.literal('per-boot').optional(),
  script: z.array(scriptStep).max(LIMITS.scriptSteps).optional(),
});

const findingSchema = z.object({
  invariant: z.string(),
  kind: z.enum(['safety', 'liveness', 'implementation', 'assertion']),
  step: nat,
  time: nat,
  nodes: z.array(nodeId),
  index: nat.optional(),
  terms: z.array(nat).optional(),
  message: z.string(),
});

const pair = z.tuple([nodeId, nodeId]);

const logChange = z.object({
  snap: z.tuple([nat, nat]).optional(),
  trunc: nat.optional(),
  app: z.array(z.tuple([nat, nat, z.string().nullable()])).optional(),
  sync: z.literal(false).optional(),
  reset: z.literal(true).optional(),
});

export const eventSchema = z.object({
  step: nat,
  t: nat,
  kind: z.enum(['start', 'deliver', 'drop', 'duplicate', 'timer', 'crash', 'restart', 'partition', 'heal', 'propose', 'apply', 'snapshot', 'install-snapshot', 'phase']),
  node: nodeId,
  from: nodeId.optional(),
  msg: z.string().optional(),
  note: z.string().optional(),
  links: z.array(pair).optional(),
  state: z
    .object({ role: z.enum(['follower', 'candidate', 'leader']), term: nat, vote: nodeId.nullable(), commit: nat, applied: nat })
    .optional(),
  log: logChange.optional(),
  logs: z.array(logChange).optional(),
  lost: z.tuple([nat, nat]).optional(),
  apply: z.tuple([nat, nat, nat]).optional(),
});

const sizeSchema = z.object({ events: nat, faults: nat, delivered: nat, proposals: nat });

export const traceSchema = z.object({
  format: z.literal(TRACE_FORMAT),
  version: z.literal(TRACE_VERSION),
  tool: z.string(),
  implementation: z.object({
    name: z.string(),
    bug: z.string().nullable(),
    module: z.string().nullable(),
    /** The `--exec` command line it ran (absent for a module or our core). */
    exec: z.string().optional(),
  }),
  profile: z.string(),
  seed: int.nullable(),
  path: z.string().nullable(),
  /**
   * The safety invariants the run was checked against. Absent in traces recorded before
   * commit-durability existed: those replay against the five of Figure 3, as they were made.
   */
  checks: z.array(z.enum(SAFETY_INVARIANTS)).optional(),
  schedule: scheduleSchema,
  violation: findingSchema.nullable(),
  shrink: z.object({ before: sizeSchema, after: sizeSchema, runs: nat }).nullable(),
  events: z.array(eventSchema).max(LIMITS.events),
});

export type TraceFile = z.infer<typeof traceSchema>;
export type TraceSize = z.infer<typeof sizeSchema>;
