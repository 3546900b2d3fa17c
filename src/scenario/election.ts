import type { Scenario } from './dsl.js';

/** Leader election, the lab's part A (and the election half of its RPC-count test). */
export const ELECTION: readonly Scenario[] = [
  {
    name: 'initial-election',
    lab: 'TestInitialElection',
    nodes: 3,
    story: 'Three nodes start on a reliable network and nothing fails.',
    asserts: 'one leader is elected; all nodes agree on its term (>= 1); two election timeouts later there is still one leader (a term change is a warning, as in the lab).',
    script: (s) => {
      s.cluster(3);
      s.checkOneLeader();
      // Give the followers time to hear of the new term.
      s.wait(50);
      const term1 = s.checkTerms();
      s.expect(term1 >= 1, 'term', `the term is ${term1}, but it should be at least 1`);
      // Without failures, the leader and its term should stay put.
      s.wait(2 * s.electionTimeout);
      const term2 = s.checkTerms();
      if (term1 !== term2) s.warn(`the term changed from ${term1} to ${term2} even though there were no failures`);
      s.checkOneLeader();
    },
  },
  {
    name: 're-election',
    lab: 'TestReElection',
    nodes: 3,
    story: 'The leader is cut off, then rejoins; then the new leader and one follower are cut off, and they come back one at a time.',
    asserts: 'a new leader is elected without the old one; its return does not disturb the new one; the lone node left without a majority does not lead; a majority elects again.',
    script: (s) => {
      s.cluster(3);
      const leader1 = s.checkOneLeader();
      // If the leader disconnects, a new one should be elected.
      s.disconnect(leader1);
      s.checkOneLeader();
      // The old leader rejoins: it must not disturb the new leader, and must step down.
      s.connect(leader1);
      const leader2 = s.checkOneLeader();
      // Without a quorum, no leader.
      s.disconnect(leader2);
      s.disconnect(s.after(leader2, 1));
      s.wait(2 * s.electionTimeout);
      s.checkNoLeader();
      // A quorum arises: it elects a leader.
      s.connect(s.after(leader2, 1));
      s.checkOneLeader();
      // The last node rejoins: still a leader.
      s.connect(leader2);
      s.checkOneLeader();
    },
  },
  {
    name: 'many-elections',
    lab: 'TestManyElections',
    nodes: 7,
    story: 'Seven nodes; nine times, three random nodes (perhaps the leader, perhaps the same one twice) are cut off and then reconnected.',
    asserts: 'each time, the connected majority has exactly one leader in its highest term, and one at the end.',
    script: (s) => {
      s.cluster(7);
      s.checkOneLeader();
      for (let iter = 1; iter < 10; iter++) {
        const cut = [s.randomNode(), s.randomNode(), s.randomNode()];
        for (const i of cut) s.disconnect(i);
        // Either the current leader is still connected, or the remaining four elect a new one.
        s.checkOneLeader();
        for (const i of cut) s.connect(i);
      }
      s.checkOneLeader();
    },
  },
  {
    name: 'election-rpc-count',
    lab: 'TestCount (elections and idleness)',
    nodes: 3,
    story: 'Three nodes elect a leader, then sit idle for one lab election timeout.',
    asserts: 'the election takes at most 60 messages (the lab allows 30 RPCs; replies count here); idle heartbeats stay within 3x the rate the timing asks for and no new election starts.',
    script: (s) => {
      s.cluster(3);
      const leader = s.checkOneLeader();
      const elect = s.messages();
      s.expect(elect >= 1 && elect <= 60, 'rpc-count', `${elect} messages to elect the first leader: expected 1 to 60`);
      const term = s.checkTerms();
      const before = s.messages();
      s.wait(s.electionTimeout);
      const idle = s.messages() - before;
      // Heartbeats go to n-1 peers every heartbeat interval, and each is answered.
      const heartbeats = 2 * (s.n - 1) * Math.ceil(s.electionTimeout / s.timing.heartbeatMs);
      s.expect(idle <= 3 * heartbeats, 'rpc-count', `${idle} messages in ${s.electionTimeout} ms of idleness: expected at most ${3 * heartbeats}`);
      s.expect(s.checkTerms() === term && s.state(leader)?.role === 'leader', 'rpc-count', `leader ${leader} of term ${term} lost its place while idle`, [leader]);
    },
  },
];
