import { AGREEMENT } from './agreement.js';
import type { Scenario } from './dsl.js';
import { ELECTION } from './election.js';
import { PERSISTENCE } from './persistence.js';
import { SNAPSHOT } from './snapshot.js';

/** Every scenario, in the lab's order: elections, agreement, persistence, snapshots. */
export const SCENARIOS: readonly Scenario[] = [...ELECTION, ...AGREEMENT, ...PERSISTENCE, ...SNAPSHOT];

export const SCENARIO_NAMES: readonly string[] = SCENARIOS.map((s) => s.name);

export function findScenario(name: string): Scenario | undefined {
  return SCENARIOS.find((s) => s.name === name);
}
