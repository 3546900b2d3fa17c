/**
 * The built-in bugs (bugs.ts): for each, a scenario that observes the Figure 2 rule it breaks.
 * Every scenario runs under every flag, so a flag is shown to change its own behaviour and,
 * apart from the declared overlaps, nothing the other scenarios observe.
 */
import { describe, expect, it } from 'vitest';
import { BUG_NAMES, type BugName } from './bugs.js';
import type { AppendEntriesReply, RequestVoteReply } from './messages.js';
import { RaftCore } from './node.js';
import type { NodeId, Output, StoredState } from './types.js';
import { ELECTION, ae, aer, appliedOf, boot, cmd, create, ent, fold, foldOutput, logOf, output, rv, rvr } from './test-support.js';

// ---- scenarios: one per bug, each observing only the behaviour that bug is about -------------

type Result = unknown;
interface Scenario {
  readonly bug: BugName;
  readonly rule: string;
  readonly run: (bug: BugName | null) => Result;
  readonly correct: Result;
  readonly buggy: Result;
  /** Other flags that legitimately change this scenario too, with why. */
  readonly alsoAffectedBy?: Partial<Record<BugName, string>>;
}

const granted = (out: Output): boolean => (out.messages[0] as RequestVoteReply).granted;
const success = (out: Output): boolean => (out.messages[0] as AppendEntriesReply).success;

function restarted(id: NodeId, bug: BugName | null, inputs: ((n: RaftCore) => Output)[]): RaftCore {
  let disk: StoredState | null = null;
  const n = create(id, { bug });
  disk = foldOutput(disk, n.start());
  for (const f of inputs) disk = foldOutput(disk, f(n));
  const r = create(id, { bug, stored: disk });
  r.start();
  return r;
}

const SCENARIOS: Scenario[] = [
  {
    bug: 'double-vote',
    rule: 'RequestVote rule 2: one vote per term',
    run: (bug) => {
      const n = boot(1, { bug });
      n.receive(rv(2, 1, 2, 0, 0));
      return granted(n.receive(rv(3, 1, 2, 0, 0)));
    },
    correct: false,
    buggy: true,
  },
  {
    bug: 'vote-ignores-log',
    rule: '5.4.1: vote only for an at-least-as-up-to-date log',
    run: (bug) => {
      const n = boot(1, { bug });
      n.receive(ae(2, 1, 2, 0, 0, logOf(1, 2), 0));
      return granted(n.receive(rv(3, 1, 3, 5, 1)));
    },
    correct: false,
    buggy: true,
  },
  {
    bug: 'forget-vote-on-restart',
    rule: 'Figure 2: votedFor is persistent',
    run: (bug) => granted(restarted(1, bug, [(n) => n.receive(rv(2, 1, 2, 0, 0))]).receive(rv(3, 1, 2, 0, 0))),
    correct: false,
    buggy: true,
    alsoAffectedBy: {
      'double-vote': 'it grants a second vote in a term whether or not the node restarted',
      'forget-term-on-restart': 'the restarted node is at term 0, so the term-2 request is a new term with a free vote',
    },
  },
  {
    bug: 'forget-term-on-restart',
    rule: 'Figure 2: currentTerm is persistent',
    run: (bug) => {
      const n = restarted(1, bug, [(n) => n.receive(ae(2, 1, 5, 0, 0))]);
      return { term: n.observe().term, granted: granted(n.receive(rv(3, 1, 3, 0, 0))) };
    },
    correct: { term: 5, granted: false },
    buggy: { term: 0, granted: true },
  },
  {
    bug: 'truncate-on-match',
    rule: 'AppendEntries rule 3: delete entries only on a conflict',
    run: (bug) => {
      const n = boot(1, { bug });
      n.receive(ae(2, 1, 3, 0, 0, logOf(1, 1, 2, 2), 0));
      const out = n.receive(ae(2, 1, 3, 1, 1, [ent(2, 1)], 0));
      return { write: out.write ?? null, log: n.entries.map((e) => e.index) };
    },
    correct: { write: null, log: [1, 2, 3, 4] },
    buggy: { write: { truncateFrom: 2, append: [ent(2, 1)] }, log: [1, 2] },
  },
  {
    bug: 'accept-stale-term',
    rule: 'AppendEntries rule 1: reply false if term < currentTerm',
    run: (bug) => {
      const n = boot(1, { bug });
      n.receive(rv(3, 1, 3, 0, 0));
      const out = n.receive(ae(2, 1, 2, 0, 0, [ent(1, 2)], 0));
      return { success: success(out), log: n.entries.length };
    },
    correct: { success: false, log: 0 },
    buggy: { success: true, log: 1 },
  },
  {
    bug: 'skip-prev-check',
    rule: 'AppendEntries rule 2: prevLogIndex/prevLogTerm must match',
    run: (bug) => {
      const n = boot(1, { bug });
      n.receive(ae(2, 1, 3, 0, 0, logOf(1, 1), 0));
      const out = n.receive(ae(2, 1, 3, 2, 3, [ent(3, 3)], 0));
      return { success: success(out), log: n.entries.map((e) => e.term) };
    },
    correct: { success: false, log: [1, 1] },
    buggy: { success: true, log: [1, 1, 3] },
  },
  {
    bug: 'commit-previous-term',
    rule: 'Rules for Leaders / Figure 8: commit only current-term entries by counting',
    run: (bug) => {
      const n = boot(1, { bug });
      n.receive(ae(2, 1, 2, 0, 0, logOf(1, 2), 0)); // log [t1, t2] from the term-2 leader
      n.tick(); // term 3
      n.receive(rvr(2, 1, 3, true));
      n.receive(aer(2, 1, 3, true, 2));
      return n.observe().commitIndex;
    },
    correct: 0,
    buggy: 2,
  },
  {
    bug: 'wrong-quorum',
    rule: 'a majority is floor(n/2) + 1',
    run: (bug) => {
      const n = boot(1, { bug });
      n.tick();
      return n.observe().role;
    },
    correct: 'candidate',
    buggy: 'leader',
  },
  {
    bug: 'apply-uncommitted',
    rule: 'Rules for All Servers: apply only up to commitIndex',
    run: (bug) => {
      const n = boot(1, { bug });
      return n.receive(ae(2, 1, 1, 0, 0, logOf(1, 1), 0)).applied.map((a) => a.index);
    },
    correct: [],
    buggy: [1, 2],
  },
  {
    bug: 'ack-before-sync',
    rule: 'Figure 2: respond to RPCs only after updating stable storage',
    run: (bug) => {
      const n = boot(1, { bug });
      const out = n.receive(ae(2, 1, 1, 0, 0, logOf(1, 1), 0));
      return { success: success(out), unsynced: (out.writes ?? []).filter((w) => w.sync === false).map((w) => w.append?.length ?? 0) };
    },
    correct: { success: true, unsynced: [] },
    buggy: { success: true, unsynced: [2] },
  },
  {
    bug: 'split-hard-state',
    rule: 'Figure 2: currentTerm and votedFor are persistent, before responding',
    run: (bug) => {
      const n = boot(1, { bug });
      const out = n.receive(rv(2, 1, 2, 0, 0));
      return { granted: granted(out), writes: out.writes ?? [out.write] };
    },
    correct: { granted: true, writes: [{ hardState: { term: 2, votedFor: 2 } }] },
    buggy: { granted: true, writes: [{ hardState: { term: 2, votedFor: null } }, { hardState: { term: 2, votedFor: 2 }, sync: false }] },
  },
];

