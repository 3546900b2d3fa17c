import type { DurableWrite, Entry, HardState, Snapshot, StoredState } from '../raft/types.js';

/**
 * What a crash does to the writes not yet synced: keeps them all ('none', as a disk whose
 * cache was flushed in time), loses them all ('unsynced'), or keeps a prefix of their parts
 * ('torn', a write cut short).
 */
export type CrashLoss = 'none' | 'unsynced' | 'torn';

export const CRASH_LOSSES: readonly CrashLoss[] = ['none', 'unsynced', 'torn'];

/** A disk's contents: a term and vote, a snapshot and the entries after it. */
export class Disk {
  hardState: HardState = { term: 0, votedFor: null };
  snapshot: Snapshot | null = null;
  /** Invariant: entries[i].index === snapshotIndex + 1 + i. */
  entries: Entry[] = [];

  get snapshotIndex(): number {
    return this.snapshot?.lastIncludedIndex ?? 0;
  }

  get lastIndex(): number {
    return this.snapshotIndex + this.entries.length;
  }

  termAt(index: number): number | undefined {
    const base = this.snapshotIndex;
    if (index === base) return this.snapshot?.lastIncludedTerm ?? 0;
    if (index < base || index > this.lastIndex) return undefined;
    return this.entries[index - base - 1].term;
  }

  /** Applies a write; returns a description of what is wrong with it, or null when it is valid. */
  apply(w: DurableWrite): string | null {
    if (w.hardState !== undefined) {
      const h = w.hardState;
      if (!Number.isSafeInteger(h.term) || h.term < 0) return `hardState.term is ${String(h.term)}`;
      this.hardState = { term: h.term, votedFor: h.votedFor ?? null };
    }
    if (w.snapshot !== undefined) {
      const s = w.snapshot;
      if (!Number.isSafeInteger(s.lastIncludedIndex) || s.lastIncludedIndex < 0) return 'snapshot.lastIncludedIndex is not a whole number';
      const base = this.snapshotIndex;
      const keep = s.lastIncludedIndex >= base && s.lastIncludedIndex < this.lastIndex ? this.entries.slice(s.lastIncludedIndex - base) : [];
      this.snapshot = s;
      this.entries = keep;
    }
    if (w.truncateFrom !== undefined) {
      const from = w.truncateFrom;
      if (!Number.isSafeInteger(from) || from <= this.snapshotIndex) return `truncateFrom ${String(from)} reaches into the snapshot (index ${this.snapshotIndex})`;
      if (from <= this.lastIndex) this.entries.length = from - this.snapshotIndex - 1;
    }
    if (w.append !== undefined && w.append.length > 0) {
      let expect = this.lastIndex + 1;
      for (const e of w.append) {
        if (e === null || typeof e !== 'object' || e.index !== expect) {
          return `append expected index ${expect} but got ${e === null || typeof e !== 'object' ? String(e) : String(e.index)}`;
        }
        if (!Number.isSafeInteger(e.term) || e.term < 1) return `entry ${expect} has term ${String(e.term)}`;
        this.entries.push(e);
        expect++;
      }
    }
    return null;
  }

  /** What the node gets back on restart; copies, so the node cannot reach into the disk. */
  read(): StoredState | null {
    if (this.hardState.term === 0 && this.hardState.votedFor === null && this.entries.length === 0 && this.snapshot === null) {
      return null;
    }
    return { hardState: this.hardState, snapshot: this.snapshot, log: this.entries.slice() };
  }

  copy(): Disk {
    const d = new Disk();
    d.hardState = this.hardState;
    d.snapshot = this.snapshot;
    d.entries = this.entries.slice();
    return d;
  }
}

/** How many parts a write has, in the order a torn write keeps a prefix of them. */
export function partCount(w: DurableWrite): number {
  return (w.hardState !== undefined ? 1 : 0) + (w.snapshot !== undefined ? 1 : 0) + (w.truncateFrom !== undefined ? 1 : 0) + (w.append?.length ?? 0);
}

