import type { NodeId } from '../raft/types.js';
import { History, lastOf, type LogView } from './history.js';

/** One vote a candidate got: who, where, and the voter's log at that moment. */
export interface Vote {
  readonly voter: NodeId;
  /** Event position where the voter's state first shows the vote. */
  readonly at: number;
  readonly log: LogView;
  /** Where the voter's grant reached the candidate, or -1 (self votes, or not seen). */
  readonly counted: number;
}

/** A node's rise to leader of a term, as its observed states show it. */
export interface Election {
  readonly leader: NodeId;
  readonly term: number;
  /** Position of the event that made it candidate of the term (-1: not seen). */
  readonly candidacy: number;
  /** Position of the event that made it leader. */
  readonly won: number;
  readonly candidateLog: LogView;
  readonly votes: readonly Vote[];
}

/** The event where `node` became leader of `term`, at or before `to`; -1 when none. */
export function becameLeader(h: History, node: NodeId, term: number, to = h.events.length - 1): number {
  return h.find((e, i) => {
    if (e.node !== node || e.state?.role !== 'leader' || e.state.term !== term) return false;
    const b = h.stateBefore(node, i);
    return b === null || b.role !== 'leader' || b.term !== term || e.kind === 'restart' || e.kind === 'start';
  }, 0, to);
}

/**
 * The election that made `leader` leader of `term`: its candidacy, and every node whose
 * observed state shows a vote for it in that term before it won (itself included). Read from
 * states, not message payloads, so it holds for any implementation.
 */
export function electionOf(h: History, leader: NodeId, term: number, to = h.events.length - 1): Election | null {
  const won = becameLeader(h, leader, term, to);
  if (won < 0) return null;
  const candidacy = h.findLast((e, i) => {
    if (e.node !== leader || e.state?.role !== 'candidate' || e.state.term !== term) return false;
    const b = h.stateBefore(leader, i);
    return b === null || b.role !== 'candidate' || b.term !== term;
  }, won);
  const votes: Vote[] = [];
  for (let v = 1; v <= h.nodes; v++) {
    const at = voteFor(h, v, leader, term, won);
    if (at < 0) continue;
    const counted = v === leader ? -1 : h.find((e) => e.node === leader && e.from === v && e.kind === 'deliver', at + 1, won);
    votes.push({ voter: v, at, log: h.logAfter(v, at), counted });
  }
  votes.sort((a, b) => a.at - b.at);
  return { leader, term, candidacy, won, candidateLog: h.logAfter(leader, candidacy >= 0 ? candidacy : won), votes };
}

/** The first event at or before `to` where `voter`'s state shows a vote for `candidate` in `term`; -1 when none. */
export function voteFor(h: History, voter: NodeId, candidate: NodeId, term: number, to: number): number {
  return h.find((e, i) => {
    if (e.node !== voter || e.state === undefined || e.state.term !== term || e.state.vote !== candidate) return false;
    const b = h.stateBefore(voter, i);
    return b === null || b.term !== term || b.vote !== candidate;
  }, 0, to);
}

/** `node 4 voted for node 2 at step 36 with its log at 1/t1`. */
export function voteText(h: History, e: Election, v: Vote): string {
  if (v.voter === e.leader) return `node ${v.voter} became candidate of term ${e.term} and voted for itself, its log at ${lastOf(v.log)}`;
  const reached = v.counted >= 0 ? ` (the grant reached node ${e.leader} at step ${h.events[v.counted].step})` : '';
  return `node ${v.voter} voted for node ${e.leader} in term ${e.term}, its own log at ${lastOf(v.log)} against the candidate's ${lastOf(e.candidateLog)}${reached}`;
}
