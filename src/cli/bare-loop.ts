import { EventQueue, Pending } from '../sim/queue.js';

/**
 * The yardstick `bench` measures raft-check against: a bare synchronous discrete-event loop
 * on the simulator's own event queue that does nothing but keep it. It holds as many pending
 * events as a 5-node chaos run does on average (about 18 in the queue plus 5 timers); each
 * popped event is replaced by a fresh one at a pseudo-random later time. What a run does
 * beyond this is Raft, faults and checking; its share of this loop's rate means the same on
 * any machine, where raw events/s do not.
 */
export const BARE_PENDING = 24;

/** The bare loop run for about `ms` milliseconds of wall time: events done, time taken. */
export function bareLoop(ms: number): { events: number; ms: number } {
  let seq = 0;
  let x = 0x2545f491;
  let events = 0;
  const start = performance.now();
  let elapsed = 0;
  do {
    // Rounds of the size of a short run, so the heap is rebuilt as runs rebuild theirs.
    const q = new EventQueue();
    for (let k = 0; k < BARE_PENDING; k++) q.push(new Pending(k, seq++, null, k % 5, null));
    for (let j = 0; j < 1000; j++) {
      const e = q.pop()!;
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      q.push(new Pending(e.time + 1 + ((x >>> 0) % 100), seq++, null, e.epoch, null));
    }
    events += 1000;
    elapsed = performance.now() - start;
  } while (elapsed < ms);
  return { events, ms: elapsed };
}
