import { coreFactory } from '../raft/index.js';
import type { Message, NodeFactory, Output, RaftNode } from '../raft/types.js';

/**
 * Our core with a slow nextIndex back-up: followers' rejections carry no hint, so the leader
 * backs up one entry per round trip (what `backup` must expose). For tests and the bug table.
 */
export function slowBackupFactory(): NodeFactory {
  const core = coreFactory(null);
  const strip = (out: Output): Output => ({
    ...out,
    messages: out.messages.map((m: Message) => {
      const r = m as Message & { success?: boolean };
      return m.type === 'AppendEntriesReply' && r.success === false ? { ...m, conflictTerm: 0, conflictIndex: Number.MAX_SAFE_INTEGER } : m;
    }),
  });
  return {
    contractVersion: core.contractVersion,
    name: 'raft-check core with a one-entry-per-round-trip back-up',
    create: (init) => {
      const n = core.create(init);
      const node: RaftNode = {
        start: () => strip(n.start()),
        tick: () => strip(n.tick()),
        receive: (m) => strip(n.receive(m)),
        propose: (c) => strip(n.propose(c)),
        observe: () => n.observe(),
      };
      return node;
    },
  };
}
