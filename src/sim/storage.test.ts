/**
 * The storage model of contract 2: synced writes are fsync points, unsynced ones are buffered
 * until the next, and a crash keeps all of them, none, or a prefix of their parts.
 */
import { describe, expect, it } from 'vitest';
import type { Entry } from '../raft/types.js';
import { partCount, Storage, writePrefix } from './storage.js';

const e = (index: number, term = 1): Entry => ({ index, term, command: { id: `c${index}`, key: 'k', value: 'v' } });

describe('Storage', () => {
  it('a synced write (sync absent or true) is durable at once', () => {
    const s = new Storage();
    expect(s.write({ hardState: { term: 1, votedFor: 2 }, append: [e(1)] })).toBeNull();
    expect(s.write({ append: [e(2)], sync: true })).toBeNull();
    expect(s.crash('unsynced', 0)).toEqual({ buffered: 0, kept: 0 });
    expect(s.read()).toEqual({ hardState: { term: 1, votedFor: 2 }, snapshot: null, log: [e(1), e(2)] });
  });

  it('an unsynced write waits for the next synced one, which makes it durable too', () => {
    const s = new Storage();
    s.write({ append: [e(1)], sync: false });
    expect(s.read()).toBeNull();
    s.write({ hardState: { term: 1, votedFor: null } });
    expect(s.read()?.log).toEqual([e(1)]);
  });

  it('an unsynced write is validated against what was written, not what is durable', () => {
    const s = new Storage();
    s.write({ append: [e(1)], sync: false });
    expect(s.write({ append: [e(2)], sync: false })).toBeNull();
    expect(s.write({ append: [e(4)], sync: false })).toMatch(/expected index 3/);
    expect(s.write({ append: [e(3)], sync: 'yes' as unknown as boolean })).toMatch(/sync is yes/);
  });

  it.each([
    ['none', 0, [1, 2, 3], 4, 4],
    ['unsynced', 0, [1], 4, 0],
    // Parts: hardState, then truncateFrom, entry 2 and entry 3 of the second write.
    ['torn', 2, [1], 4, 2],
    ['torn', 3, [1, 2], 4, 3],
    // A torn write keeps at most all but the last part: a tear always tears something.
    ['torn', 99, [1, 2], 4, 3],
  ] as const)('a crash with loss %s (keep %d) leaves entries %j', (loss, keep, indexes, buffered, kept) => {
    const s = new Storage();
    s.write({ append: [e(1)] });
    s.write({ hardState: { term: 2, votedFor: 3 }, sync: false });
    s.write({ append: [e(2), e(3)], truncateFrom: 2, sync: false });
    expect(s.crash(loss, keep)).toEqual({ buffered, kept });
    expect(s.read()?.log.map((x) => x.index)).toEqual(indexes);
    // After the crash, what was written is what survived: the next write builds on it.
    expect(s.write({ append: [e(indexes.length + 1)] })).toBeNull();
  });

  it('a torn write keeps its parts in order: hardState, snapshot, truncateFrom, then each entry', () => {
    const w = { hardState: { term: 1, votedFor: null }, truncateFrom: 3, append: [e(3), e(4)] };
    expect(partCount(w)).toBe(4);
    expect(writePrefix(w, 1)).toEqual({ hardState: w.hardState });
    expect(writePrefix(w, 3)).toEqual({ hardState: w.hardState, truncateFrom: 3, append: [e(3)] });
  });
});
