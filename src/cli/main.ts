import { main } from './cli.js';

/** The executable's entry (bin/raft-check.js imports this). */

// A reader that goes away (`raft-check replay t.json --text | head`) is not an error: stop quietly.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
    throw e;
  });
}

process.exitCode = await main(process.argv);
