/**
 * One explanation per invariant on the committed counterexamples: the causal steps named are
 * the ones a reader must look at (checked against the traces by hand), in trace order, the
 * violation's step last.
 */
import { describe, expect, it } from 'vitest';
import { readTrace } from '../trace/io.js';
import { explain, type Explanation } from './index.js';

function explained(name: string): Explanation {
  const t = readTrace(`traces/${name}.json`);
  const x = explain(t);
  expect(x).not.toBeNull();
  const steps = x!.steps.map((s) => s.step);
  expect(steps).toEqual([...steps].sort((a, b) => a - b));
  expect(steps[steps.length - 1]).toBe(t.violation!.step);
  return x!;
}

const at = (x: Explanation, step: number): string => x.steps.find((s) => s.step === step)?.text ?? '';

describe('leader-completeness', () => {
  it('Figure 8: names the commit of an older-term entry by counting, then the election without it', () => {
    const x = explained('bug-commit-previous-term');
    expect(x.summary).toMatch(/node 3 committed an entry of term 1 while leading term 4, by counting replicas/i);
    expect(x.steps.map((s) => s.step)).toEqual([15, 16, 31, 35, 36, 37, 39]);
    expect(at(x, 31)).toMatch(/leader of term 4.*index 1 \(c9, an entry of term 1\).*Figure 8/);
    expect(at(x, 36)).toMatch(/Node 4 voted for node 2 in term 5: its last entry 1\/t1 against the candidate's 1\/t2/);
    expect(at(x, 37)).toMatch(/Node 3 voted for node 2/);
    expect(at(x, 39)).toMatch(/node 2 became leader of term 5 on the votes of nodes 2, 4 and 3/i);
  });

  it('a vote against the election restriction is named as such', () => {
    const x = explained('bug-vote-ignores-log');
    expect(at(x, 19)).toMatch(/committed: it counted 3 of 5 logs/);
    expect(at(x, 25)).toMatch(/Node 2 voted for node 1.*more up to date, so §5.4.1 says it must refuse/);
    expect(at(x, 26)).toMatch(/Node 3 voted for node 1.*must refuse/);
  });

  it('a commit counted on a reply from a node that had lost the entry', () => {
    const x = explained('bug-install-snapshot-truncates');
    expect(at(x, 39)).toMatch(/Node 2 took InstallSnapshot.*lost index 8/);
    expect(at(x, 40)).toMatch(/short of a majority of 3; the reply it counted last came from node 2, whose log did not hold the entry/);
  });

  it('a snapshot beyond the commit index, read back on restart', () => {
    const x = explained('bug-snapshot-uncommitted');
    expect(at(x, 22)).toMatch(/compacted its log through index 6 into a snapshot while its commit index was 1/);
    expect(at(x, 25)).toMatch(/restarted with its commit index at 6/);
  });
});

describe('election-safety', () => {
  it('a node that voted for two candidates in one term', () => {
    const x = explained('bug-double-vote');
    expect(x.summary).toMatch(/node 3 voted for both in term 1/);
    expect(at(x, 7)).toMatch(/already voted for itself in term 1 at step 6, yet granted node 5/);
    expect(at(x, 12)).toMatch(/Node 5 became leader of term 1 on the votes of nodes 5, 3 and 4/);
    expect(at(x, 14)).toMatch(/Node 3 became leader of term 1 on the votes of nodes 3, 1 and 2/);
  });

  it('a vote lost in a restart', () => {
    const x = explained('bug-forget-vote-on-restart');
    expect(x.summary).toMatch(/node 4 voted twice in term 1, once before and once after a restart/);
    expect(at(x, 10)).toMatch(/crashed/);
    expect(at(x, 11)).toMatch(/restarted with term 1 and no vote/);
    expect(at(x, 14)).toMatch(/Node 4 voted for node 5/);
  });

  it('a term lost in a restart', () => {
    const x = explained('bug-forget-term-on-restart');
    expect(at(x, 8)).toMatch(/restarted with term 0.*its term \(1\) was not kept/);
    expect(at(x, 12)).toMatch(/Node 5 voted for node 4/);
  });

  it('a leader that counted fewer votes than a majority', () => {
    const x = explained('bug-wrong-quorum');
    expect(at(x, 9)).toMatch(/nodes 1 and 4 \(2 of 5, short of a majority of 3\)/);
    expect(at(x, 10)).toMatch(/nodes 5 and 3 \(2 of 5, short of a majority of 3\)/);
  });
});

describe('leader-append-only', () => {
  it('a leader that took a stale-term AppendEntries over its own entries', () => {
    const x = explained('bug-accept-stale-term');
    expect(x.steps.map((s) => s.step)).toEqual([16, 17, 18]);
    expect(at(x, 17)).toMatch(/appended c11 at index 1 \(term 2\)/);
    expect(at(x, 18)).toMatch(/term 1 is older than the leader's 2/);
  });
});

describe('log-matching', () => {
  it('an append whose previous entry did not match', () => {
    const x = explained('bug-skip-prev-check');
    expect(at(x, 15)).toMatch(/Node 4 wrote c4 at index 1 \(term 1\)/);
    expect(at(x, 20)).toMatch(/Node 3 wrote c5 at index 1 \(term 2\)/);
    expect(at(x, 23)).toMatch(/previous entry is 1\/t2, but node 4 holds 1\/t1/);
  });
});

describe('state-machine-safety', () => {
  it('two nodes applied different commands, one before it was committed', () => {
    const x = explained('bug-apply-uncommitted');
    expect(at(x, 17)).toMatch(/Node 1 applied c1 at index 1, though its commit index was 0/);
    expect(at(x, 21)).toMatch(/Node 2 applied c2 at index 1, though its commit index was 0/);
  });

  it('a truncation of committed entries on a heartbeat', () => {
    const x = explained('bug-truncate-on-match');
    expect(at(x, 21)).toMatch(/learned from node 4's message that index 1 .* is committed/);
    expect(at(x, 23)).toMatch(/carries no entries/);
  });

  it('a stale snapshot over committed entries', () => {
    const x = explained('bug-stale-snapshot-regress');
    expect(at(x, 31)).toMatch(/index 5 .* is committed/);
    expect(at(x, 33)).toMatch(/the snapshot ends at index 4, before the 5 entries .* stale/);
  });
});

describe('commit-durability', () => {
  it('names the replies counted from nodes that had not written the entry to disk', () => {
    const x = explained('bug-ack-before-sync');
    expect(x.steps.map((s) => s.step)).toEqual([14, 17, 18]);
    expect(at(x, 17)).toMatch(/counted AppendEntriesReply t1 ok match=1 from node 1, which did not have index 1 \(term 1\) on disk/);
    expect(x.summary).toMatch(/it counted replies from nodes 1 and 3, which acknowledged the entry before it was on their disk/);
  });
});

describe('election-safety from a vote split from its term', () => {
  it('the restart that came back without the vote', () => {
    const x = explained('bug-split-hard-state');
    expect(at(x, 12)).toMatch(/restarted with term 1 and no vote/);
    expect(at(x, 13)).toMatch(/Node 3 voted for node 2/);
  });
});
