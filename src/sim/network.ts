import type { NodeId } from '../raft/types.js';
import { Prng } from './prng.js';
import { CHOICE_RANGE, type NetworkKnobs, type Schedule } from './schedule.js';

export type Fate = { readonly drop: true } | { readonly drop: false; readonly delay: number; readonly dupDelay: number | null };

/**
 * The network's per-message choices. Each message consumes one choice in send order and the
 * knobs decode it; choice 0 is always an on-time delivery, so shrinking choices toward 0
 * straightens the run.
 */
export class NetworkChoices {
  private next = 0;
  private readonly rest: Prng | null;

  constructor(private readonly schedule: Schedule) {
    this.rest = schedule.net.seed === null ? null : new Prng(schedule.net.seed);
  }

  /** How many choices were consumed so far. */
  get consumed(): number {
    return this.next;
  }

  fate(knobs: NetworkKnobs): Fate {
    const list = this.schedule.net.choices;
    const i = this.next++;
    const c = i < list.length ? list[i] : this.rest === null ? 0 : this.rest.int(0, CHOICE_RANGE - 1);
    return decode(c, knobs);
  }
}

/** One object for every drop: the network decides a fate per message sent. */
const DROP: Fate = { drop: true };

/** Bands from the top of the range: drop, then duplicate, then slow; the rest is ordinary delay. */
export function decode(c: number, k: NetworkKnobs): Fate {
  const scale = CHOICE_RANGE / 1000;
  const dropFrom = CHOICE_RANGE - k.dropPerMille * scale;
  const dupFrom = dropFrom - k.dupPerMille * scale;
  const slowFrom = dupFrom - k.slowPerMille * scale;
  const span = k.delayMaxMs - k.delayMinMs + 1;
  const delay = k.delayMinMs + (c % span);
  if (c >= dropFrom) return DROP;
  // A duplicate is a late retransmission: it trails the original, by up to the slow band.
  if (c >= dupFrom) return { drop: false, delay, dupDelay: delay + 1 + ((c * 7) % (span + k.slowMaxMs)) };
  if (c >= slowFrom) return { drop: false, delay: k.delayMaxMs + 1 + (c % Math.max(1, k.slowMaxMs)), dupDelay: null };
  return { drop: false, delay, dupDelay: null };
}

/**
 * Which links are cut. Each cut bumps the link's epoch, so a message in flight across a new
 * cut is lost even if the cut heals before it would arrive.
 */
export class Links {
  private readonly blocked: Int32Array;
  private readonly epochs: Int32Array;
  private readonly n: number;

  constructor(nodes: number) {
    this.n = nodes + 1;
    this.blocked = new Int32Array(this.n * this.n);
    this.epochs = new Int32Array(this.n * this.n);
  }

  isBlocked(from: NodeId, to: NodeId): boolean {
    return this.blocked[from * this.n + to] > 0;
  }

  epoch(from: NodeId, to: NodeId): number {
    return this.epochs[from * this.n + to];
  }

  cut(from: NodeId, to: NodeId): void {
    const i = from * this.n + to;
    this.blocked[i]++;
    this.epochs[i]++;
  }

  restore(from: NodeId, to: NodeId): void {
    const i = from * this.n + to;
    if (this.blocked[i] > 0) this.blocked[i]--;
  }

  healAll(): void {
    this.blocked.fill(0);
  }
}
