import type { DurableWrite, NodeId, StoredState } from '../raft/types.js';
import type { Report, StepInfo } from '../sim/observer.js';
import { Disk } from '../sim/storage.js';
import type { LogMirror } from './log-mirror.js';

/**
 * Commit Durability: when a node's commitIndex reaches i, the entry it holds at i (same index
 * and term) is on disk, synced, on a majority: in the durable log, or inside a durable
 * snapshot. Raft's safety rests on it; an acknowledgement sent before its fsync, or a quorum
 * counted wrong, breaks it at the moment of the commit, before any crash makes it visible.
 *
 * Each node's disk is mirrored from its writes, as storage keeps it: synced writes (and every
 * write before them) are durable, later ones wait; after a crash the mirror is what survived.
 */
export class CommitDurability {
  private readonly disks: Disk[] = [];
  private readonly buffered: DurableWrite[][] = [];

  constructor(private readonly nodes: number) {
    for (let id = 1; id <= nodes; id++) {
      this.disks[id] = new Disk();
      this.buffered[id] = [];
    }
  }

  /** The input's writes, in order, as storage makes them. */
  persist(node: NodeId, writes: readonly DurableWrite[]): void {
    for (const w of writes) {
      if (w.sync === false) {
        this.buffered[node].push(w);
        continue;
      }
      const waiting = this.buffered[node];
      if (waiting.length > 0) {
        for (const b of waiting) this.disks[node].apply(b);
        this.buffered[node] = [];
      }
      this.disks[node].apply(w);
    }
  }

  onCrash(node: NodeId, stored: StoredState | null): void {
    const d = new Disk();
    if (stored !== null) {
      d.hardState = stored.hardState;
      d.snapshot = stored.snapshot;
      d.entries = stored.log.slice();
    }
    this.disks[node] = d;
    this.buffered[node] = [];
  }

  /** Checks the commit index the input reached, against the disks after its writes. */
  check(s: StepInfo, logs: LogMirror): Report | null {
    const c = s.after.commitIndex;
    if (c <= (s.before?.commitIndex ?? 0) || c <= 0) return null;
    const term = logs.termAt(s.node, c) ?? (c === logs.baseIndex(s.node) ? logs.baseTerm(s.node) : undefined);
    if (term === undefined) return null; // past its own log: nothing to compare against
    const holders: NodeId[] = [];
    for (let id = 1; id <= this.nodes; id++) {
      const d = this.disks[id];
      const held = c < d.snapshotIndex || (c === d.snapshotIndex ? d.snapshot?.lastIncludedTerm === term : d.termAt(c) === term);
      if (held) holders.push(id);
    }
    if (holders.length * 2 > this.nodes) return null;
    const on = holders.length === 0 ? 'no node' : holders.length === 1 ? `only node ${holders[0]}` : `only nodes ${holders.join(', ')}`;
    return {
      invariant: 'commit-durability',
      nodes: [s.node, ...holders.filter((h) => h !== s.node)],
      index: c,
      terms: [term],
      message: `node ${s.node} committed index ${c} (term ${term}) while ${on} of ${this.nodes} had it on disk`,
    };
  }
}
