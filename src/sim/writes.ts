import type { DurableWrite, Message, NodeId, Observation, Output } from '../raft/types.js';

const NONE: readonly DurableWrite[] = [];

/** An output's writes in order: `write` is shorthand for `writes: [write]`. */
export function writesOf(out: Output): readonly DurableWrite[] {
  if (out.writes !== undefined) return out.writes;
  return out.write === undefined ? NONE : [out.write];
}

/**
 * Whether an input acknowledged its leader: it delivered a message from `from`, the node's
 * observation names `from` as the leader of its term, and the node sent something back to it.
 * Read from what the simulator sees, so it holds for any implementation's message names.
 */
export function ackTo(from: NodeId | null, after: Observation, messages: readonly Message[]): boolean {
  return from !== null && after.leaderId === from && messages.some((m) => m.to === from);
}
