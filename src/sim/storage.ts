import type { DurableWrite, Entry, HardState, Snapshot, StoredState } from '../raft/types.js';

/**
 * One node's disk. It survives crashes; it holds exactly what the node asked to make durable,
 * so a node that forgets to persist something forgets it here too.
 */
export class Storage {
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
}
