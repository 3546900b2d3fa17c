/**
 * The ranges a trace's numbers must lie in: those `run` and `scenario` produce, with room to
 * spare, and small enough that replaying any valid trace ends in seconds and bounded memory
 * (an absurd timeout or duration otherwise loops for hours or eats gigabytes).
 */
export const LIMITS = {
  /** Cluster sizes `run` accepts (the exploration arbitraries draw per-node data for 9). */
  nodes: 9,
  /** Any virtual time or duration (ms): the scenarios' horizon is 600,000 ms. */
  virtualMs: 600_000,
  /** Election timeouts and heartbeats (ms). */
  timingMs: 60_000,
  /** Network delays (ms). */
  delayMs: 60_000,
  snapshotThreshold: 1_000_000,
  /** Seeds are 32-bit. */
  seed: 2 ** 32 - 1,
  faults: 1_000,
  proposals: 10_000,
  netChoices: 1_000_000,
  scriptSteps: 100_000,
  events: 2_000_000,
  /** Bytes of a trace file: a recording of 2,000,000 events is about 300 MB; we read less. */
  fileBytes: 256 * 1024 * 1024,
  /** Nesting of the JSON: a trace needs 6 levels; deeper is not a trace. */
  depth: 32,
} as const;
