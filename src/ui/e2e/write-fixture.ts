/**
 * Writes the UI tests' hand-made trace to a file, for the end-to-end check when it is given
 * no trace: `npx tsx src/ui/e2e/write-fixture.ts OUT.json`.
 */
import { writeTrace } from '../../trace/io.js';
import { fixtureTrace } from '../fixture.js';

const out = process.argv[2];
if (out === undefined) {
  process.stderr.write('usage: write-fixture.ts OUT.json\n');
  process.exit(2);
}
writeTrace(out, fixtureTrace());
