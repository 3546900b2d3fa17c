import type { Finding } from '../sim/observer.js';
import { becameLeader } from './elections.js';
import { inputOf, termOfSummary } from './describe-event.js';
import type { History } from './history.js';
import { Chain, type Explanation } from './types.js';
import { cmdName } from './words.js';

/**
 * Leader Append-Only: when the node became leader, the entries of its own it later deleted,
 * and the input that made it delete them (naming a stale term when the message carried one).
 */
export function explainLeaderAppendOnly(h: History, f: Finding): Explanation | null {
  const leader = f.nodes[0];
  const term = f.terms?.[0];
  const index = f.index;
  if (leader === undefined || term === undefined || index === undefined) return null;
  const end = h.at(f.step);
  const chain = new Chain(h);
  const won = becameLeader(h, leader, term, end);
  if (won >= 0) chain.add(won, `node ${leader} became leader of term ${term}`);
  const lost = h.logBefore(leader, end);
  for (let i = Math.max(index, lost.base + 1); i <= lost.base + lost.entries.length; i++) {
    const [t, cmd] = lost.entries[i - lost.base - 1];
    const at = h.appendOf(leader, i, t, end - 1);
    if (at >= 0) chain.add(at, `node ${leader} appended ${cmdName(cmd)} at index ${i} (term ${t})${h.events[at].kind === 'propose' ? ' from a client request' : ''}`);
  }
  const e = h.events[end];
  const mt = termOfSummary(e.msg);
  const stale = mt !== undefined && mt < term ? `: the message's term ${mt} is older than the leader's ${term}, so it should have been rejected` : '';
  chain.add(end, `leader ${leader} of term ${term} took ${inputOf(e)} and deleted its own entries from index ${index} on${stale}`);
  const summary = stale !== ''
    ? `leader ${leader} of term ${term} accepted a message of stale term ${mt} and overwrote its own log from index ${index}`
    : f.message;
  return chain.build(summary, f.step);
}
