import { describe, expect, it } from 'vitest';
import { explore } from '../src/explore/index.js';
import { BUG_NAMES, coreFactory } from '../src/raft/index.js';

// What proves the gate can fail: every built-in bug is found under the default profile with
// 5 nodes. Seeds are fixed; each bug gets the iterations the issue allows.
describe('every built-in bug is found', () => {
  for (const bug of BUG_NAMES) {
    it(bug, () => {
      const r = explore({
        factory: coreFactory(bug),
        implementation: { name: 'core', bug, module: null },
        iterations: 10_000,
        seed: 1,
        nodes: 5,
        shrinkTimeMs: 500,
      });
      expect(r.ok).toBe(false);
      expect(r.failure!.finding.kind).toBe('safety');
    });
  }
});
