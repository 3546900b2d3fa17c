import type { NodeId } from '../../raft/types.js';
import type { ScriptStep } from '../../sim/script.js';
import type { ScriptView } from '../../sim/simulator.js';

/**
 * A choice point of systematic search: what may happen next in a scripted run. It is a script
 * step without its time, so a path of choices is a script, and a counterexample is a trace
 * like any other.
 */
export type Choice = DistributiveOmit<ScriptStep, 't'>;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** How far a search may go. Each fault budget counts steps of that kind along one path. */
export interface Bounds {
  /** Steps per path. */
  readonly depth: number;
  readonly crashes: number;
  readonly drops: number;
  readonly duplicates: number;
  /** Client commands (c1, c2, ...), each proposed to a node that believes it leads. */
  readonly proposals: number;
  /**
   * Paths on which some node's term exceeds this end there. Like every bound here it only
   * grows along a path and is the same for paths that differ in the order of commuting steps,
   * which partial-order reduction needs: a bound on messages in flight, which rises and falls,
   * would let the one order the reduction keeps leave the bounds while another stays inside.
   */
  readonly terms: number;
  /** Messages sent along a path (not in flight: see `terms`); past it the path ends. */
  readonly messages: number;
}

/** The budgets a path has spent so far. */
export interface Used {
  readonly crashes: number;
  readonly drops: number;
  readonly duplicates: number;
  readonly proposals: number;
}

export const NOTHING_USED: Used = { crashes: 0, drops: 0, duplicates: 0, proposals: 0 };

/** A choice as one line: the key by which sleep sets and traces name it. */
export function keyOf(c: Choice): string {
  switch (c.do) {
    case 'tick':
    case 'restart':
      return `${c.do} ${c.node}`;
    case 'crash':
      return c.loss === undefined ? `crash ${c.node}` : `crash ${c.node} ${c.loss}${c.loss === 'torn' ? ` ${c.keep ?? 0}` : ''}`;
    case 'propose':
      return `propose ${c.node}`;
    case 'deliver':
    case 'drop':
    case 'duplicate':
      return `${c.do} ${c.from}>${c.to} ${c.msg}`;
  }
}

/**
 * Everything enabled in a state, in a fixed order: timers, deliveries, proposals, crashes and
 * restarts, then drops and duplicates. Proposals go only to a node that believes it leads:
 * any other node refuses, which changes nothing but the command numbering. A crash comes
 * plain, and, while the node has unsynced writes, losing them all or keeping a torn prefix.
 */
export function choicesAt(view: ScriptView, used: Used, bounds: Bounds): Choice[] {
  const out: Choice[] = [];
  for (const n of view.nodes) if (n.up && n.timer) out.push({ do: 'tick', node: n.id });
  const links: { from: NodeId; to: NodeId; msg: string }[] = [];
  const seen = new Set<string>();
  for (const m of view.inFlight) {
    const k = `${m.from}>${m.to} ${m.summary}`;
    if (seen.has(k)) continue;
    seen.add(k);
    links.push({ from: m.from, to: m.to, msg: m.summary });
  }
  for (const l of links) out.push({ do: 'deliver', ...l });
  if (used.proposals < bounds.proposals) for (const n of view.nodes) if (n.up && n.obs?.role === 'leader') out.push({ do: 'propose', node: n.id, id: `c${used.proposals + 1}` });
  for (const n of view.nodes) {
    if (!n.up) {
      out.push({ do: 'restart', node: n.id });
      continue;
    }
    if (used.crashes >= bounds.crashes) continue;
    out.push({ do: 'crash', node: n.id });
    if (n.unsynced > 0) out.push({ do: 'crash', node: n.id, loss: 'unsynced' });
    for (let keep = 1; keep < n.unsynced; keep++) out.push({ do: 'crash', node: n.id, loss: 'torn', keep });
  }
  if (used.drops < bounds.drops) for (const l of links) out.push({ do: 'drop', ...l });
  if (used.duplicates < bounds.duplicates) for (const l of links) out.push({ do: 'duplicate', ...l });
  return out;
}

/** The budgets after taking a choice. */
export function spend(used: Used, c: Choice): Used {
  switch (c.do) {
    case 'crash':
      return { ...used, crashes: used.crashes + 1 };
    case 'drop':
      return { ...used, drops: used.drops + 1 };
    case 'duplicate':
      return { ...used, duplicates: used.duplicates + 1 };
    case 'propose':
      return { ...used, proposals: used.proposals + 1 };
    default:
      return used;
  }
}

/** The node whose state a choice reads and changes; null for a drop, which touches only the network. */
function actsOn(c: Choice): NodeId | null {
  switch (c.do) {
    case 'deliver':
    case 'duplicate':
      return c.to;
    case 'drop':
      return null;
    default:
      return c.node;
  }
}

function messageOf(c: Choice): string | null {
  return c.do === 'deliver' || c.do === 'drop' || c.do === 'duplicate' ? `${c.from}>${c.to} ${c.msg}` : null;
}

function budgetOf(c: Choice): keyof Used | null {
  switch (c.do) {
    case 'crash':
      return 'crashes';
    case 'drop':
      return 'drops';
    case 'duplicate':
      return 'duplicates';
    case 'propose':
      return 'proposals';
    default:
      return null;
  }
}

/**
 * Whether two choices, both enabled in a state with `used` spent, may fail to commute there.
 * Steps at different nodes commute: each reads and writes only its own node and disk, and
 * adds its sends to the in-flight multiset, which the cluster's fingerprint sorts. They do not
 * commute when they act on the same node, take the same message, or compete for the last unit
 * of a budget (taking one would disable the other). Two proposals never commute: the first
 * gets the lower command number. The checkers' history commutes too: it is kept as sets (see
 * ./history.ts).
 */
export function dependent(a: Choice, b: Choice, used: Used, bounds: Bounds): boolean {
  const na = actsOn(a);
  if (na !== null && na === actsOn(b)) return true;
  const ma = messageOf(a);
  if (ma !== null && ma === messageOf(b)) return true;
  const ba = budgetOf(a);
  if (ba === null || ba !== budgetOf(b)) return false;
  if (ba === 'proposals') return true;
  const limit = ba === 'crashes' ? bounds.crashes : ba === 'drops' ? bounds.drops : bounds.duplicates;
  return limit - used[ba] < 2;
}

/** A choice as a script step at time `t`. */
export function stepOf(c: Choice, t: number): ScriptStep {
  return { ...c, t } as ScriptStep;
}
