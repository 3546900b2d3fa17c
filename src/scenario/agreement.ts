import type { Ctx, Scenario } from './dsl.js';

/** Log agreement, the lab's part B. */
export const AGREEMENT: readonly Scenario[] = [
  {
    name: 'basic-agree',
    lab: 'TestBasicAgree',
    nodes: 3,
    story: 'Three nodes on a reliable network agree on three commands, one after another.',
    asserts: 'nothing is committed before it is submitted; each command is applied by all three nodes at the next index (1, 2, 3).',
    script: (s) => {
      s.cluster(3);
      for (let index = 1; index <= 3; index++) {
        const { count } = s.nCommitted(index);
        s.expect(count === 0, 'committed-early', `${count} nodes applied index ${index} before any command was submitted for it`);
        const got = s.one(index * 100, s.n, false);
        s.expect(got === index, 'index', `one(${index * 100}) landed at index ${got}, expected ${index}`);
      }
    },
  },
  {
    name: 'rpc-count-per-command',
    lab: 'TestCount (agreement)',
    nodes: 3,
    story: 'A leader takes eleven commands at once and all three nodes apply them; tried again (up to five times) if the term changes meanwhile.',
    asserts: 'each command goes to each peer about once: at most 2 x (commands + 4) x n messages (the lab bound, doubled for replies).',
    script: (s) => {
      s.cluster(3);
      s.one(s.randomValue(), s.n, false);
      let success = false;
      for (let attempt = 0; attempt < 5 && !success; attempt++) {
        if (attempt > 0) s.wait(5 * s.electionTimeout); // let things settle
        const leader = s.checkOneLeader();
        const before = s.messages();
        const first = s.propose(leader, s.randomValue());
        if (!first.isLeader) continue; // the leader moved on very quickly
        const commands = 10;
        const sent: { value: number; index: number }[] = [];
        let moved = false;
        for (let k = 1; k <= commands; k++) {
          const value = s.randomValue();
          const r = s.propose(leader, value);
          if (!r.isLeader || r.term !== first.term) {
            moved = true;
            break;
          }
          s.expect(r.index === first.index + k, 'index', `Start() on leader ${leader} gave index ${r.index}, expected ${first.index + k}`, [leader]);
          sent.push({ value, index: r.index });
        }
        if (moved) continue;
        for (const { value, index } of sent) {
          const got = s.waitCommitted(index, s.n, first.term);
          if (got === null) {
            moved = true; // the term changed: low counts cannot be expected
            break;
          }
          s.expect(got === String(value), 'agreement', `index ${index} holds ${got}, but ${value} was submitted there`);
        }
        if (moved || s.ids.some((id) => s.state(id)?.term !== first.term)) continue;
        const used = s.messages() - before;
        const bound = 2 * (commands + 1 + 3) * s.n;
        s.expect(used <= bound, 'rpc-count', `${used} messages to agree on ${commands + 1} commands: expected at most ${bound}`);
        success = true;
      }
      s.expect(success, 'term-stable', 'the term changed too often to count messages');
    },
  },
  {
    name: 'follower-failure',
    lab: 'TestFollowerFailure',
    nodes: 3,
    story: 'One follower is cut off, the other two go on agreeing; then the other follower is cut off too and the leader is given a command.',
    asserts: 'two of three nodes still commit; the lone leader accepts the command at index 4 but nobody commits it.',
    script: (s) => {
      s.cluster(3);
      s.one(101, s.n, false);
      // Cut one follower off: the leader and the other follower still agree.
      const leader1 = s.checkOneLeader();
      s.disconnect(s.after(leader1, 1));
      s.one(102, s.n - 1, false);
      s.wait(s.electionTimeout);
      s.one(103, s.n - 1, false);
      // Cut the remaining follower off too.
      const leader2 = s.checkOneLeader();
      s.disconnect(s.after(leader2, 1));
      s.disconnect(s.after(leader2, 2));
      const r = s.propose(leader2, 104);
      s.expect(r.isLeader, 'start', `leader ${leader2} rejected Start()`, [leader2]);
      s.expect(r.index === 4, 'index', `Start() gave index ${r.index}, expected 4`, [leader2]);
      s.wait(2 * s.electionTimeout);
      noMajorityCommit(s, r.index);
    },
  },
  {
    name: 'leader-failure',
    lab: 'TestLeaderFailure',
    nodes: 3,
    story: 'The leader is cut off and the other two go on; then the new leader is cut off too, and every node is given a command.',
    asserts: 'the remaining pair commits; with no majority connected, nothing is committed at index 4.',
    script: (s) => {
      s.cluster(3);
      s.one(101, s.n, false);
      const leader1 = s.checkOneLeader();
      s.disconnect(leader1);
      // The remaining followers elect a new leader and agree.
      s.one(102, s.n - 1, false);
      s.wait(s.electionTimeout);
      s.one(103, s.n - 1, false);
      const leader2 = s.checkOneLeader();
      s.disconnect(leader2);
      // Submit a command to every node: no majority is connected.
      for (const id of s.ids) s.propose(id, 104);
      s.wait(2 * s.electionTimeout);
      noMajorityCommit(s, 4);
    },
  },
  {
    name: 'fail-agree',
    lab: 'TestFailAgree',
    nodes: 3,
    story: 'A follower is cut off while the other two agree on four commands; then it rejoins.',
    asserts: 'the pair commits without it; after it rejoins, all three agree on new commands (it catches up).',
    script: (s) => {
      s.cluster(3);
      s.one(101, s.n, false);
      const leader = s.checkOneLeader();
      s.disconnect(s.after(leader, 1));
      // The leader and the remaining follower agree.
      s.one(102, s.n - 1, false);
      s.one(103, s.n - 1, false);
      s.wait(s.electionTimeout);
      s.one(104, s.n - 1, false);
      s.one(105, s.n - 1, false);
      // The follower rejoins and catches up.
      s.connect(s.after(leader, 1));
      s.one(106, s.n, true);
      s.wait(s.electionTimeout);
      s.one(107, s.n, true);
    },
  },
  {
    name: 'fail-no-agree',
    lab: 'TestFailNoAgree',
    nodes: 5,
    story: 'Five nodes; three followers are cut off and the leader is given a command; then they rejoin (they may have elected one of their own and forgotten it).',
    asserts: 'the command at index 2 is not committed without a majority; after the repair a leader takes a command at index 2 or 3 and all five agree.',
    script: (s) => {
      s.cluster(5);
      s.one(10, s.n, false);
      const leader = s.checkOneLeader();
      for (const k of [1, 2, 3]) s.disconnect(s.after(leader, k));
      const r = s.propose(leader, 20);
      s.expect(r.isLeader, 'start', `leader ${leader} rejected Start()`, [leader]);
      s.expect(r.index === 2, 'index', `Start() gave index ${r.index}, expected 2`, [leader]);
      s.wait(2 * s.electionTimeout);
      noMajorityCommit(s, r.index);
      // Repair. The majority may have chosen a leader from its own ranks, forgetting index 2.
      for (const k of [1, 2, 3]) s.connect(s.after(leader, k));
      const leader2 = s.checkOneLeader();
      const r2 = s.propose(leader2, 30);
      s.expect(r2.isLeader, 'start', `leader ${leader2} rejected Start()`, [leader2]);
      s.expect(r2.index >= 2 && r2.index <= 3, 'index', `Start() gave index ${r2.index}, expected 2 or 3`, [leader2]);
      s.one(1000, s.n, true);
    },
  },
  {
    name: 'concurrent-starts',
    lab: 'TestConcurrentStarts',
    nodes: 3,
    story: 'A leader is given six commands at the same instant; tried again (up to five times) if the term changes meanwhile.',
    asserts: 'every accepted command is applied by all three nodes, none lost.',
    script: (s) => {
      s.cluster(3);
      let success = false;
      for (let attempt = 0; attempt < 5 && !success; attempt++) {
        if (attempt > 0) s.wait(5 * s.electionTimeout); // let things settle
        const leader = s.checkOneLeader();
        const first = s.propose(leader, 1);
        if (!first.isLeader) continue;
        const accepted: { value: number; index: number }[] = [];
        for (let k = 0; k < 5; k++) {
          const r = s.propose(leader, 100 + k);
          if (r.isLeader && r.term === first.term) accepted.push({ value: 100 + k, index: r.index });
        }
        if (s.ids.some((id) => s.state(id)?.term !== first.term)) continue; // the term changed
        const values: string[] = [];
        let moved = false;
        for (const { index } of accepted) {
          const got = s.waitCommitted(index, s.n, first.term);
          if (got === null) {
            moved = true;
            break;
          }
          values.push(got);
        }
        if (moved) continue;
        for (const { value } of accepted) {
          s.expect(values.includes(String(value)), 'agreement', `command ${value} was accepted but is missing from the applied ones (${values.join(', ')})`);
        }
        success = true;
      }
      s.expect(success, 'term-stable', 'the term changed too often');
    },
  },
  {
    name: 'rejoin',
    lab: 'TestRejoin',
    nodes: 3,
    story: 'The leader is cut off and given three commands it cannot commit; a new leader commits others; the new leader is cut off and the old one rejoins.',
    asserts: 'the old leader\'s uncommitted entries are replaced, agreement resumes with two and then all three nodes.',
    script: (s) => {
      s.cluster(3);
      s.one(101, s.n, true);
      // The leader is cut off and tries to agree on some entries alone.
      const leader1 = s.checkOneLeader();
      s.disconnect(leader1);
      s.propose(leader1, 102);
      s.propose(leader1, 103);
      s.propose(leader1, 104);
      // A new leader commits, also at index 2.
      s.one(103, 2, true);
      // The new leader is cut off; the old one rejoins.
      const leader2 = s.checkOneLeader();
      s.disconnect(leader2);
      s.connect(leader1);
      s.one(104, 2, true);
      // All together now.
      s.connect(leader2);
      s.one(105, s.n, true);
    },
  },
  {
    name: 'backup',
    lab: 'TestBackup',
    nodes: 5,
    story: 'Leader and one follower are cut off with 50 uncommitted entries while the other three commit 50; twice over, with the groups reshuffled, so logs diverge by 50 entries before all five rejoin.',
    asserts: 'each regrouped majority commits 50 commands and everyone agrees at the end; once each regrouped majority has a leader, it brings the divergent logs in line within 10 round trips per node (not one per entry).',
    script: (s) => {
      s.cluster(5);
      s.one(s.randomValue(), s.n, true);
      // The leader and one follower in a minority.
      const leader1 = s.checkOneLeader();
      for (const k of [2, 3, 4]) s.disconnect(s.after(leader1, k));
      // Lots of commands that cannot commit.
      for (let k = 0; k < 50; k++) s.propose(leader1, s.randomValue());
      s.wait(s.electionTimeout / 2);
      s.disconnect(leader1);
      s.disconnect(s.after(leader1, 1));
      // The other three recover and commit lots of commands.
      for (const k of [2, 3, 4]) s.connect(s.after(leader1, k));
      quickBackup(s, [2, 3, 4].map((k) => s.after(leader1, k)));
      for (let k = 0; k < 50; k++) s.one(s.randomValue(), 3, true);
      // Another leader and one follower cut off, with more commands that cannot commit.
      const leader2 = s.checkOneLeader();
      let other = s.after(leader1, 2);
      if (leader2 === other) other = s.after(leader2, 1);
      s.disconnect(other);
      for (let k = 0; k < 50; k++) s.propose(leader2, s.randomValue());
      s.wait(s.electionTimeout / 2);
      // Bring the original leader's pair back with `other`: their logs diverge by 50 entries.
      for (const id of s.ids) s.disconnect(id);
      s.connect(leader1);
      s.connect(s.after(leader1, 1));
      s.connect(other);
      quickBackup(s, [leader1, s.after(leader1, 1), other]);
      for (let k = 0; k < 50; k++) s.one(s.randomValue(), 3, true);
      // Now everyone.
      for (const id of s.ids) s.connect(id);
      s.one(s.randomValue(), s.n, true);
    },
  },
];

