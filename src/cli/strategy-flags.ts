import { UsageError } from './errors.js';
import type { Strategy } from './options.js';

/**
 * Which `run` flags each strategy reads. Kept apart from the strategies themselves so that a
 * random run checks its flags without loading the systematic search.
 */
/** Whether the user gave an option (by commander's attribute name) on the command line. */
export type IsSet = (name: string) => boolean;

const FLAG: Record<string, string> = {
  maxSteps: '--max-steps',
  depth: '--depth',
  maxCrashes: '--max-crashes',
  maxDrops: '--max-drops',
  maxDuplicates: '--max-duplicates',
  maxProposals: '--max-proposals',
  maxTerm: '--max-term',
  maxMessages: '--max-messages',
  time: '--time',
  reduction: '--no-reduction',
  iterations: '--iterations',
  faults: '--faults',
  workers: '--workers',
  shard: '--shard',
  snapshots: '--no-snapshots',
  impl: '--impl',
  exec: '--exec',
};

const ONLY: Record<string, readonly Strategy[]> = {
  maxSteps: ['pct', 'exhaustive'],
  depth: ['pct'],
  maxCrashes: ['pct', 'exhaustive'],
  maxDrops: ['pct', 'exhaustive'],
  maxDuplicates: ['pct', 'exhaustive'],
  maxProposals: ['pct', 'exhaustive'],
  maxTerm: ['exhaustive'],
  maxMessages: ['exhaustive'],
  time: ['pct', 'exhaustive'],
  reduction: ['exhaustive'],
  iterations: ['random', 'pct'],
  faults: ['random'],
  workers: ['random'],
  shard: ['random'],
  snapshots: ['random', 'pct'],
};

/** A flag that means nothing under the chosen strategy is refused: silently ignoring it would mislead. */
export function refuseOthers(strategy: Strategy, isSet: IsSet): void {
  for (const [name, strategies] of Object.entries(ONLY)) {
    if (!isSet(name) || strategies.includes(strategy)) continue;
    const why = name === 'depth' && strategy === 'exhaustive' ? ' (exhaustive search bounds a path with --max-steps)' : '';
    throw new UsageError(`${FLAG[name]}: applies only to --strategy ${strategies.join(' or ')}, not ${strategy}${why}`);
  }
}

/** `run` with the random strategy: the systematic strategies' flags are refused. */
export function randomOnly(isSet: IsSet): void {
  refuseOthers('random', isSet);
}