/** The first `n` parts of a write (hardState, snapshot, truncateFrom, then each entry). */
export function writePrefix(w: DurableWrite, n: number): DurableWrite {
  const out: { hardState?: HardState; snapshot?: Snapshot; truncateFrom?: number; append?: readonly Entry[] } = {};
  let left = n;
  if (w.hardState !== undefined && left > 0) {
    out.hardState = w.hardState;
    left--;
  }
  if (w.snapshot !== undefined && left > 0) {
    out.snapshot = w.snapshot;
    left--;
  }
  if (w.truncateFrom !== undefined && left > 0) {
    out.truncateFrom = w.truncateFrom;
    left--;
  }
  if (w.append !== undefined && left > 0) out.append = w.append.slice(0, left);
  return out;
}

/** What a crash did to the buffered writes. */
export interface CrashOutcome {
  /** Parts buffered (not synced) when the crash struck. */
  readonly buffered: number;
  /** Of those, the parts that survived. */
  readonly kept: number;
}

/**
 * One node's disk. It survives crashes; it holds exactly what the node asked to write, so a
 * node that forgets to persist something forgets it here too. A synced write (an fsync) makes
 * it and every earlier write durable; an unsynced one is buffered until the next synced write,
 * and a crash before that may lose it (see {@link CrashLoss}).
 */
export class Storage {
  /** What any crash leaves. */
  private durable = new Disk();
  /**
   * What the node has written: the durable disk plus the buffered writes; null while nothing
   * is buffered, when it is the durable disk (most writes are synced: one disk to update).
   */
  private written: Disk | null = null;
  private buffered: DurableWrite[] = [];

  get snapshotIndex(): number {
    return this.durable.snapshotIndex;
  }

  /** Durable entries after the snapshot. */
  get entryCount(): number {
    return this.durable.entries.length;
  }

  /** Applies a write as the node made it; returns what is wrong with it, or null when valid. */
  write(w: DurableWrite): string | null {
    if (w.sync !== undefined && typeof w.sync !== 'boolean') return `sync is ${String(w.sync)}, not a boolean`;
    // A bad write ends the run, so a disk it left half-applied is never read again.
    if (this.written === null) {
      if (w.sync !== false) return this.durable.apply(w);
      this.written = this.durable.copy();
    }
    const bad = this.written.apply(w);
    if (bad !== null) return bad;
    if (w.sync === false) {
      this.buffered.push(w);
      return null;
    }
    for (const b of this.buffered) this.durable.apply(b);
    this.durable.apply(w);
    this.buffered = [];
    this.written = null;
    return null;
  }

  /** The node is gone: its buffered writes survive as `loss` says (`keep` parts, torn). */
  crash(loss: CrashLoss, keep: number): CrashOutcome {
    const parts = this.buffered.reduce((n, w) => n + partCount(w), 0);
    if (parts === 0) return { buffered: 0, kept: 0 };
    const kept = loss === 'none' ? parts : loss === 'unsynced' ? 0 : Math.max(0, Math.min(keep, parts - 1));
    let left = kept;
    for (const w of this.buffered) {
      if (left <= 0) break;
      const n = partCount(w);
      this.durable.apply(n <= left ? w : writePrefix(w, left));
      left -= n;
    }
    this.buffered = [];
    this.written = null;
    return { buffered: parts, kept };
  }

  /** Unsynced write parts a crash could lose now. */
  get bufferedParts(): number {
    return this.buffered.reduce((n, w) => n + partCount(w), 0);
  }

  /** The disk and the writes waiting for an fsync, for exhaustive search's state cache. */
  fingerprint(): string {
    return JSON.stringify([this.durable.read(), this.buffered]);
  }

  /** What the node gets back on restart. */
  read(): StoredState | null {
    return this.durable.read();
  }
}
