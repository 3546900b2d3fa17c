import type { Finding } from '../sim/observer.js';
import type { History } from './history.js';
import { Chain, type Explanation } from './types.js';
import { nodeList } from './words.js';

const MAX_ELECTIONS = 6;

/**
 * Liveness (no leader, or no commit, within the window after the faults healed): when the
 * network healed, the elections tried since (who stood, who won), crashes since, and how many
 * messages were lost on the way, so the reader sees a cluster that kept trying or one that
 * went quiet.
 */
export function explainLiveness(h: History, f: Finding): Explanation | null {
  const end = h.events.length - 1;
  if (end < 0) return null;
  const chain = new Chain(h);
  const healed = h.findLast((e) => e.kind === 'phase', end);
  if (healed >= 0) chain.add(healed, 'the faults healed and every node restarted: the liveness window starts');
  const from = Math.max(0, healed);
  const stood: number[] = [];
  const won: number[] = [];
  let lost = 0;
  for (let i = from; i <= end; i++) {
    const e = h.events[i];
    if (e.kind === 'drop') lost++;
    const s = e.state;
    if (s === undefined) continue;
    const b = h.stateBefore(e.node, i);
    if (s.role === 'candidate' && (b === null || b.role !== 'candidate' || b.term !== s.term)) stood.push(i);
    if (s.role === 'leader' && (b === null || b.role !== 'leader' || b.term !== s.term)) won.push(i);
  }
  for (const i of stood.slice(-MAX_ELECTIONS)) chain.add(i, `node ${h.events[i].node} stood for election in term ${h.events[i].state!.term}`);
  for (const i of won.slice(-MAX_ELECTIONS)) chain.add(i, `node ${h.events[i].node} became leader of term ${h.events[i].state!.term}`);
  const candidates = [...new Set(stood.map((i) => h.events[i].node))].sort((a, b) => a - b);
  chain.ensure(end, f.message);
  const tried = `${stood.length} election${stood.length === 1 ? '' : 's'} since the network healed (by ${nodeList(candidates)}), ${won.length} won, ${lost} message${lost === 1 ? '' : 's'} dropped`;
  return chain.build(`${f.message}: ${tried}`, Math.max(f.step, h.events[end].step));
}
