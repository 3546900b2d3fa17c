import { cliCommand } from '../text.js';
import { BUGS, BUG_NAMES } from '../../raft/bugs.js';
import { EXIT, type ExitCode } from '../errors.js';

export function bugsCommand(o: { json: boolean }): ExitCode {
  const rows = BUG_NAMES.map((name) => ({ name, invariant: BUGS[name].invariant, summary: BUGS[name].summary }));
  if (o.json) {
    process.stdout.write(`${JSON.stringify({ bugs: rows })}\n`);
    return EXIT.ok;
  }
  const w1 = Math.max(...rows.map((r) => r.name.length));
  const w2 = Math.max(...rows.map((r) => r.invariant.length));
  const lines = [`${'bug'.padEnd(w1)}  ${'breaks'.padEnd(w2)}  what it does`];
  for (const r of rows) lines.push(`${r.name.padEnd(w1)}  ${r.invariant.padEnd(w2)}  ${r.summary}`);
  lines.push('', `Try one: ${cliCommand()} run --bug commit-previous-term`);
  process.stdout.write(`${lines.join('\n')}\n`);
  return EXIT.ok;
}
