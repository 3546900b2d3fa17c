import type { Finding } from '../sim/observer.js';
import { commitPoint, originOf } from './commits.js';
import type { History } from './history.js';
import { Chain, type Explanation } from './types.js';
import { majorityOf, nodeList } from './words.js';

/**
 * Commit durability (an entry is committed only once it is durable on a majority): where the
 * entry was written, the replies the committer received for it from nodes whose durable log
 * did not hold it, and the commit itself with the nodes that did hold it.
 */
export function explainCommitDurability(h: History, f: Finding): Explanation | null {
  const index = f.index;
  const node = f.nodes[0];
  if (index === undefined || node === undefined) return null;
  const end = h.at(f.step);
  const chain = new Chain(h);
  const cp = commitPoint(h, node, index, end);
  const at = cp?.at ?? end;
  const term = cp?.term ?? f.terms?.[0];
  let held: number[] = [];
  if (term !== undefined) {
    const o = originOf(h, index, term, at);
    if (o !== null) chain.add(o.at, o.text);
    held = h.holders(index, term, at);
    const from = o?.at ?? 0;
    for (let i = from + 1; i <= at; i++) {
      const e = h.events[i];
      if (e.node !== node || e.from === undefined || held.includes(e.from)) continue;
      if (e.kind !== 'deliver' || !/reply/i.test(e.msg ?? '')) continue;
      chain.add(i, `node ${node} counted ${e.msg ?? 'a reply'} from node ${e.from}, whose durable log did not hold index ${index} (term ${term})`);
    }
  }
  const need = majorityOf(h.nodes);
  chain.add(at, `${cp?.text ?? `node ${node} took index ${index} as committed`}; durable on ${nodeList(held)} (${held.length} of ${h.nodes}, a majority is ${need})`);
  chain.ensure(end, f.message);
  return chain.build(`node ${node} took index ${index} as committed while only ${held.length} of ${h.nodes} nodes held it durably (${nodeList(held)}); a majority of ${need} must`, f.step);
}
