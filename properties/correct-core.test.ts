import { describe, expect, it } from 'vitest';
import { explore } from '../src/explore/index.js';
import { coreFactory } from '../src/raft/index.js';
import { PROFILES, type ProfileName } from '../src/sim/schedule.js';

// The gate: the correct core survives fast-check's schedules under every fault profile and
// cluster size. Fixed seeds keep CI deterministic; the heavy version is `raft-check run`.
const ITERATIONS = 150;

describe('the correct core has no finding', () => {
  for (const profile of Object.keys(PROFILES) as ProfileName[]) {
    for (const nodes of [3, 5, 7]) {
      it(`${profile}, ${nodes} nodes, ${ITERATIONS} schedules`, () => {
        const r = explore({
          factory: coreFactory(null),
          implementation: { name: 'core', bug: null, module: null },
          iterations: ITERATIONS,
          seed: 1000 + nodes,
          nodes,
          profile,
          shrinkTimeMs: 5000,
        });
        expect(r.failure?.finding ?? null).toBeNull();
        expect(r.iterations).toBe(ITERATIONS);
      });
    }
  }
});
