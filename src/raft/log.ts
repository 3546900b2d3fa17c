import type { Entry, Snapshot } from './types.js';

/** Every empty slice: a heartbeat's entries, most AppendEntries sent. */
const NONE: readonly Entry[] = [];

/**
 * A node's log with a compacted prefix. Indexes are 1-based; index `base` is the last one
 * covered by the snapshot (0 when there is none), so `entries[i].index === base + 1 + i`.
 */
export class RaftLog {
  /** Invariant: entries[i].index === base + 1 + i. */
  private entries: Entry[];
  private base: number;
  private baseTerm: number;

  constructor(snapshot: Snapshot | null, entries: readonly Entry[]) {
    this.base = snapshot?.lastIncludedIndex ?? 0;
    this.baseTerm = snapshot?.lastIncludedTerm ?? 0;
    this.entries = entries.filter((e) => e.index > this.base);
  }

  get snapshotIndex(): number {
    return this.base;
  }

  get snapshotTerm(): number {
    return this.baseTerm;
  }

  get lastIndex(): number {
    return this.base + this.entries.length;
  }

  get lastTerm(): number {
    return this.entries.length === 0 ? this.baseTerm : this.entries[this.entries.length - 1].term;
  }

  /** Term at index, or undefined when the index is past the end or compacted away. */
  termAt(index: number): number | undefined {
    if (index === this.base) return this.baseTerm;
    if (index < this.base || index > this.lastIndex) return undefined;
    return this.entries[index - this.base - 1].term;
  }

  entry(index: number): Entry {
    const e = this.entries[index - this.base - 1];
    if (e === undefined) throw new Error(`log has no entry ${index} (base ${this.base}, last ${this.lastIndex})`);
    return e;
  }

  /** Entries in [from, to], clamped to what the log holds; never to be mutated (see NONE). */
  slice(from: number, to: number = this.lastIndex): readonly Entry[] {
    const lo = Math.max(from, this.base + 1) - this.base - 1;
    const hi = Math.min(to, this.lastIndex) - this.base;
    return lo >= hi ? NONE : this.entries.slice(lo, hi);
  }

  /** First index holding `term`, searching back from `from` (section 5.3 conflict hint). */
  firstIndexOfTerm(term: number, from: number): number {
    let i = from;
    while (i - 1 > this.base && this.termAt(i - 1) === term) i--;
    return i;
  }

  /** Last index whose term is `term`, or 0 when the log holds none. */
  lastIndexOfTerm(term: number): number {
    for (let i = this.lastIndex; i > this.base; i--) {
      const t = this.termAt(i)!;
      if (t === term) return i;
      if (t < term) return 0;
    }
    return this.base > 0 && this.baseTerm === term ? this.base : 0;
  }

  append(entry: Entry): void {
    this.entries.push(entry);
  }

  /** Drop every entry with index >= from. */
  truncateFrom(from: number): void {
    if (from <= this.base) throw new Error(`cannot truncate compacted index ${from}`);
    if (from <= this.lastIndex) this.entries.length = from - this.base - 1;
  }

  /** Compact through `snapshot`; entries after it are kept only when `keepSuffix`. */
  compact(snapshot: Snapshot, keepSuffix: boolean): void {
    // Its own array (the log appends to it), never the shared empty slice.
    const rest = keepSuffix ? this.entries.slice(Math.max(0, snapshot.lastIncludedIndex - this.base)) : [];
    this.base = snapshot.lastIncludedIndex;
    this.baseTerm = snapshot.lastIncludedTerm;
    this.entries = rest;
  }
}
