import type { Client, Ctx, Scenario } from './dsl.js';

/** Persistence, crashes and unreliable networks, the lab's part C. */
export const PERSISTENCE: readonly Scenario[] = [
  {
    name: 'persist-1',
    lab: 'TestPersist1',
    nodes: 3,
    story: 'All three nodes crash and restart; then the leader alone; then the next leader is cut off, restarted and rejoined; then a follower. In the two elections all three take part in, the first node to grant its vote restarts right then.',
    asserts: 'after every restart the cluster keeps agreeing on new commands with all (or all but one) nodes; a node restarted right after voting does not vote again in that term (no two leaders).',
    script: (s) => {
      s.cluster(3);
      // Whenever all three campaign afresh, the first to grant a vote restarts right then and
      // must remember it: two candidates of one term would otherwise both win its vote.
      s.rebootAfterVote(2 * s.electionTimeout);
      s.one(11, s.n, true);
      // Crash and restart every node.
      for (const id of s.ids) s.restart(id);
      for (const id of s.ids) {
        s.disconnect(id);
        s.connect(id);
      }
      s.rebootAfterVote(2 * s.electionTimeout);
      s.one(12, s.n, true);
      const leader1 = s.checkOneLeader();
      s.disconnect(leader1);
      s.restart(leader1);
      s.connect(leader1);
      s.one(13, s.n, true);
      const leader2 = s.checkOneLeader();
      s.disconnect(leader2);
      s.one(14, s.n - 1, true);
      s.restart(leader2);
      s.connect(leader2);
      s.waitCommitted(4, s.n, -1); // wait for leader2 to catch up before the next crash
      const i3 = s.after(s.checkOneLeader(), 1);
      s.disconnect(i3);
      s.one(15, s.n - 1, true);
      s.restart(i3);
      s.connect(i3);
      s.one(16, s.n, true);
    },
  },
  {
    name: 'persist-2',
    lab: 'TestPersist2',
    nodes: 5,
    story: 'Five rounds: two followers are cut off, the rest commit; then the other three are cut off, the first two restart from storage and rejoin; one of the three restarts and rejoins after an election timeout.',
    asserts: 'each new three-node majority (built from restarted nodes) commits, and all five agree at the end.',
    script: (s) => {
      s.cluster(5);
      let index = 1;
      for (let iter = 0; iter < 5; iter++) {
        s.one(10 + index++, s.n, true);
        const leader1 = s.checkOneLeader();
        s.disconnect(s.after(leader1, 1));
        s.disconnect(s.after(leader1, 2));
        s.one(10 + index++, s.n - 2, true);
        for (const k of [0, 3, 4]) s.disconnect(s.after(leader1, k));
        for (const k of [1, 2]) s.restart(s.after(leader1, k));
        for (const k of [1, 2]) s.connect(s.after(leader1, k));
        s.wait(s.electionTimeout);
        s.restart(s.after(leader1, 3));
        s.connect(s.after(leader1, 3));
        s.one(10 + index++, s.n - 2, true);
        s.connect(s.after(leader1, 4));
        s.connect(s.after(leader1, 0));
      }
      s.one(1000, s.n, true);
    },
  },
  {
    name: 'persist-3',
    lab: 'TestPersist3',
    nodes: 3,
    story: 'A follower is cut off while the other two commit; then those two crash, the cut-off one rejoins, the old leader restarts, and the third restarts last.',
    asserts: 'the restarted leader and the stale follower commit together (the leader\'s storage kept the entry), and all three agree at the end.',
    script: (s) => {
      s.cluster(3);
      s.one(101, 3, true);
      const leader = s.checkOneLeader();
      s.disconnect(s.after(leader, 2));
      s.one(102, 2, true);
      s.crash(s.after(leader, 0));
      s.crash(s.after(leader, 1));
      s.connect(s.after(leader, 2));
      s.restart(s.after(leader, 0));
      s.connect(s.after(leader, 0));
      s.one(103, 2, true);
      s.restart(s.after(leader, 1));
      s.connect(s.after(leader, 1));
      s.one(104, s.n, true);
    },
  },
  {
    name: 'figure8',
    lab: 'TestFigure8',
    nodes: 5,
    story: 'A thousand times: every running node is offered a command, and a little later (usually within 13 ms, sometimes up to 300 ms) the leader crashes; crashed nodes restart at random while fewer than three run. Then every crashed node restarts.',
    asserts: 'no checker fires (the paper\'s Figure 8: an entry from an earlier term must not be committed by counting replicas); all five agree on a last command.',
    script: (s) => figure8(s, false),
  },
  {
    name: 'unreliable-agree',
    lab: 'TestUnreliableAgree',
    nodes: 5,
    story: 'On the unreliable network (10% loss, delays to 27 ms), 49 rounds of five concurrent clients each get a command agreed; then the network heals.',
    asserts: 'every client\'s command is applied by at least one node within 10 s, and all five agree on a last command.',
    script: (s) => {
      s.cluster(5, { unreliable: true });
      const clients = [];
      for (let iter = 1; iter < 50; iter++) {
        for (let j = 0; j < 4; j++) clients.push(s.spawn(s.oneClient(100 * iter + j, 1, true)));
        s.one(iter, 1, true);
      }
      s.unreliable(false);
      for (const c of clients) s.join(c);
      s.one(100, s.n, true);
    },
  },
  {
    name: 'figure8-unreliable',
    lab: 'TestFigure8Unreliable',
    nodes: 5,
    story: 'As figure8 on the unreliable network, with long reordering from round 200 on, and leaders cut off (half the time) instead of crashed. Then everyone rejoins.',
    asserts: 'no checker fires; all five agree on a last command within 10 s despite the lossy, reordering network.',
    script: (s) => figure8(s, true),
  },
  {
    name: 'reliable-churn',
    lab: 'TestReliableChurn',
    nodes: 5,
    story: 'Three clients submit commands to every node non-stop while nodes are cut off, reconnected, crashed and restarted at random, twenty times.',
    asserts: 'after the churn, all five agree on a last command, and every command a client saw committed is in the agreed log.',
    script: (s) => churn(s, false),
  },
  {
    name: 'unreliable-churn',
    lab: 'TestUnreliableChurn',
    nodes: 5,
    story: 'As reliable-churn, on the unreliable network.',
    asserts: 'as reliable-churn.',
    script: (s) => churn(s, true),
  },
];

