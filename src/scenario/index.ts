export { Ctx, RELIABLE, UNRELIABLE, ScriptError, runScript, type Client, type ClusterOptions, type Scenario, type Started, type Task } from './dsl.js';
export { SCENARIOS, SCENARIO_NAMES, findScenario } from './registry.js';
export {
  PROFILE_PREFIX,
  UnknownScenarioError,
  replayScenarioTrace,
  runScenario,
  runScenarios,
  scenarioOfTrace,
  type ScenarioOptions,
  type ScenarioResult,
  type ScenarioSummary,
  type ScenariosOptions,
} from './runner.js';
