import type { NodeId } from '../raft/types.js';
import type { NodeState } from '../sim/events.js';

/** `node 3`, `nodes 3 and 4`, `nodes 1, 3 and 4`; `no node` for none. */
export function nodeList(ids: readonly NodeId[]): string {
  if (ids.length === 0) return 'no node';
  if (ids.length === 1) return `node ${ids[0]}`;
  return `nodes ${ids.slice(0, -1).join(', ')} and ${ids[ids.length - 1]}`;
}

/** `node 3 (leader of term 4)`, `node 2 (follower in term 5)`. */
export function whoIs(node: NodeId, s: NodeState | null): string {
  if (s === null) return `node ${node}`;
  return s.role === 'follower' ? `node ${node} (follower in term ${s.term})` : `node ${node} (${s.role} of term ${s.term})`;
}

/** `c9`, or `a no-op`. */
export function cmdName(cmd: string | null | undefined): string {
  return cmd === null ? 'a no-op' : cmd === undefined ? 'an entry' : cmd;
}

/** The smallest majority of n. */
export function majorityOf(n: number): number {
  return Math.floor(n / 2) + 1;
}

/** `step 12` for the trace's numbering, used inside sentences that point elsewhere. */
export function stepRef(step: number): string {
  return `step ${step}`;
}