/**
 * Figure 8: leaders crash (or, unreliable, are cut off) soon after taking a command, so entries
 * of many terms land on different minorities. A leader that commits an earlier term's entry by
 * counting replicas lets a later leader overwrite it.
 */
function figure8(s: Ctx, unreliable: boolean): void {
  s.cluster(5, { unreliable });
  s.one(s.randomValue() % 10_000, 1, true);
  let up = s.n;
  for (let iter = 0; iter < 1000; iter++) {
    if (unreliable && iter === 200) s.longReordering(true);
    let leader = 0;
    for (const id of s.ids) {
      if (!s.isUp(id)) continue;
      const r = s.propose(id, s.randomValue() % 10_000);
      if (r.isLeader && (!unreliable || s.isConnected(id))) leader = id;
    }
    // Usually a few ms, sometimes long enough for an election.
    s.wait(s.chance(100) ? s.prng.int(0, s.electionTimeout / 2 - 1) : s.prng.int(0, 12));
    if (unreliable) {
      if (leader !== 0 && s.chance(500)) {
        s.disconnect(leader);
        up--;
      }
      if (up < 3) {
        const i = s.randomNode();
        if (!s.isConnected(i)) {
          s.connect(i);
          up++;
        }
      }
    } else {
      if (leader !== 0) {
        s.crash(leader);
        up--;
      }
      if (up < 3) {
        const i = s.randomNode();
        if (!s.isUp(i)) {
          s.restart(i);
          s.connect(i);
          up++;
        }
      }
    }
  }
  for (const id of s.ids) {
    if (!s.isUp(id)) s.restart(id);
    s.connect(id);
  }
  s.one(s.randomValue() % 10_000, s.n, true);
}

/**
 * Churn: three clients keep offering commands to every node (perhaps several think they lead)
 * and remember those they saw committed, while nodes are cut off, reconnected, crashed and
 * restarted. Every remembered command must be in the final agreed log.
 */
function churn(s: Ctx, unreliable: boolean): void {
  s.cluster(5, { unreliable });
  let stop = false;
  function* client(me: number): Client<number[]> {
    const values: number[] = [];
    while (!stop) {
      const x = s.randomValue();
      let index = -1;
      // Try every node: perhaps one of them leads.
      for (const id of s.ids) {
        if (!s.isUp(id)) continue;
        const r = s.propose(id, x);
        if (r.isLeader) index = r.index;
      }
      if (index === -1) {
        yield 79 + me * 17;
        continue;
      }
      // The leader may commit it, or not; do not wait forever.
      for (const backoff of [10, 20, 50, 100, 200]) {
        const { count, value } = s.nCommitted(index);
        if (count > 0) {
          if (value === String(x)) values.push(x);
          break;
        }
        yield backoff;
      }
    }
    return values;
  }
  const clients = [0, 1, 2].map((me) => s.spawn(client(me)));
  for (let iter = 0; iter < 20; iter++) {
    if (s.chance(200)) s.disconnect(s.randomNode());
    if (s.chance(500)) {
      const i = s.randomNode();
      if (!s.isUp(i)) s.restart(i);
      s.connect(i);
    }
    if (s.chance(200)) {
      const i = s.randomNode();
      if (s.isUp(i)) s.crash(i);
    }
    // Changes come often enough that the cluster rarely settles, not so often it never can.
    s.wait((s.electionTimeout * 7) / 10);
  }
  s.wait(s.electionTimeout);
  s.unreliable(false);
  for (const id of s.ids) {
    if (!s.isUp(id)) s.restart(id);
    s.connect(id);
  }
  stop = true;
  const seen = clients.flatMap((c) => s.join(c));
  s.wait(s.electionTimeout);
  const last = s.one(s.randomValue(), s.n, true);
  const agreed = new Set<string>();
  for (let index = 1; index <= last; index++) {
    const v = s.waitCommitted(index, s.n, -1);
    if (v !== null) agreed.add(v);
  }
  for (const v of seen) {
    s.expect(agreed.has(String(v)), 'committed-kept', `a client saw ${v} committed, but it is not in the agreed log up to index ${last}`);
  }
}
