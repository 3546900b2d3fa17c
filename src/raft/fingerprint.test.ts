/** RaftCore.fingerprint(): equal exactly when two nodes would behave the same from here on. */
import { describe, expect, it } from 'vitest';
import { boot, candidate, cmd, elect, rv } from './test-support.js';

describe('fingerprint', () => {
  it('is equal for nodes that took the same inputs, whatever object they are', () => {
    expect(boot(1).fingerprint()).toBe(boot(1).fingerprint());
    expect(elect(1).fingerprint()).toBe(elect(1).fingerprint());
  });

  it('tells apart a vote, a role, a log entry and a candidate that heard back', () => {
    const fresh = boot(2).fingerprint();
    const voted = boot(2);
    voted.receive(rv(1, 2, 1, 0, 0));
    expect(voted.fingerprint()).not.toBe(fresh);
    expect(candidate(2).fingerprint()).not.toBe(fresh);
    const leader = elect(1);
    const before = leader.fingerprint();
    leader.propose(cmd(1, 1));
    expect(leader.fingerprint()).not.toBe(before);
  });
});
