import { join } from 'node:path';
import { BUG_NAMES, coreFactory, type BugName } from '../raft/index.js';
import { writeTrace } from '../trace/write.js';
import { explore, type ExploreFailure } from './explore.js';

/**
 * The regression corpus: the shrunk counterexample of every built-in bug, found with the
 * default profile on 5 nodes. `npm run traces` rewrites traces/bug-<name>.json; with
 * `-- --best-of K` it keeps the smallest of seeds 1..K, and bug names limit it to those bugs.
 */
export function findBug(bug: BugName, seed = 1, shrinkTimeMs = 30_000): ExploreFailure | null {
  const r = explore({
    factory: coreFactory(bug),
    implementation: { name: coreFactory(bug).name, bug, module: null },
    iterations: 10_000,
    seed,
    nodes: 5,
    shrinkTimeMs,
  });
  return r.failure;
}

export function corpusFile(dir: string, bug: BugName): string {
  return join(dir, `bug-${bug}.json`);
}

/** The smallest shrunk counterexample over seeds 1..seeds: the corpus is read by people. */
export function smallestBug(bug: BugName, seeds: number, shrinkTimeMs = 30_000): ExploreFailure | null {
  let best: ExploreFailure | null = null;
  for (let seed = 1; seed <= seeds; seed++) {
    const f = findBug(bug, seed, shrinkTimeMs);
    if (f !== null && (best === null || f.shrunk.events < best.shrunk.events)) best = f;
  }
  return best;
}

function main(): void {
  const args = process.argv.slice(2);
  const bestOf = args.includes('--best-of') ? Number(args[args.indexOf('--best-of') + 1]) : 1;
  const rest = args.filter((a, i) => a !== '--best-of' && args[i - 1] !== '--best-of');
  const dir = rest[0] ?? 'traces';
  const only = rest.slice(1);
  for (const bug of BUG_NAMES) {
    if (only.length > 0 && !only.includes(bug)) continue;
    const f = smallestBug(bug, bestOf);
    if (f === null) {
      process.stderr.write(`${bug}: not found\n`);
      continue;
    }
    writeTrace(corpusFile(dir, bug), f.trace);
    process.stdout.write(`${bug}: ${f.finding.invariant}, ${f.original.events} -> ${f.shrunk.events} events, ${corpusFile(dir, bug)}\n`);
  }
}

if (process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/'))) main();
