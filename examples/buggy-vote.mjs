// A deliberately buggy implementation: it grants every vote request of its current term without
// checking whom it already voted for or whether the candidate's log is up to date (Raft's
// "votedFor is null or candidateId, and candidate's log is at least as up-to-date" rule,
// Figure 2). Two candidates can then win the same term, or a candidate that lacks committed
// entries can win. raft-check finds it at once:
//
//   raft-check run --impl examples/buggy-vote.mjs
//   raft-check replay raft-check-traces/leader-completeness-seed1.json --impl examples/buggy-vote.mjs   # as run prints it
//
import { coreFactory } from 'raft-check';

const core = coreFactory();

export default {
  contractVersion: 1,
  name: 'buggy-vote example',
  create(init) {
    const node = core.create(init);
    return {
      start: () => node.start(),
      tick: () => node.tick(),
      receive(message) {
        const out = node.receive(message);
        if (message.type !== 'RequestVote' || message.term !== node.observe().term) return out;
        // BUG: a refusal becomes a grant, whoever this node already voted for this term.
        const messages = out.messages.map((m) => (m.type === 'RequestVoteReply' && m.to === message.from ? { ...m, granted: true } : m));
        return { ...out, messages };
      },
      propose: (command) => node.propose(command),
      compact: () => node.compact(),
      observe: () => node.observe(),
    };
  },
};
