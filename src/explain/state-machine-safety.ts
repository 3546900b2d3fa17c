import type { NodeId } from '../raft/types.js';
import type { Finding } from '../sim/observer.js';
import { commitPoint, originOf } from './commits.js';
import { inputOf } from './describe-event.js';
import { commandIn, termIn, type History } from './history.js';
import { Chain, type Explanation } from './types.js';
import { cmdName } from './words.js';

/**
 * State Machine Safety, in its three forms: two nodes applied different entries at one index
 * (where each got its entry, and whether it was committed when applied); a node deleted
 * entries it knew were committed (where it learned that, and the input that made it
 * truncate); a state machine that went back or disagrees after a snapshot.
 */
export function explainStateMachineSafety(h: History, f: Finding): Explanation | null {
  const index = f.index;
  if (index === undefined || f.nodes.length === 0) return null;
  const end = h.at(f.step);
  const e = h.events[end];
  const chain = new Chain(h);
  if (f.nodes.length === 1 && e.log?.trunc !== undefined) return deleted(h, f, chain, end, index);
  if (f.nodes.length === 1) {
    chain.add(end, `node ${f.nodes[0]} took ${inputOf(e)} and its state machine went back to index ${index}`);
    return chain.build(f.message, f.step);
  }
  const [first, second] = f.nodes;
  const applies: { node: NodeId; at: number; term: number | undefined; cmd: string | null | undefined }[] = [];
  for (const id of [first, second]) {
    // The applying input is the event before its apply line; the violating node's apply line comes right after the violation's step.
    const apply = h.find((x) => x.kind === 'apply' && x.node === id && x.apply !== undefined && x.apply[0] <= index && index <= x.apply[1], 0, end + 1);
    const input = apply < 0 ? (id === second ? end : -1) : Math.min(apply - 1, end);
    if (input < 0) continue;
    const log = h.logAfter(id, input);
    const t = termIn(log, index);
    const cmd = commandIn(log, index);
    if (t !== undefined) {
      const o = originOf(h, index, t, input);
      if (o !== null) chain.add(o.at, o.text);
      const own = h.appendOf(id, index, t, input);
      if (own >= 0 && own !== o?.at) chain.add(own, `node ${id} wrote ${cmdName(cmd)} at index ${index} (term ${t}) into its log`);
    }
    const s = h.stateAfter(id, input);
    const uncommitted = s !== null && s.applied > s.commit;
    const fromSnapshot = h.events[input].kind === 'install-snapshot' || h.events[input].log?.snap !== undefined;
    const how = uncommitted
      ? `, though its commit index was ${s!.commit}: it applied an entry that was not committed`
      : fromSnapshot ? ' from a snapshot' : '';
    applies.push({ node: id, at: input, term: t, cmd });
    chain.add(input, `node ${id} applied ${cmdName(cmd)} at index ${index}${how}`);
  }
  const [a, b] = applies;
  const summary = a !== undefined && b !== undefined && a.cmd !== b.cmd
    ? `nodes ${a.node} and ${b.node} applied different commands at index ${index} (${cmdName(a.cmd)} and ${cmdName(b.cmd)})${applies.some((x) => (h.stateAfter(x.node, x.at)?.applied ?? 0) > (h.stateAfter(x.node, x.at)?.commit ?? 0)) ? ': at least one of them applied an entry before it was committed' : ''}`
    : f.message;
  return chain.build(summary, f.step);
}

function deleted(h: History, f: Finding, chain: Chain, end: number, index: number): Explanation {
  const node = f.nodes[0];
  const e = h.events[end];
  const before = h.logBefore(node, end);
  for (let i = index; i <= before.base + before.entries.length; i++) {
    const t = termIn(before, i);
    if (t === undefined) continue;
    const at = h.appendOf(node, i, t, end - 1);
    if (at >= 0) chain.add(at, `node ${node} wrote ${cmdName(commandIn(before, i))} at index ${i} (term ${t}) into its log`);
    break;
  }
  const cp = commitPoint(h, node, index, end - 1);
  if (cp !== null) chain.add(cp.at, cp.text);
  const committed = h.stateBefore(node, end)?.commit ?? 0;
  let why: string;
  if (e.kind === 'install-snapshot' || e.log?.snap !== undefined) {
    const through = e.log?.snap?.[0];
    why = through !== undefined && through < committed
      ? `: the snapshot ends at index ${through}, before the ${committed} entries node ${node} already knew committed, so it is stale and must not replace them`
      : ': a snapshot may replace only entries it covers';
  } else if (e.msg !== undefined && /\bheartbeat\b/.test(e.msg)) {
    why = ': the message carries no entries, so none of node ' + node + "'s conflicts with it; a follower deletes entries only from the first that conflicts (same index, different term)";
  } else {
    why = ': a follower deletes entries only from the first that conflicts with the leader\'s, and committed entries never conflict';
  }
  chain.add(end, `node ${node} took ${inputOf(e)} and deleted its log from index ${index} on, though it knew entries through ${committed} were committed${why}`);
  return chain.build(`node ${node} deleted committed entries from index ${index} on${why}`, f.step);
}
