import type { NodeId } from '../../raft/types.js';
import type { Finding } from '../../sim/observer.js';
import { Prng } from '../../sim/prng.js';
import type { Choice } from './choices.js';
import { Execution, type Setup } from './execution.js';

export interface PctOptions {
  readonly setup: Omit<Setup, 'snapshotThreshold'>;
  /** The bug depth d: d-1 priority change points per run. */
  readonly depth: number;
  /** Steps per run (k). */
  readonly steps: number;
  /** Most faults and client commands per run; each run draws how many, and when. */
  readonly crashes: number;
  readonly drops: number;
  readonly duplicates: number;
  readonly proposals: number;
  /** Some runs compact their logs (a snapshot threshold of 2 to 4 applied entries). */
  readonly snapshots: boolean;
}

export interface PctRun {
  readonly path: readonly Choice[];
  readonly finding: Finding | null;
  readonly snapshotThreshold: number;
}

/**
 * The chains PCT orders: one per directed link (its messages, oldest first) and one per node
 * (its timer, or its restart while it is down). n nodes give n² chains.
 */
export function chainCount(nodes: number): number {
  return nodes * nodes;
}

/**
 * The lower bound PCT guarantees per run (Burckhardt et al., ASPLOS 2010, Theorem 9): a bug
 * that needs d particular events in a particular order is hit with probability at least
 * 1/(c·k^(d-1)) for c chains and k steps. Our chains are a fixed partition of every event into
 * c = n² totally ordered sequences (a link delivers in send order, a node's timer fires in
 * turn), which is the threads of the paper's model; PCTCP (Ozkan et al., OOPSLA 2018) gives
 * 1/(w²·k^(d-1)) when the chains must be found online, with w the width of the order. The
 * bound holds for the order of events; the faults a bug also needs are drawn separately.
 */
export function pctBound(nodes: number, steps: number, depth: number): number {
  return 1 / (chainCount(nodes) * Math.pow(steps, depth - 1));
}

/** The chance that at least one of `runs` runs hits the bug, from the per-run bound. */
export function pctBoundOver(perRun: number, runs: number): number {
  return 1 - Math.pow(1 - perRun, runs);
}

/**
 * One PCT run over the choice points of a scripted run. Every chain gets a distinct random
 * priority above d; at each step the highest-priority chain with something to do takes it.
 * At each of the d-1 change points (steps drawn from 1..k) the chain about to run drops to
 * priority i (the i-th point), below every initial one, and the next chain runs instead.
 *
 * Timers never block on their own, so one high-priority timer would fire for ever; a node's
 * timer is therefore enabled only once the node has had an input since its last tick or
 * restart, or when nothing is in flight at all: a timeout is long next to a message delay.
 * At the first boot every timer is enabled, so that elections can start together.
 *
 * Crashes, drops, duplicates and proposals are drawn per run (how many, up to the maximum,
 * and at which steps); a proposal waits until some node believes it leads. Deterministic: the
 * run depends only on `seed` and `iteration`.
 */
