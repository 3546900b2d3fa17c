export { SafetyChecker, SAFETY_INVARIANTS, FIGURE_3_INVARIANTS, type SafetyInvariant } from './checkers.js';
export { ElectionSafety, LeaderAppendOnly, LogMatching, LeaderCompleteness, StateMachineSafety } from './checkers.js';
export { LogMirror } from './log-mirror.js';
export { runChecked, type CheckedRunOptions } from './run.js';
