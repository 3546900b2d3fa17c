import { startEarlyWorker, wantsEarlyWorker } from './early-worker.js';

/** The executable's entry (bin/raft-check.js imports this). */

// A run's worker thread boots while this thread loads the CLI (see early-worker.ts), so the
// CLI is imported only after it has been started.
if (wantsEarlyWorker(process.argv)) startEarlyWorker();
const { main } = await import('./cli.js');

// A reader that goes away (`raft-check run | head -1`) or an unwritable stderr does not end
// the command: what is still to be printed there is dropped, the search goes on, its trace is
// written, and the exit code says how it ended (never a silent 0 in the middle of a search).
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', () => {
    stream.write = ((_chunk: unknown, encoding?: unknown, cb?: unknown) => {
      const done = typeof encoding === 'function' ? encoding : cb;
      if (typeof done === 'function') queueMicrotask(() => (done as () => void)());
      return true;
    }) as typeof stream.write;
  });
}

process.exitCode = await main(process.argv);
