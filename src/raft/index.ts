export * from './types.js';
export type * from './messages.js';
export { BUGS, BUG_NAMES, isBugName, type BugName } from './bugs.js';
export { KvStateMachine, chainDigest } from './kv.js';
export { RaftCore, type CoreOptions } from './node.js';

import type { BugName } from './bugs.js';
import { RaftCore, type CoreOptions } from './node.js';
import { CONTRACT_VERSION, type NodeFactory } from './types.js';

/** Our core as a node-contract factory; with a bug name, the built-in buggy variant. */
export function coreFactory(bug: BugName | null = null, options: Omit<CoreOptions, 'bug'> = {}): NodeFactory {
  return {
    contractVersion: CONTRACT_VERSION,
    name: bug === null ? 'raft-check core' : `raft-check core with bug ${bug}`,
    create: (init) => new RaftCore(init, { ...options, bug }),
  };
}
