/**
 * Measurements behind the README scenario tables, run by hand (not in npm test):
 *
 *   npx tsx src/scenario/measure.ts seeds [K]     every scenario over seeds 1..K (default 100) against our core
 *   npx tsx src/scenario/measure.ts suite         the full suite, one seed each, wall time
 *   npx tsx src/scenario/measure.ts bugs [K]      every built-in bug x every scenario x seeds 1..K (default 100),
 *                                                 as a Markdown table: failing seeds / K and the first one
 */
import { pathToFileURL } from 'node:url';
import { BUG_NAMES, coreFactory, type BugName } from '../raft/index.js';
import type { NodeFactory } from '../raft/types.js';
import { slowBackupFactory } from './fixtures.js';
import { SCENARIO_NAMES } from './registry.js';
import { runScenario } from './runner.js';

interface Tally {
  failed: number;
  first: number | null;
  invariants: Set<string>;
  wallMs: number;
}

function tally(name: string, factory: NodeFactory, bug: string | null, seeds: number): Tally {
  const t: Tally = { failed: 0, first: null, invariants: new Set(), wallMs: 0 };
  const t0 = performance.now();
  for (let seed = 1; seed <= seeds; seed++) {
    const r = runScenario(name, { factory, seed, implementation: { name: factory.name, bug, module: null }, record: false });
    if (!r.ok) {
      t.failed++;
      t.first ??= seed;
      t.invariants.add(r.finding!.invariant);
    }
  }
  t.wallMs = performance.now() - t0;
  return t;
}

function seedsReport(k: number): void {
  const t0 = performance.now();
  console.log(`| scenario | passed (seeds 1..${k}) | failing seeds | wall |`);
  console.log('|---|---|---|---|');
  for (const name of SCENARIO_NAMES) {
    const t = tally(name, coreFactory(null), null, k);
    const first = t.first === null ? '' : `first ${t.first} (${[...t.invariants].join(', ')})`;
    console.log(`| ${name} | ${k - t.failed}/${k} | ${first} | ${(t.wallMs / 1000).toFixed(2)} s |`);
  }
  console.log(`\ntotal ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

function suite(): void {
  const t0 = performance.now();
  let failed = 0;
  for (const name of SCENARIO_NAMES) {
    const r = runScenario(name, { factory: coreFactory(null), seed: 1, implementation: { name: 'raft-check core', bug: null, module: null } });
    if (!r.ok) failed++;
  }
  console.log(`${SCENARIO_NAMES.length} scenarios, seed 1, recorded: ${failed} failed, ${(performance.now() - t0).toFixed(0)} ms wall`);
}

function bugs(k: number): void {
  const columns: { label: string; factory: NodeFactory; bug: string | null }[] = [
    ...BUG_NAMES.map((b: BugName) => ({ label: b, factory: coreFactory(b), bug: b })),
    { label: 'slow-backup*', factory: slowBackupFactory(), bug: null },
  ];
  console.log(`| scenario | ${columns.map((c) => c.label).join(' | ')} |`);
  console.log(`|---|${columns.map(() => '---').join('|')}|`);
  for (const name of SCENARIO_NAMES) {
    const cells = columns.map((c) => {
      const t = tally(name, c.factory, c.bug, k);
      return t.failed === 0 ? '.' : `${t.failed}/${k} (s${t.first})`;
    });
    console.log(`| ${name} | ${cells.join(' | ')} |`);
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [what, k] = process.argv.slice(2);
  if (what === 'seeds') seedsReport(Number(k ?? 100));
  else if (what === 'suite') suite();
  else if (what === 'bugs') bugs(Number(k ?? 100));
  else console.error('usage: measure.ts seeds [K] | suite | bugs [K]');
}
