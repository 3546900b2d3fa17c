import { BUG_NAMES, coreFactory, isBugName, type BugName } from '../raft/index.js';
import { explore } from './explore.js';

/**
 * How small liveness findings shrink, bench --bugs style: each named bug (default: those
 * that stall the cluster as well as break safety) on 5 nodes, seeds 1..k, with the safety
 * checkers off so the finding is the liveness check's. Prints one line per run and the median
 * shrunk size. `npx tsx src/explore/liveness-bench.ts [--seeds K] [--shrink-time S] [BUG...]`.
 */
const STALLING: readonly BugName[] = ['vote-ignores-log', 'double-vote', 'truncate-on-match', 'wrong-quorum'];

function main(): void {
  const args = process.argv.slice(2);
  const opt = (name: string, dflt: number): number => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : dflt);
  const seeds = opt('--seeds', 5);
  const shrinkTimeMs = opt('--shrink-time', 30) * 1000;
  const named = args.filter((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--'));
  const bugs = named.length > 0 ? named.filter(isBugName) : STALLING;
  const sizes: number[] = [];
  for (const bug of bugs.length > 0 ? bugs : BUG_NAMES) {
    for (let seed = 1; seed <= seeds; seed++) {
      const r = explore({ factory: coreFactory(bug), implementation: { name: coreFactory(bug).name, bug, module: null }, iterations: 10_000, seed, nodes: 5, shrinkTimeMs, invariants: [] });
      const f = r.failure;
      if (f === null) {
        process.stdout.write(`${bug} seed ${seed}: nothing found in ${r.iterations} runs\n`);
        continue;
      }
      const scripted = f.schedule.script !== undefined ? 'script' : 'timed';
      process.stdout.write(`${bug} seed ${seed}: ${f.finding.invariant} after ${r.iterations} runs; ${f.original.events} -> ${f.shrunk.events} events (${scripted}) in ${(f.shrinkMs / 1000).toFixed(1)} s\n`);
      if (f.finding.kind === 'liveness') sizes.push(f.shrunk.events);
    }
  }
  sizes.sort((a, b) => a - b);
  const median = sizes.length === 0 ? NaN : sizes[Math.floor((sizes.length - 1) / 2)];
  process.stdout.write(`liveness findings: ${sizes.length}, shrunk events median ${median}, max ${sizes[sizes.length - 1] ?? NaN}\n`);
}

main();
