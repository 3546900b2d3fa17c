import { InvalidArgumentError } from 'commander';
// The bug table alone, not the core behind raft/index.js: every command's options (and --help) parse with it.
import { BUG_NAMES, isBugName, type BugName } from '../raft/bugs.js';
import { isProfileName, PROFILES, type ProfileName } from '../sim/schedule.js';
import { didYouMean } from './text.js';

/**
 * Option parsers for commander: each throws InvalidArgumentError with a message that says what
 * is allowed, which commander prints as one line and the top-level catch turns into exit 2.
 */

/** Cluster sizes `run` accepts: the exploration arbitraries draw per-node data for up to 9 nodes. */
export const NODES_MIN = 1;
export const NODES_MAX = 9;
/** fast-check seeds are 32-bit; traces store them as integers. */
export const SEED_MAX = 2 ** 31 - 1;

export function integer(min: number, max: number): (value: string) => number {
  return (value) => {
    const v = value.trim();
    if (!/^[+-]?\d+$/.test(v)) throw new InvalidArgumentError(`expected an integer${range(min, max)}.`);
    const n = Number(v);
    if (!Number.isSafeInteger(n) || n < min || n > max) throw new InvalidArgumentError(`expected an integer${range(min, max)}.`);
    return n;
  };
}

function range(min: number, max: number): string {
  if (max === Number.MAX_SAFE_INTEGER) return ` >= ${min}`;
  return ` from ${min} to ${max}`;
}

/** Seconds as a decimal number >= 0 (`--shrink-time 2.5`). */
export function seconds(value: string): number {
  const v = value.trim();
  if (!/^\d+(\.\d+)?$/.test(v)) throw new InvalidArgumentError('expected a number of seconds >= 0.');
  return Number(v);
}

/** A seed: an integer, or `random` for a fresh one (printed, so the run can be repeated). */
export function seed(value: string): number | 'random' {
  if (value.trim() === 'random') return 'random';
  return integer(0, SEED_MAX)(value);
}

export interface Shard {
  /** 1-based, as written on the command line. */
  readonly index: number;
  readonly count: number;
}

/** `I/N` with 1 <= I <= N: this job runs iterations i with i % N === I - 1. */
export function shard(value: string): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(value);
  if (m === null) throw new InvalidArgumentError('expected I/N, e.g. 2/4 (the 2nd of 4 shards).');
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || count > 10_000) throw new InvalidArgumentError('the shard count N must be from 1 to 10000.');
  if (index < 1 || index > count) throw new InvalidArgumentError(`the shard index I must be from 1 to N (${count}).`);
  return { index, count };
}

export function bug(value: string): BugName {
  if (isBugName(value)) return value;
  const near = didYouMean(value, BUG_NAMES);
  throw new InvalidArgumentError(`unknown bug${near === null ? '' : ` (did you mean ${near}?)`}; the built-in bugs are: ${BUG_NAMES.join(', ')} (see raft-check bugs).`);
}

export const PROFILE_NAMES = Object.keys(PROFILES) as ProfileName[];

export function profile(value: string): ProfileName {
  if (isProfileName(value)) return value;
  const near = didYouMean(value, PROFILE_NAMES);
  throw new InvalidArgumentError(`unknown fault profile${near === null ? '' : ` (did you mean ${near}?)`}; the profiles are: ${PROFILE_NAMES.join(', ')}.`);
}

/** How `run` chooses schedules. */
export const STRATEGIES = ['random', 'pct', 'exhaustive'] as const;
export type Strategy = (typeof STRATEGIES)[number];

export function strategy(value: string): Strategy {
  const v = value.trim();
  if ((STRATEGIES as readonly string[]).includes(v)) return v as Strategy;
  const near = didYouMean(v, STRATEGIES);
  throw new InvalidArgumentError(`unknown strategy${near === null ? '' : ` (did you mean ${near}?)`}; the strategies are: ${STRATEGIES.join(', ')}.`);
}

/** PCT's defaults: with them it finds every built-in bug on 3 nodes within 10,000 runs (seed 1). */
export const PCT_DEFAULTS = { steps: 100, depth: 3, crashes: 3, drops: 4, duplicates: 3, proposals: 8 } as const;

/** Exhaustive search's defaults: small enough to finish on 3 nodes in a quarter of a minute. */
export const EXHAUSTIVE_DEFAULTS = { steps: 8, crashes: 1, drops: 0, duplicates: 0, proposals: 1, terms: 2, messages: 12 } as const;
