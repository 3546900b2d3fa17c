import { join } from 'node:path';
import { BUG_NAMES, coreFactory, type BugName } from '../raft/index.js';
import { writeTrace } from '../trace/io.js';
import { explore, type ExploreFailure } from './explore.js';

/**
 * The regression corpus: the shrunk counterexample of every built-in bug, found with the
 * default profile on 5 nodes. `npm run traces` rewrites traces/bug-<name>.json.
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

function main(): void {
  const dir = process.argv[2] ?? 'traces';
  const only = process.argv.slice(3);
  for (const bug of BUG_NAMES) {
    if (only.length > 0 && !only.includes(bug)) continue;
    const f = findBug(bug);
    if (f === null) {
      process.stderr.write(`${bug}: not found\n`);
      continue;
    }
    writeTrace(corpusFile(dir, bug), f.trace);
    process.stdout.write(`${bug}: ${f.finding.invariant}, ${f.original.events} -> ${f.shrunk.events} events, ${corpusFile(dir, bug)}\n`);
  }
}

if (process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/'))) main();
