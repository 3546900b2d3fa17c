import type { Command, Message, NodeId } from '../raft/types.js';
import type { Fault } from './schedule.js';

/** The rarer things the simulator schedules; deliveries, nearly every event, carry none. */
export type Happening =
  | { readonly kind: 'fault'; readonly fault: Fault }
  | { readonly kind: 'restart'; readonly node: NodeId; readonly incarnation: number }
  | { readonly kind: 'heal'; readonly links: [NodeId, NodeId][]; readonly generation: number }
  | { readonly kind: 'propose'; readonly command: Command; readonly target: NodeId; readonly attempt: number; readonly probe: boolean }
  | { readonly kind: 'calm' }
  | { readonly kind: 'probe-check' }
  | { readonly kind: 'end' };

/**
 * One scheduled event. Every event has this one layout (a delivery's message, or another
 * happening), so the heap's comparisons and the loop's reads see a single object shape: with
 * a shape per kind they were megamorphic loads, a large share of the simulator's time.
 */
export class Pending {
  constructor(
    readonly time: number,
    readonly seq: number,
    /** The message to deliver; null for any other happening. */
    readonly msg: Message | null,
    /** The link's cut epoch when the message left: a cut since then loses it. */
    readonly epoch: number,
    readonly other: Happening | null,
  ) {}
}

/** A binary min-heap of pending events by (time, seq). */
export class EventQueue {
  private readonly h: Pending[] = [];

  get size(): number {
    return this.h.length;
  }

  /** The earliest event, left in place; undefined when none is pending. */
  peek(): Pending | undefined {
    return this.h[0];
  }

  push(e: Pending): void {
    const h = this.h;
    let i = h.length;
    h.push(e);
    while (i > 0) {
      const p = (i - 1) >> 1;
      const q = h[p];
      if (q.time < e.time || (q.time === e.time && q.seq < e.seq)) break;
      h[i] = q;
      i = p;
    }
    h[i] = e;
  }

  pop(): Pending | undefined {
    const h = this.h;
    if (h.length === 0) return undefined;
    const top = h[0];
    const last = h.pop()!;
    const n = h.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        let c = l;
        if (r < n && (h[r].time < h[l].time || (h[r].time === h[l].time && h[r].seq < h[l].seq))) c = r;
        const x = h[c];
        if (last.time < x.time || (last.time === x.time && last.seq < x.seq)) break;
        h[i] = x;
        i = c;
      }
      h[i] = last;
    }
    return top;
  }
}
