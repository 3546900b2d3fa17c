/**
 * The network's pieces alone: how a per-message choice decodes into a fate, which links are
 * cut (with epochs, so a message in flight across a new cut is lost), the choice stream, and
 * the seeded PRNG under it.
 */
import { describe, expect, it } from 'vitest';
import { Links, NetworkChoices, decode, type Fate } from './network.js';
import { Prng, STREAM } from './prng.js';
import { CHOICE_RANGE, PROFILES, scheduleFromSeed, type NetworkKnobs, type Schedule } from './schedule.js';

const K: NetworkKnobs = { delayMinMs: 2, delayMaxMs: 9, dropPerMille: 100, dupPerMille: 50, slowPerMille: 50, slowMaxMs: 400 };

type Band = 'on-time' | 'dup' | 'slow' | 'drop';
function band(f: Fate, k: NetworkKnobs): Band {
  if (f.drop) return 'drop';
  if (f.dupDelay !== null) return 'dup';
  return f.delay > k.delayMaxMs ? 'slow' : 'on-time';
}

describe('decode: bands from the top of the choice range', () => {
  it('choice 0 is on time at delayMinMs', () => {
    expect(decode(0, K)).toEqual({ drop: false, delay: 2, dupDelay: null });
    expect(decode(0, PROFILES.chaos.network)).toEqual({ drop: false, delay: PROFILES.chaos.network.delayMinMs, dupDelay: null });
  });

  it.each<[number, Band]>([
    [CHOICE_RANGE - 1, 'drop'],
    [9000, 'drop'],
    [8999, 'dup'],
    [8500, 'dup'],
    [8499, 'slow'],
    [8000, 'slow'],
    [7999, 'on-time'],
    [1, 'on-time'],
  ])('choice %i is %s', (c, expected) => {
    expect(band(decode(c, K), K)).toBe(expected);
  });

  it('each band has exactly its per-mille share of the range, with delays in range', () => {
    const count: Record<Band, number> = { 'on-time': 0, dup: 0, slow: 0, drop: 0 };
    const bad: string[] = [];
    for (let c = 0; c < CHOICE_RANGE; c++) {
      const f = decode(c, K);
      const b = band(f, K);
      count[b]++;
      if (f.drop) continue;
      const [lo, hi] = b === 'slow' ? [K.delayMaxMs + 1, K.delayMaxMs + K.slowMaxMs] : [K.delayMinMs, K.delayMaxMs];
      if (f.delay < lo || f.delay > hi) bad.push(`choice ${c}: ${b} delay ${f.delay}`);
      // A duplicate trails its original, by up to the slow band.
      if (f.dupDelay !== null && (f.dupDelay <= f.delay || f.dupDelay > f.delay + 1 + K.delayMaxMs - K.delayMinMs + K.slowMaxMs)) bad.push(`choice ${c}: dup delay ${f.dupDelay}`);
    }
    expect(bad).toEqual([]);
    expect(count).toEqual({ drop: 1000, dup: 500, slow: 500, 'on-time': 8000 });
  });

  it('every delay of the ordinary range is reachable', () => {
    const seen = new Set<number>();
    for (let c = 0; c < 8000; c++) seen.add((decode(c, K) as { delay: number }).delay);
    expect([...seen].sort((a, b) => a - b)).toEqual([2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('with every fault knob at 0 nothing is dropped, duplicated or slowed', () => {
    const calm = { ...K, dropPerMille: 0, dupPerMille: 0, slowPerMille: 0 };
    const bands = new Set<Band>();
    for (let c = 0; c < CHOICE_RANGE; c++) bands.add(band(decode(c, calm), calm));
    expect(bands).toEqual(new Set(['on-time']));
  });

  it('a drop rate of 1000 per mille drops everything', () => {
    const dead = { ...K, dropPerMille: 1000 };
    const bands = new Set<Band>();
    for (let c = 0; c < CHOICE_RANGE; c++) bands.add(band(decode(c, dead), dead));
    expect(bands).toEqual(new Set(['drop']));
  });
});

describe('NetworkChoices', () => {
  const base = scheduleFromSeed(1, { nodes: 3, profile: PROFILES.lossy });
  const with_ = (net: Schedule['net']): NetworkChoices => new NetworkChoices({ ...base, net });

  it('uses the listed choices first, then on-time when there is no seed', () => {
    const n = with_({ seed: null, choices: [9999, 8600] });
    expect(n.fate(K)).toEqual({ drop: true });
    expect(band(n.fate(K), K)).toBe('dup');
    for (let i = 0; i < 20; i++) expect(n.fate(K)).toEqual({ drop: false, delay: 2, dupDelay: null });
    expect(n.consumed).toBe(22);
  });

  it('past the list, a seed gives the same fates every time', () => {
    const fates = (): Fate[] => {
      const n = with_({ seed: 77, choices: [0] });
      return Array.from({ length: 200 }, () => n.fate(K));
    };
    const a = fates();
    expect(fates()).toEqual(a);
    expect(a[0]).toEqual({ drop: false, delay: 2, dupDelay: null });
    const bands = new Set(a.map((f) => band(f, K)));
    expect(bands).toEqual(new Set(['on-time', 'dup', 'slow', 'drop']));
  });
});

describe('Links', () => {
  it('a cut bumps the epoch, and healing does not bring it back', () => {
    const l = new Links(3);
    const sentAt = l.epoch(1, 2);
    l.cut(1, 2);
    expect(l.isBlocked(1, 2)).toBe(true);
    expect(l.isBlocked(2, 1)).toBe(false); // one-way
    l.restore(1, 2);
    expect(l.isBlocked(1, 2)).toBe(false);
    // A message sent before the cut carries the old epoch: it is lost though the link is up.
    expect(l.epoch(1, 2)).not.toBe(sentAt);
    expect(l.epoch(2, 1)).toBe(0);
  });

  it('overlapping cuts: the link stays blocked until every one heals', () => {
    const l = new Links(3);
    l.cut(1, 3);
    l.cut(1, 3);
    l.restore(1, 3);
    expect(l.isBlocked(1, 3)).toBe(true);
    l.restore(1, 3);
    expect(l.isBlocked(1, 3)).toBe(false);
    l.restore(1, 3); // an extra restore does not underflow
    l.cut(1, 3);
    expect(l.isBlocked(1, 3)).toBe(true);
  });

  it('healAll unblocks every link but keeps epochs', () => {
    const l = new Links(5);
    l.cut(2, 4);
    l.cut(5, 1);
    const e = l.epoch(2, 4);
    l.healAll();
    expect(l.isBlocked(2, 4) || l.isBlocked(5, 1)).toBe(false);
    expect(l.epoch(2, 4)).toBe(e);
  });
});

describe('Prng', () => {
  it('one seed, one sequence; another seed, another', () => {
    const seq = (seed: number, stream = 0): number[] => {
      const p = new Prng(seed, stream);
      return Array.from({ length: 8 }, () => p.nextU32());
    };
    expect(seq(5)).toEqual(seq(5));
    expect(seq(5)).not.toEqual(seq(6));
    expect(seq(5, 1)).not.toEqual(seq(5, 2));
  });

  it('int covers [min, max] inclusive and nothing else', () => {
    const p = new Prng(1);
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) seen.add(p.int(-3, 4));
    expect([...seen].sort((a, b) => a - b)).toEqual([-3, -2, -1, 0, 1, 2, 3, 4]);
    expect(p.int(7, 7)).toBe(7);
  });

  it('split streams are independent of each other and do not advance the parent', () => {
    const a = new Prng(42);
    const b = new Prng(42);
    const s1 = a.split(STREAM.network);
    a.split(STREAM.faults).nextU32();
    expect(a.nextU32()).toBe(b.nextU32());
    expect(s1.nextU32()).toBe(new Prng(42).split(STREAM.network).nextU32());
    expect(new Prng(42).split(STREAM.network).nextU32()).not.toBe(new Prng(42).split(STREAM.timers).nextU32());
  });

  it('chance(0, n) is never and chance(n, n) is always', () => {
    const p = new Prng(3);
    const never = Array.from({ length: 100 }, () => p.chance(0, 10));
    const always = Array.from({ length: 100 }, () => p.chance(10, 10));
    expect(never.some(Boolean) || !always.every(Boolean)).toBe(false);
  });
});