const FLAGS: (BugName | null)[] = [null, ...BUG_NAMES];

describe('bug flags: each flag changes exactly the behaviour it names', () => {
  it('every scenario targets a distinct known bug', () => {
    expect(new Set(SCENARIOS.map((s) => s.bug)).size).toBe(SCENARIOS.length);
    for (const s of SCENARIOS) expect(BUG_NAMES).toContain(s.bug);
  });

  const cases = SCENARIOS.flatMap((s) =>
    FLAGS.map((flag) => ({
      scenario: s.bug,
      rule: s.rule,
      flag: flag ?? 'none',
      run: () => s.run(flag),
      want: flag === s.bug || (flag !== null && s.alsoAffectedBy?.[flag] !== undefined) ? s.buggy : s.correct,
    })),
  );
  it.each(cases)('$scenario scenario ($rule) with flag $flag', ({ run, want }) => {
    expect(run()).toStrictEqual(want);
  });
});

describe('bug flags: exact outputs of the changed behaviour', () => {
  it('double-vote: the second grant of the term is written and resets the timer like a first one', () => {
    const n = boot(1, { bug: 'double-vote' });
    n.receive(rv(2, 1, 2, 0, 0));
    expect(n.receive(rv(3, 1, 2, 0, 0))).toStrictEqual(
      output({ messages: [rvr(1, 3, 2, true)], write: { hardState: { term: 2, votedFor: 3 } }, timer: ELECTION }),
    );
  });

  it('wrong-quorum: in 5 nodes a leader commits with a single follower ack (2 of 5)', () => {
    const cluster = [1, 2, 3, 4, 5];
    for (const [bug, want] of [[null, 0], ['wrong-quorum', 1]] as const) {
      const n = boot(1, { cluster, bug });
      n.tick();
      n.receive(rvr(2, 1, 1, true));
      n.receive(rvr(3, 1, 1, true));
      expect(n.observe().role).toBe('leader');
      n.receive(aer(2, 1, 1, true, 0));
      n.propose(cmd(1, 1));
      n.receive(aer(2, 1, 1, true, 1));
      expect(n.observe().commitIndex).toBe(want);
    }
  });

  it('forget-vote-on-restart: the vote was written; only the restart forgets it', () => {
    const n = create(1, { bug: 'forget-vote-on-restart' });
    let disk = fold(null, n.start().write);
    disk = fold(disk, n.receive(rv(2, 1, 2, 0, 0)).write);
    expect(disk.hardState).toStrictEqual({ term: 2, votedFor: 2 });
    const r = create(1, { bug: 'forget-vote-on-restart', stored: disk });
    r.start();
    expect(r.observe()).toMatchObject({ term: 2, votedFor: null });
  });

  it('apply-uncommitted: entries are applied on arrival although commitIndex stays 0', () => {
    const n = boot(1, { bug: 'apply-uncommitted' });
    const log = logOf(1, 1);
    expect(n.receive(ae(2, 1, 1, 0, 0, log, 0))).toStrictEqual(
      output({
        messages: [aer(1, 2, 1, true, 2)],
        applied: appliedOf(log, 1, 2),
        write: { hardState: { term: 1, votedFor: null }, append: log },
        timer: ELECTION,
      }),
    );
    expect(n.observe()).toMatchObject({ commitIndex: 0, lastApplied: 2 });
  });
});
