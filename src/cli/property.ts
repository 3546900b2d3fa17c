import { join, relative, sep } from 'node:path';
import { explore } from '../explore/explore.js';
import type { NodeFactory } from '../raft/types.js';
import type { Finding } from '../sim/observer.js';
import type { ProfileName } from '../sim/schedule.js';
import { writeNewTrace } from '../trace/write.js';
import { DEFAULT_OUT } from './out-dir.js';
import { factoryProblems } from './impl.js';
import { renderSize, shellQuote, cliCommand } from './text.js';

export interface RaftPropertyOptions {
  /** Schedules to try (default 100). */
  readonly iterations?: number;
  /** fast-check seed (default 1): same seed, same schedules. */
  readonly seed?: number;
  /** Cluster size, 1 to 9 (default 5). */
  readonly nodes?: number;
  /** Fault profile (default 'chaos'). */
  readonly faults?: ProfileName;
  /** Let schedules turn on snapshots (default true). */
  readonly snapshots?: boolean;
  /** Wall-clock budget for shrinking a violation, ms (default 10 000). */
  readonly shrinkTimeMs?: number;
  /** Where the counterexample trace goes (default `traces`, relative to the working directory). */
  readonly out?: string;
  /**
   * The path of the module that exports `factory`, recorded in the trace so that
   * `raft-check replay` loads it by itself. Without it, the replay command needs `--impl`.
   */
  readonly module?: string;
}

export interface RaftPropertyResult {
  readonly iterations: number;
  readonly events: number;
}

/** Thrown by raftProperty: the violation, and the trace that reproduces it. */
export class RaftViolationError extends Error {
  override readonly name = 'RaftViolationError';
  constructor(
    message: string,
    readonly finding: Finding,
    readonly trace: string,
  ) {
    super(message);
  }
}

/**
 * raft-check's gate for a user's own test suite: explores `options.iterations` fault schedules
 * against `factory` and returns quietly when every safety and liveness check holds. On a
 * violation it shrinks the schedule, writes the trace and throws a RaftViolationError whose
 * message names the invariant, explains it and gives the replay command.
 *
 * @example
 *   it('keeps Raft safe', () => { raftProperty(myFactory, { iterations: 200, module: 'src/my-raft.ts' }); });
 */
export function raftProperty(factory: NodeFactory, options: RaftPropertyOptions = {}): RaftPropertyResult {
  const problems = factoryProblems(factory);
  if (problems.length > 0) throw new TypeError(`raftProperty: the first argument is not a node factory: ${problems.join('; ')}`);
  const nodes = options.nodes ?? 5;
  if (!Number.isInteger(nodes) || nodes < 1 || nodes > 9) throw new RangeError(`raftProperty: nodes must be an integer from 1 to 9, got ${nodes}`);
  const iterations = options.iterations ?? 100;
  if (!Number.isInteger(iterations) || iterations < 1) throw new RangeError(`raftProperty: iterations must be an integer >= 1, got ${iterations}`);
  const seed = options.seed ?? 1;
  const module = options.module === undefined ? null : relative(process.cwd(), options.module).split(sep).join('/');
  const r = explore({
    factory,
    implementation: { name: factory.name, bug: null, module },
    iterations,
    seed,
    nodes,
    profile: options.faults ?? 'chaos',
    snapshots: options.snapshots ?? true,
    shrinkTimeMs: options.shrinkTimeMs ?? 10_000,
  });
  const f = r.failure;
  if (f === null) return { iterations: r.iterations, events: r.events };
  const file = writeNewTrace(join(options.out ?? DEFAULT_OUT, `${f.finding.invariant}-seed${seed}.json`), f.trace);
  const replay = `${cliCommand()} replay ${shellQuote(file)}${module === null ? ' --impl <the module exporting your factory>' : ''}`;
  throw new RaftViolationError(
    [
      `${f.finding.invariant} violated by ${factory.name} (seed ${seed}, iteration ${f.runIndex}): ${f.finding.message}`,
      `  shrunk: ${renderSize(f.original)} -> ${renderSize(f.shrunk)}`,
      `  trace:  ${file}`,
      `  replay: ${replay}`,
    ].join('\n'),
    f.finding,
    file,
  );
}
