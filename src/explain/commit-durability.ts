import type { Finding } from '../sim/observer.js';
import { commitPoint, originOf } from './commits.js';
import type { History } from './history.js';
import { Chain, type Explanation } from './types.js';
import { nodeList } from './words.js';

/**
 * Commit durability (an entry is committed only once it is on disk on a majority): where the
 * entry was written, the replies the committer counted from nodes that did not have it on
 * disk, and the commit. What is on disk is the checker's word (the finding names the other
 * nodes that had it): a trace's log changes include writes a crash could still lose.
 */
export function explainCommitDurability(h: History, f: Finding): Explanation | null {
  const index = f.index;
  const node = f.nodes[0];
  if (index === undefined || node === undefined) return null;
  const onDisk = new Set(f.nodes.slice(1));
  const end = h.at(f.step);
  const chain = new Chain(h);
  const cp = commitPoint(h, node, index, end);
  const at = cp?.at ?? end;
  const term = cp?.term ?? f.terms?.[0];
  const counted: number[] = [];
  if (term !== undefined) {
    const o = originOf(h, index, term, at);
    if (o !== null) chain.add(o.at, o.text);
    for (let i = (o?.at ?? 0) + 1; i <= at; i++) {
      const e = h.events[i];
      if (e.node !== node || e.from === undefined || onDisk.has(e.from)) continue;
      if (e.kind !== 'deliver' || !/reply/i.test(e.msg ?? '')) continue;
      if (!counted.includes(e.from)) counted.push(e.from);
      chain.add(i, `node ${node} counted ${e.msg ?? 'a reply'} from node ${e.from}, which did not have index ${index} (term ${term}) on disk`);
    }
  }
  chain.add(at, `${cp?.text ?? `node ${node} took index ${index} as committed`}; ${f.message}`);
  const why = counted.length === 0 ? '' : `: it counted replies from ${nodeList(counted)}, which acknowledged the entry before it was on their disk`;
  return chain.build(`${f.message}${why}`, f.step);
}
