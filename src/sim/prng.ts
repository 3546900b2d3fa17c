/**
 * The one source of randomness: a seeded xoshiro128** generator. Streams are split by purpose
 * (network, faults, timers, client) so that changing one knob does not reshuffle the others.
 * The API is integer-only, so no result depends on float rounding.
 */
export class Prng {
  /**
   * a, b, c, d as raw 32-bit words: in object fields, values past 2^30 are boxed numbers, and
   * a draw per message sent made this a measurable share of a run.
   */
  private readonly s = new Int32Array(4);
  /** The last span int() was asked for, and its rejection limit (most calls repeat one span). */
  private span = 0;
  private limit = 0;

  constructor(seed: number, stream = 0) {
    // splitmix32 expands (seed, stream) into the 128-bit state.
    let s = (seed ^ Math.imul(stream + 1, 0x9e3779b9)) >>> 0;
    const next = (): number => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s[0] = next();
    this.s[1] = next();
    this.s[2] = next();
    this.s[3] = next() | 1;
  }

  /** A uniform 32-bit unsigned integer. */
  nextU32(): number {
    const st = this.s;
    const a = st[0];
    const b = st[1];
    const result = Math.imul(rotl(Math.imul(b, 5), 7), 9) >>> 0;
    const t = b << 9;
    const c = st[2] ^ a;
    const d = st[3] ^ b;
    st[1] = b ^ c;
    st[0] = a ^ d;
    st[2] = c ^ t;
    st[3] = rotl(d, 11);
    return result;
  }

  /** Uniform integer in [min, max], both inclusive; ranges up to 2^32. */
  int(min: number, max: number): number {
    const span = max - min + 1;
    if (span <= 1) return min;
    // Rejection sampling keeps the draw unbiased.
    if (span !== this.span) {
      this.span = span;
      this.limit = Math.floor(0x100000000 / span) * span;
    }
    const limit = this.limit;
    let x = this.nextU32();
    while (x >= limit) x = this.nextU32();
    return min + (x % span);
  }

  /** True with probability numerator / denominator. */
  chance(numerator: number, denominator: number): boolean {
    return numerator > 0 && this.int(0, denominator - 1) < numerator;
  }

  /** A child generator for one purpose; the parent stream is not advanced. */
  split(stream: number): Prng {
    return new Prng((this.s[0] ^ this.s[2]) >>> 0, stream);
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** Stream numbers, one per purpose. */
export const STREAM = { network: 1, faults: 2, timers: 3, client: 4, drift: 5, swarm: 6, compaction: 7 } as const;

/**
 * The seed a node instance gets (NodeInit.seed): a function of the schedule's seed, the node
 * id and its boot count alone, so a restart's randomness does not depend on how much the
 * crashed instance drew.
 */
export function bootSeed(seed: number, node: number, boot: number): number {
  return new Prng(seed, 1_000 + node * 1_000 + boot).nextU32();
}
