import { main } from './cli.js';

/** The executable's entry (bin/raft-check.js imports this). */
process.exitCode = await main(process.argv);
