import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runChecked } from '../src/check/run.js';
import { coreFactory, isBugName } from '../src/raft/index.js';
import { readTrace, replayTrace } from '../src/trace/index.js';

// The committed counterexamples: each must still reproduce against its bug, step for step,
// and the same schedule must pass against the correct core.
const dir = join(import.meta.dirname, '..', 'traces');
const files = readdirSync(dir).filter((f) => f.startsWith('bug-') && f.endsWith('.json'));

describe('the trace corpus', () => {
  it('holds a trace for every built-in bug', async () => {
    const { BUG_NAMES } = await import('../src/raft/index.js');
    expect(files.sort()).toEqual(BUG_NAMES.map((b) => `bug-${b}.json`).sort());
  });

  for (const file of files) {
    it(`${file} reproduces against its bug and passes against the correct core`, () => {
      const trace = readTrace(join(dir, file));
      const bug = trace.implementation.bug;
      expect(bug !== null && isBugName(bug)).toBe(true);
      const replay = replayTrace(trace, coreFactory(bug as Parameters<typeof coreFactory>[0]));
      expect(replay.divergence).toBeNull();
      expect(replay.reproduced).toBe(true);
      expect(replay.violation?.kind).toBe('safety');
      expect(runChecked(coreFactory(null), trace.schedule).finding).toBeNull();
      // Small enough to read step by step in the viewer: one screen or two.
      expect(trace.events.length).toBeLessThanOrEqual(60);
      if (bug === 'commit-previous-term') {
        // No more crashes than the paper's Figure 8 story has (three).
        expect(trace.events.filter((e) => e.kind === 'crash').length).toBeLessThanOrEqual(3);
      }
    });
  }
});
