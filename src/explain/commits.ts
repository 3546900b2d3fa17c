import type { NodeId } from '../raft/types.js';
import type { TraceEvent } from '../sim/events.js';
import { History, commandIn, termIn } from './history.js';
import { cmdName, majorityOf, nodeList, whoIs } from './words.js';

/** Where a node came to take an index as committed, and how. */
export interface CommitPoint {
  readonly at: number;
  /** The committed entry's term and command, as the committer's log held it. */
  readonly term: number | undefined;
  readonly cmd: string | null | undefined;
  readonly text: string;
  /** The rule in a phrase, for a summary. */
  readonly rule: string;
  /** Where counted replies' senders had lost the entry before the commit. */
  readonly losses: readonly { readonly at: number; readonly text: string }[];
}

/**
 * The event at or before `to` where `node`'s commit index first reached `index` (in `term`,
 * when given), with a sentence that names the rule it used: counting replicas as leader (and
 * whether the entry was of its own term, Figure 8's rule), a leader's commit index received
 * as follower, or a snapshot read back on restart.
 */
export function commitPoint(h: History, node: NodeId, index: number, to: number, term?: number): CommitPoint | null {
  const at = h.find((e, i) => {
    if (e.node !== node || e.state === undefined || e.state.commit < index) return false;
    if (term !== undefined && e.state.term !== term) return false;
    const b = h.stateBefore(node, i);
    return b === null || b.commit < index || e.kind === 'restart';
  }, 0, to);
  if (at < 0) return null;
  const e = h.events[at];
  const s = e.state!;
  const log = h.logAfter(node, at);
  const et = termIn(log, index);
  const cmd = commandIn(log, index);
  const entry = et === undefined ? `index ${index}` : cmd === undefined ? `index ${index} (term ${et})` : `index ${index} (${cmdName(cmd)}, an entry of term ${et})`;
  let text: string;
  let rule = `node ${node} took index ${index} as committed`;
  const losses: { at: number; text: string }[] = [];
  if (e.kind === 'restart' || e.kind === 'start') {
    text = `node ${node} restarted with its commit index at ${s.commit}, read back from its snapshot through ${log.base}/t${log.baseTerm}, so it took ${entry} as committed`;
    rule = `node ${node} took index ${index} as committed on restart, from a snapshot that went beyond its commit index`;
  } else if (s.role === 'leader') {
    const holders = et === undefined ? [] : h.holders(index, et, at);
    const count = `it counted ${holders.length} of ${h.nodes} logs holding it (${nodeList(holders)})`;
    if (et !== undefined && et < s.term) {
      text = `${whoIs(node, s)} marked ${entry} committed by counting replicas; ${count}, but a leader may commit by counting only entries of its own term, and an older-term entry on a majority can still be overwritten (the paper's Figure 8)`;
      rule = `node ${node} committed an entry of term ${et} while leading term ${s.term}, by counting replicas`;
    } else if (holders.length < majorityOf(h.nodes)) {
      text = `${whoIs(node, s)} marked ${entry} committed, but ${count}, short of a majority of ${majorityOf(h.nodes)}`;
      rule = `node ${node} committed index ${index} held on only ${holders.length} of ${h.nodes} logs`;
      if (e.from !== undefined && !holders.includes(e.from) && et !== undefined) {
        const gone = h.findLast((x) => x.node === e.from && x.log !== undefined && removes(x.log, index), at);
        text += `; the reply it counted last came from node ${e.from}, whose log did not hold the entry`;
        if (gone >= 0) losses.push({ at: gone, text: `node ${e.from} took ${h.events[gone].msg ?? h.events[gone].kind} and its log lost index ${index} (${describeLoss(h.events[gone].log!)})` });
      }
    } else {
      text = `${whoIs(node, s)} marked ${entry} committed: ${count}, a majority`;
    }
  } else if (e.from !== undefined) {
    text = `${whoIs(node, s)} learned from node ${e.from}'s message that ${entry} is committed`;
  } else {
    text = `${whoIs(node, s)} took ${entry} as committed`;
  }
  return { at, term: et, cmd, text, rule, losses };
}

/** The first event at or before `to` that appended (index, term) to any log, with a sentence. */
export function originOf(h: History, index: number, term: number, to: number): { at: number; text: string } | null {
  const at = h.find((e) => e.log?.app?.some((a) => a[0] === index && a[1] === term) === true, 0, to);
  if (at < 0) return null;
  const e = h.events[at];
  const a = e.log!.app!.find((x) => x[0] === index && x[1] === term)!;
  const how = e.kind === 'propose' ? 'took a client request and appended' : e.from !== undefined ? `appended, from node ${e.from}'s message,` : 'appended';
  return { at, text: `${whoIs(e.node, e.state ?? null)} ${how} ${cmdName(a[2])} at index ${index} in term ${term}` };
}

function removes(ch: NonNullable<TraceEvent['log']>, index: number): boolean {
  return (ch.trunc !== undefined && ch.trunc <= index) || (ch.snap !== undefined && ch.snap[0] < index && ch.trunc !== undefined);
}

function describeLoss(ch: NonNullable<TraceEvent['log']>): string {
  const parts: string[] = [];
  if (ch.snap !== undefined) parts.push(`snapshot through ${ch.snap[0]}/t${ch.snap[1]}`);
  if (ch.trunc !== undefined) parts.push(`entries from ${ch.trunc} on deleted`);
  return parts.join(', ');
}
