import type { Ctx, Scenario } from './dsl.js';

/** The lab snapshots every 10 applied entries. */
const INTERVAL = 10;

/**
 * The lab bounds the persisted Raft state to 2000 bytes; here the durable log, in entries after
 * the snapshot: a node that compacts every 10 applied entries keeps about 10 applied ones and
 * what is not yet applied.
 */
const MAX_LOG_ENTRIES = 60;

/** Log compaction and InstallSnapshot, the lab's part D. */
export const SNAPSHOT: readonly Scenario[] = [
  {
    name: 'snapshot-basic',
    lab: 'TestSnapshotBasic',
    nodes: 3,
    story: 'Thirty rounds of 5 to 14 commands to a leader (or to a follower, every third round), each round agreed by all three nodes; nodes snapshot every 10 entries.',
    asserts: 'every round is agreed; no durable log grows past 60 entries.',
    script: (s) => snapshotRounds(s, { cut: false, unreliable: false, crash: false }),
  },
  {
    name: 'snapshot-install',
    lab: 'TestSnapshotInstall',
    nodes: 3,
    story: 'As snapshot-basic, but a victim (a follower, or the leader every third round) is cut off each round while the others commit past a snapshot, then rejoins.',
    asserts: 'the rejoining node catches up (through InstallSnapshot when the entries are gone) and all three agree; logs stay bounded.',
    script: (s) => snapshotRounds(s, { cut: true, unreliable: false, crash: false }),
  },
  {
    name: 'snapshot-install-unreliable',
    lab: 'TestSnapshotInstallUnreliable',
    nodes: 3,
    story: 'As snapshot-install, on the unreliable network.',
    asserts: 'as snapshot-install.',
    script: (s) => snapshotRounds(s, { cut: true, unreliable: true, crash: false }),
  },
  {
    name: 'snapshot-install-crash',
    lab: 'TestSnapshotInstallCrash',
    nodes: 3,
    story: 'As snapshot-install, but the victim crashes instead of being cut off, and restarts from its storage (snapshot and log).',
    asserts: 'the restarted node resumes from its snapshot, catches up, and all three agree; logs stay bounded.',
    script: (s) => snapshotRounds(s, { cut: false, unreliable: false, crash: true }),
  },
  {
    name: 'snapshot-install-uncrash',
    lab: 'TestSnapshotInstallUnCrash',
    nodes: 3,
    story: 'As snapshot-install-crash, on the unreliable network.',
    asserts: 'as snapshot-install-crash.',
    script: (s) => snapshotRounds(s, { cut: false, unreliable: true, crash: true }),
  },
  {
    name: 'snapshot-all-crash',
    lab: 'TestSnapshotAllCrash',
    nodes: 3,
    story: 'Five times: 5 to 14 commands are agreed (a snapshot or more), then every node crashes and restarts at once.',
    asserts: 'after each restart a new command lands at a later index than the last one before the crash (nothing committed is forgotten).',
    script: (s) => {
      s.cluster(3, { snapshotThreshold: INTERVAL });
      s.one(s.randomValue(), s.n, true);
      for (let iter = 0; iter < 5; iter++) {
        const nn = INTERVAL / 2 + s.prng.int(0, INTERVAL - 1);
        for (let k = 0; k < nn; k++) s.one(s.randomValue(), s.n, true);
        const index1 = s.one(s.randomValue(), s.n, true);
        crashAll(s);
        const index2 = s.one(s.randomValue(), s.n, true);
        s.expect(index2 >= index1 + 1, 'index-increases', `the index went back from ${index1} to ${index2} after every node restarted`);
      }
    },
  },
  {
    name: 'snapshot-init',
    lab: 'TestSnapshotInit',
    nodes: 3,
    story: 'Eleven commands are agreed (a snapshot), every node crashes and restarts, one more command, and every node crashes and restarts again.',
    asserts: 'a node that restarts from a snapshot and then writes state again restarts correctly a second time: a last command is agreed.',
    script: (s) => {
      s.cluster(3, { snapshotThreshold: INTERVAL });
      s.one(s.randomValue(), s.n, true);
      for (let k = 0; k < INTERVAL + 1; k++) s.one(s.randomValue(), s.n, true);
      crashAll(s);
      // A single command, so something is written back to storage after the restart.
      s.one(s.randomValue(), s.n, true);
      crashAll(s);
      // Another, to trigger a bug in what was written.
      s.one(s.randomValue(), s.n, true);
    },
  },
];

function crashAll(s: Ctx): void {
  for (const id of s.ids) s.crash(id);
  for (const id of s.ids) {
    s.restart(id);
    s.connect(id);
  }
}

/**
 * The lab's `snapcommon`: thirty rounds; in each, a victim is optionally cut off or crashed, a
 * sender (the leader, or every third round a follower) is offered enough commands for a
 * snapshot, the rest agree, and the victim comes back and must catch up.
 */
function snapshotRounds(s: Ctx, o: { cut: boolean; unreliable: boolean; crash: boolean }): void {
  s.cluster(3, { unreliable: o.unreliable, snapshotThreshold: INTERVAL });
  s.one(s.randomValue(), s.n, true);
  let leader1 = s.checkOneLeader();
  for (let round = 0; round < 30; round++) {
    let victim = s.after(leader1, 1);
    let sender = leader1;
    if (round % 3 === 1) {
      sender = s.after(leader1, 1);
      victim = leader1;
    }
    if (o.cut) {
      s.disconnect(victim);
      s.one(s.randomValue(), s.n - 1, true);
    }
    if (o.crash) {
      s.crash(victim);
      s.one(s.randomValue(), s.n - 1, true);
    }
    // Perhaps enough commands for a snapshot.
    const nn = INTERVAL / 2 + s.prng.int(0, INTERVAL - 1);
    for (let k = 0; k < nn; k++) s.propose(sender, s.randomValue());
    // Let the nodes catch up with the commands; without faults make sure every follower has,
    // so no InstallSnapshot is needed in snapshot-basic.
    s.one(s.randomValue(), o.cut || o.crash ? s.n - 1 : s.n, true);
    const size = s.logSize();
    s.expect(size <= MAX_LOG_ENTRIES, 'log-size', `a node keeps ${size} log entries in storage despite snapshots every ${INTERVAL}: expected at most ${MAX_LOG_ENTRIES}`);
    if (o.cut) {
      // The victim may be far behind and need a snapshot to catch up.
      s.connect(victim);
      s.one(s.randomValue(), s.n, true);
      leader1 = s.checkOneLeader();
    }
    if (o.crash) {
      s.restart(victim);
      s.connect(victim);
      s.one(s.randomValue(), s.n, true);
      leader1 = s.checkOneLeader();
    }
  }
}
