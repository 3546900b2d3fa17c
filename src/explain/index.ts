import type { Finding } from '../sim/observer.js';
import { explainCommitDurability } from './commit-durability.js';
import { explainElectionSafety } from './election-safety.js';
import { History } from './history.js';
import { explainLeaderAppendOnly } from './leader-append-only.js';
import { explainLeaderCompleteness } from './leader-completeness.js';
import { explainLiveness } from './liveness.js';
import { explainLogMatching } from './log-matching.js';
import { explainStateMachineSafety } from './state-machine-safety.js';
import type { ExplainInput, Explainer, Explanation } from './types.js';

export type { Explanation, ExplanationStep, ExplainInput } from './types.js';

/** One explainer per invariant, keyed on the name findings carry. */
const EXPLAINERS: Readonly<Record<string, Explainer>> = {
  'election-safety': explainElectionSafety,
  'leader-append-only': explainLeaderAppendOnly,
  'log-matching': explainLogMatching,
  'leader-completeness': explainLeaderCompleteness,
  'state-machine-safety': explainStateMachineSafety,
  'commit-durability': explainCommitDurability,
  liveness: explainLiveness,
  'message-storm': explainLiveness,
};

/**
 * Why a recorded run violated what it did: the causal chain read from the trace, one sentence
 * per step. Null for a trace without a violation. A finding no explainer knows (or cannot
 * read) still gets its own sentence at its own step, so every violation has an explanation.
 */
export function explain(input: ExplainInput): Explanation | null {
  const f = input.violation;
  if (f === null) return null;
  const fallback: Explanation = { summary: f.message, steps: input.events.length === 0 ? [] : [{ step: f.step, text: f.message }] };
  const explainer = EXPLAINERS[f.invariant];
  if (explainer === undefined || input.events.length === 0) return fallback;
  const h = new History(input.schedule.nodes, input.events);
  try {
    return explainer(h, f as Finding) ?? fallback;
  } catch {
    // An explanation is a reading aid: a trace it cannot follow keeps the finding's own sentence.
    return fallback;
  }
}

/** The explanation as text lines, for `replay --text` and `run`. */
export function renderExplanation(x: Explanation): string[] {
  const lines = [`why: ${x.summary}`];
  for (const s of x.steps) lines.push(`  #${String(s.step).padStart(4)}  ${s.text}`);
  return lines;
}
