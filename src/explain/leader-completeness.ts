import type { Finding } from '../sim/observer.js';
import { commitPoint, originOf } from './commits.js';
import { electionOf } from './elections.js';
import { lastIndexOf, lastOf, lastTermOf, termIn, type History } from './history.js';
import { Chain, type Explanation } from './types.js';
import { nodeList } from './words.js';

/**
 * Leader Completeness: where the missing entry was committed (the entry's term against the
 * committer's, and the rule that allowed it), where the new leader's own entry at that index
 * came from, and how it was elected without the committed one: its votes, and each voter's
 * last log index and term at that moment.
 */
export function explainLeaderCompleteness(h: History, f: Finding): Explanation | null {
  const [leader, committer] = f.nodes;
  const index = f.index;
  const [commitTerm, leaderTerm] = f.terms ?? [];
  if (leader === undefined || committer === undefined || index === undefined || leaderTerm === undefined) return null;
  const end = h.at(f.step);
  const chain = new Chain(h);
  const cp = commitPoint(h, committer, index, end, commitTerm);
  if (cp !== null && cp.term !== undefined) {
    const o = originOf(h, index, cp.term, cp.at);
    if (o !== null) chain.add(o.at, o.text);
  }
  if (cp !== null) {
    // A snapshot beyond the commit index is how an uncommitted entry becomes "committed" on restart.
    const snap = h.findLast((e, i) => e.node === committer && e.log?.snap !== undefined && e.log.snap[0] >= index && (h.stateAfter(committer, i)?.commit ?? 0) < e.log.snap[0], cp.at);
    if (snap >= 0) {
      const s = h.events[snap];
      chain.add(snap, `node ${committer} compacted its log through index ${s.log!.snap![0]} into a snapshot while its commit index was ${s.state?.commit ?? '?'}: entries not yet committed went into state that counts as committed`);
    }
    chain.add(cp.at, cp.text);
    for (const l of cp.losses) chain.add(l.at, l.text);
  }
  const el = electionOf(h, leader, leaderTerm, end);
  const lLog = h.logAfter(leader, el === null ? end : el.won);
  const lt = termIn(lLog, index);
  if (lt !== undefined && lt !== cp?.term) {
    const o = originOf(h, index, lt, end);
    if (o !== null) chain.add(o.at, `${o.text}: a different entry at the index that was later committed elsewhere`);
  }
  if (el !== null) {
    if (el.candidacy >= 0) chain.add(el.candidacy, `node ${leader} became candidate of term ${leaderTerm} and voted for itself, its log at ${lastOf(el.candidateLog)}, ${lt === undefined ? `without index ${index}` : `holding index ${index} from term ${lt}`}`);
    const without: number[] = [];
    for (const v of el.votes) {
      if (v.voter === leader) continue;
      const vt = termIn(v.log, index);
      const hasIt = cp?.term !== undefined && vt === cp.term;
      if (!hasIt) without.push(v.voter);
      const upToDate = lastTermOf(el.candidateLog) > lastTermOf(v.log) || (lastTermOf(el.candidateLog) === lastTermOf(v.log) && lastIndexOf(el.candidateLog) >= lastIndexOf(v.log));
      const rule = upToDate
        ? `the candidate's log counts as at least as up to date (§5.4.1 compares last terms, then lengths)`
        : `the voter's log was more up to date, so §5.4.1 says it must refuse`;
      chain.add(v.at, `node ${v.voter} voted for node ${leader} in term ${leaderTerm}: its last entry ${lastOf(v.log)} against the candidate's ${lastOf(el.candidateLog)}; ${rule}; ${hasIt ? `it held the committed entry at index ${index}` : `it did not hold the committed entry at index ${index}`}`);
    }
    const voters = el.votes.map((v) => v.voter);
    chain.add(el.won, `node ${leader} became leader of term ${leaderTerm} on the votes of ${nodeList(voters)}, ${lt === undefined ? `lacking index ${index}` : `with a different entry (term ${lt}) at index ${index}`}`);
  }
  chain.ensure(end, f.message);
  const rule = cp === null ? `node ${committer} took index ${index} as committed` : cp.rule;
  const elected = el === null ? `node ${leader} led term ${leaderTerm} without it` : `node ${leader} was then elected in term ${leaderTerm} without it`;
  return chain.build(`${rule}; ${elected}`, f.step);
}
