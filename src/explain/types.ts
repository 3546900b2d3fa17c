import type { TraceEvent } from '../sim/events.js';
import type { Finding } from '../sim/observer.js';
import { History } from './history.js';

/** One causal step: a trace step and the sentence that says what it did toward the violation. */
export interface ExplanationStep {
  readonly step: number;
  readonly text: string;
}

/** Why a violation happened: a summary sentence, then the causal chain in trace order, the violation's step last. */
export interface Explanation {
  readonly summary: string;
  readonly steps: readonly ExplanationStep[];
}

/** What an explainer reads: the recording and its finding. A TraceFile fits. */
export interface ExplainInput {
  readonly schedule: { readonly nodes: number };
  readonly events: readonly TraceEvent[];
  readonly violation: Finding | null;
}

/** One invariant's explainer: the chain of steps from the history, or null when it finds none. */
export type Explainer = (h: History, f: Finding) => Explanation | null;

/**
 * Collects steps as an explainer finds them and returns them in trace order, one sentence per
 * step (two findings about one step are joined), the violation's step last.
 */
export class Chain {
  private readonly byStep = new Map<number, string[]>();

  constructor(private readonly h: History) {}

  /** Adds a sentence about event position i (ignored when i < 0: the explainer found nothing there). */
  add(i: number, text: string): void {
    if (i < 0) return;
    const step = this.h.events[i].step;
    const list = this.byStep.get(step) ?? [];
    if (!list.includes(text)) list.push(text);
    this.byStep.set(step, list);
  }

  /** Adds a sentence about position i only when nothing was said about its step yet (the violation's own step). */
  ensure(i: number, text: string): void {
    if (i >= 0 && !this.byStep.has(this.h.events[i].step)) this.add(i, text);
  }

  build(summary: string, violationStep: number): Explanation {
    const steps = [...this.byStep.entries()]
      .filter(([s]) => s <= violationStep)
      .sort(([a], [b]) => a - b)
      .map(([step, texts]) => ({ step, text: texts.map((t) => sentence(t)).join(' ') }));
    return { summary: sentence(summary), steps };
  }
}

/** Capitalised, ending in a full stop. */
function sentence(t: string): string {
  const s = t.trim();
  const c = s.length === 0 ? s : s[0].toUpperCase() + s.slice(1);
  return /[.!?]$/.test(c) ? c : `${c}.`;
}
