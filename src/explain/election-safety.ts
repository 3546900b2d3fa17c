import type { Finding } from '../sim/observer.js';
import { electionOf, voteText, type Election } from './elections.js';
import type { History } from './history.js';
import { Chain, type Explanation } from './types.js';
import { majorityOf, nodeList } from './words.js';

/**
 * Election Safety: the two leaders of one term, the votes each counted, and what let them both
 * reach a majority: a node that voted twice (and the restart or lost state that allowed it),
 * or a leader that counted fewer votes than a majority.
 */
export function explainElectionSafety(h: History, f: Finding): Explanation | null {
  const term = f.terms?.[0];
  if (term === undefined || f.nodes.length < 2) return null;
  const end = h.at(f.step);
  const [a, b] = f.nodes;
  const ea = electionOf(h, a, term, end);
  const eb = electionOf(h, b, term, end);
  if (ea === null || eb === null) return null;
  const chain = new Chain(h);
  const need = majorityOf(h.nodes);
  for (const e of [ea, eb]) {
    for (const v of e.votes) chain.add(v.at, voteText(h, e, v));
  }
  const twice = ea.votes.filter((v) => eb.votes.some((w) => w.voter === v.voter)).map((v) => v.voter);
  const causes: string[] = [];
  for (const v of twice) {
    const first = Math.min(at(ea, v), at(eb, v));
    const second = Math.max(at(ea, v), at(eb, v));
    const restart = h.find((e) => e.node === v && e.kind === 'restart', first + 1, second);
    if (restart >= 0) {
      const crash = h.findLast((e) => e.node === v && e.kind === 'crash', restart, first);
      const s = h.events[restart].state;
      const back = s === undefined ? '' : ` with term ${s.term} and ${s.vote === null ? 'no vote' : `a vote for node ${s.vote}`}`;
      const lost = s !== undefined && s.term < term ? `its term (${term}) was not kept in durable state, so the vote it had cast no longer bound it` : 'the vote it had cast was not kept in durable state, so it could vote again';
      if (crash >= 0) chain.add(crash, `node ${v} crashed after voting in term ${term}`);
      chain.add(restart, `node ${v} restarted${back}: ${lost}`);
      causes.push(`node ${v} voted twice in term ${term}, once before and once after a restart that lost its vote`);
    } else {
      const firstFor = ea.votes.some((w) => w.voter === v && w.at === first) ? a : b;
      const secondFor = firstFor === a ? b : a;
      chain.add(second, `node ${v} had already voted for ${firstFor === v ? 'itself' : `node ${firstFor}`} in term ${term} at step ${h.events[first].step}, yet granted node ${secondFor} a vote in the same term: a node may vote once per term`);
      causes.push(`node ${v} voted for both in term ${term}`);
    }
  }
  for (const e of [ea, eb]) {
    const voters = e.votes.map((v) => v.voter);
    const short = voters.length < need;
    const text = `node ${e.leader} became leader of term ${term} on the votes of ${nodeList(voters)} (${voters.length} of ${h.nodes}${short ? `, short of a majority of ${need}` : ''})`;
    chain.add(e.won, text);
    if (short) causes.push(`node ${e.leader} counted ${voters.length} votes of ${h.nodes} as a majority`);
  }
  const why = causes.length > 0 ? causes.join('; ') : 'two majorities of one term overlap, so some node granted both';
  return chain.build(`nodes ${a} and ${b} were both leader in term ${term}: ${why}`, f.step);
}

function at(e: Election, voter: number): number {
  return e.votes.find((v) => v.voter === voter)!.at;
}