/** The lab's "%v committed but no majority" check. */
function noMajorityCommit(s: Ctx, index: number): void {
  const { count } = s.nCommitted(index);
  s.expect(count === 0, 'no-commit-without-majority', `${count} nodes applied index ${index} although no majority was connected`);
}

/**
 * After a regrouping: from the moment the group has a leader of a new term until every node
 * of the group holds what the group had committed, at most 10 round trips (20 messages) per
 * node. The section 5.3 back-up needs one round trip per conflicting term; backing nextIndex
 * up one entry per round trip over 50 divergent entries needs at least 50 per stale node.
 */
function quickBackup(s: Ctx, group: readonly number[]): void {
  const ROUND_TRIPS = 10;
  const bound = 2 * ROUND_TRIPS * (group.length - 1);
  const target = Math.max(...group.map((id) => s.state(id)?.commitIndex ?? 0));
  // A leader of the group: one that did not already lead, in the same term, at the regrouping.
  const before = new Map(group.map((id) => [id, s.state(id)]));
  const isNewLeader = (id: number): boolean => {
    const o = s.state(id);
    const b = before.get(id);
    return o?.role === 'leader' && !(b?.role === 'leader' && b.term === o.term);
  };
  const start = s.now;
  let elected: { at: number; messages: number } | null = null;
  while (s.now - start < 10_000) {
    if (elected === null && group.some(isNewLeader)) elected = { at: s.now, messages: s.messages() };
    if (elected !== null && group.every((id) => s.applied(id) >= target)) {
      const used = s.messages() - elected.messages;
      s.expect(
        used <= bound,
        'backup-speed',
        `the new leader used ${used} messages over ${s.now - elected.at} ms to bring nodes ${group.join(', ')} up to index ${target}: expected at most ${bound} (${ROUND_TRIPS} round trips per node; is nextIndex backed up one entry at a time?)`,
      );
      return;
    }
    s.wait(1);
  }
  s.fail('backup-speed', `nodes ${group.join(', ')} did not all reach index ${target} within 10000 ms of the regrouping`);
}