export function pctRun(o: PctOptions, seed: number, iteration: number): PctRun {
  const prng = new Prng(seed, 10_000 + iteration);
  const n = o.setup.nodes;
  const k = o.steps;
  const snapshotThreshold = o.snapshots && prng.chance(1, 2) ? prng.int(2, 4) : 0;
  const exec = new Execution({ ...o.setup, snapshotThreshold });
  const path: Choice[] = [];
  const result = (): PctRun => ({ path, finding: exec.finding, snapshotThreshold });
  if (exec.finding !== null) return result();

  // Chain x: 0..n-1 the timer of node x+1; n + (from-1)*n + (to-1) the link from -> to.
  const priority = new Array<number>(n + n * n).fill(0);
  const order = shuffled(prng, n + n * n).filter((x) => x < n || Math.floor((x - n) / n) !== (x - n) % n);
  order.forEach((chain, i) => (priority[chain] = o.depth + i));
  const changeAt = new Map<number, number>();
  for (let i = 1; i < o.depth && changeAt.size < k; i++) {
    let at = prng.int(1, k);
    while (changeAt.has(at)) at = prng.int(1, k);
    changeAt.set(at, i);
  }
  // Faults fall within a horizon drawn per run, so that some runs crowd them into the first
  // election and others spread them out (swarm testing's point: vary the mix per run).
  const horizon = prng.int(Math.min(k, 5), k);
  const faultSteps = (max: number): Set<number> => {
    const s = new Set<number>();
    const count = prng.int(0, max);
    for (let i = 0; i < count; i++) s.add(prng.int(1, horizon));
    return s;
  };
  const crashAt = faultSteps(o.crashes);
  const dropAt = faultSteps(o.drops);
  const dupAt = faultSteps(o.duplicates);
  const proposeAt = faultSteps(o.proposals);
  let pending = 0;
  let proposed = 0;
  /** The node had an input since its last tick. */
  const fresh = new Array<boolean>(n + 1).fill(true);

  let lastActor: NodeId | null = null;
  const take = (ch: Choice): boolean => {
    lastActor = ch.do === 'drop' ? null : ch.do === 'deliver' || ch.do === 'duplicate' ? ch.to : ch.node;
    path.push(ch);
    exec.apply(ch);
    return exec.finding !== null;
  };

  for (let step = 1; step <= k; step++) {
    const view = exec.view();
    if (proposeAt.has(step)) pending++;
    if (crashAt.has(step)) {
      const up = view.nodes.filter((x) => x.up);
      if (up.length > 0) {
        // Half the crashes strike the node that took the last step, right after it: just after
        // a vote or an acknowledgement is where persistence bugs show.
        const last = lastActor === null ? undefined : up.find((x) => x.id === lastActor);
        const victim = last !== undefined && prng.chance(1, 2) ? last : up[prng.int(0, up.length - 1)];
        const lose = victim.unsynced > 0 && prng.chance(1, 2);
        if (take(lose ? { do: 'crash', node: victim.id, loss: 'unsynced' } : { do: 'crash', node: victim.id })) return result();
        continue;
      }
    }
    if (pending > 0) {
      let leader: NodeId | null = null;
      let term = -1;
      for (const x of view.nodes) if (x.obs !== null && x.obs.role === 'leader' && x.obs.term > term) [leader, term] = [x.id, x.obs.term];
      if (leader !== null) {
        pending--;
        proposed++;
        fresh[leader] = true;
        if (take({ do: 'propose', node: leader, id: `c${proposed}` })) return result();
        continue;
      }
    }
    const heads = new Map<number, { from: NodeId; to: NodeId; msg: string }>();
    for (const m of view.inFlight) {
      const chain = n + (m.from - 1) * n + (m.to - 1);
      if (!heads.has(chain)) heads.set(chain, { from: m.from, to: m.to, msg: m.summary });
    }
    const quiet = view.inFlight.length === 0;
    const enabled = (chain: number): boolean => {
      if (chain >= n) return heads.has(chain);
      const node = view.nodes[chain];
      return !node.up || (node.timer && (fresh[node.id] || quiet));
    };
    const pick = (): number => {
      let best = -1;
      for (const chain of order) if (enabled(chain) && (best < 0 || priority[chain] > priority[best])) best = chain;
      return best;
    };
    let chain = pick();
    if (chain < 0) break;
    const lowered = changeAt.get(step);
    if (lowered !== undefined) {
      priority[chain] = lowered;
      chain = pick();
    }
    let choice: Choice;
    if (chain < n) {
      const id = chain + 1;
      choice = view.nodes[chain].up ? { do: 'tick', node: id } : { do: 'restart', node: id };
      // A restarted node waits out a timeout as a booted one does: only an input (or a quiet
      // network) lets its timer fire.
      fresh[id] = false;
    } else {
      const head = heads.get(chain)!;
      if (dupAt.has(step)) {
        // A duplicate aims at a snapshot message where one is in flight, as the 'snapshot'
        // crash trigger of timed runs does: a late second copy is what snapshot bugs need.
        const snap = view.inFlight.find((m) => /snap/i.test(m.summary.split(' ')[0]));
        choice = { do: 'duplicate', ...(snap === undefined ? head : { from: snap.from, to: snap.to, msg: snap.summary }) };
      } else choice = dropAt.has(step) ? { do: 'drop', ...head } : { do: 'deliver', ...head };
      if (choice.do === 'deliver') fresh[head.to] = true;
    }
    if (take(choice)) return result();
  }
  return result();
}

/** 0..size-1 in a random order (Fisher-Yates). */
function shuffled(prng: Prng, size: number): number[] {
  const a = Array.from({ length: size }, (_, i) => i);
  for (let i = size - 1; i > 0; i--) {
    const j = prng.int(0, i);
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}
