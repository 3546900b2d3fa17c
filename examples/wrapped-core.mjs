// A user-style implementation of raft-check's node contract: a thin wrapper of raft-check's own
// core, written the way you would wrap yours. Check it with:
//
//   raft-check run --impl examples/wrapped-core.mjs --iterations 200
//
// The node contract (version 1): the module's default export (or an export named `factory`) is
//   { contractVersion: 1, name: string, create(init) -> node }
// and a node answers start(), tick(), receive(message), propose(command), observe() (and
// optionally compact()) synchronously, each returning an Output: { messages, applied, write?,
// restored?, timer?, proposal? }. raft-check makes `write` durable before it sends `messages`.
import { coreFactory } from 'raft-check';

const core = coreFactory();

export default {
  contractVersion: 1,
  name: 'wrapped raft-check core',
  create(init) {
    const node = core.create(init);
    return {
      start: () => node.start(),
      tick: () => node.tick(),
      receive: (message) => node.receive(message),
      propose: (command) => node.propose(command),
      compact: () => node.compact(),
      observe: () => node.observe(),
    };
  },
};
