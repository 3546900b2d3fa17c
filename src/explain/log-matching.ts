import type { Finding } from '../sim/observer.js';
import { inputOf, prevOfSummary } from './describe-event.js';
import { commandIn, termIn, type History, type LogView } from './history.js';
import { Chain, type Explanation } from './types.js';
import { cmdName } from './words.js';

/**
 * Log Matching: where the two logs first differ, where each node got its entry there, and the
 * input that put the matching (index, term) on top of a different prefix (for an AppendEntries
 * of our core's shape, whether its previous entry matched the receiver's).
 */
export function explainLogMatching(h: History, f: Finding): Explanation | null {
  const index = f.index;
  const term = f.terms?.[0];
  if (index === undefined || term === undefined || f.nodes.length === 0) return null;
  const end = h.at(f.step);
  const node = f.nodes[f.nodes.length - 1];
  const other = f.nodes[0];
  const chain = new Chain(h);
  const mine = h.logAfter(node, end);
  const theirs = h.logAfter(other, end);
  const d = other === node ? undefined : firstDifference(mine, theirs, index);
  if (d !== undefined) {
    for (const [id, log] of [[other, theirs], [node, mine]] as const) {
      const t = termIn(log, d);
      if (t === undefined) continue;
      const at = h.appendOf(id, d, t, end);
      if (at >= 0) chain.add(at, `node ${id} wrote ${cmdName(commandIn(log, d))} at index ${d} (term ${t})`);
    }
  }
  const first = h.find((e) => e.node !== node && e.log?.app?.some((a) => a[0] === index && a[1] === term) === true, 0, end);
  if (first >= 0) chain.add(first, `node ${h.events[first].node} wrote index ${index} from term ${term} on top of its own prefix`);
  const e = h.events[end];
  const prev = prevOfSummary(e.msg);
  const before = h.logBefore(node, end);
  let why = '';
  if (prev !== undefined) {
    const have = termIn(before, prev[0]);
    if (have !== prev[1]) {
      why = `: the message's previous entry is ${prev[0]}/t${prev[1]}, but node ${node} ${have === undefined ? `has no entry at ${prev[0]}` : `holds ${prev[0]}/t${have}`}, so the consistency check should have refused it`;
    }
  }
  chain.add(end, `node ${node} took ${inputOf(e)} and appended index ${index} from term ${term}${why}`);
  const where = d === undefined ? '' : `, though their logs differ at index ${d}`;
  const summary = why !== ''
    ? `node ${node} appended entries without checking that its log matched the leader's at the previous index, so index ${index}/t${term} sits on different prefixes on nodes ${other} and ${node}${where}`
    : `${f.message}`;
  return chain.build(summary, f.step);
}

function firstDifference(a: LogView, b: LogView, upTo: number): number | undefined {
  for (let i = Math.max(a.base, b.base) + 1; i <= upTo; i++) {
    if (termIn(a, i) !== termIn(b, i) || commandIn(a, i) !== commandIn(b, i)) return i;
  }
  return undefined;
}
