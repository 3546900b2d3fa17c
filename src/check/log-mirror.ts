import type { DurableWrite, NodeId } from '../raft/types.js';

const EMPTY = 0x811c9dc5;

/**
 * Every node's durable log as prefix hashes: hash(i) covers entries 1..i, so two nodes with
 * equal hashes at i hold identical logs up to i. Kept incrementally from durable writes.
 */
export class LogMirror {
  private readonly logs: NodeLog[] = [];
  /** The first prefix hash seen for each (index, term), by any node. */
  private readonly known = new Map<number, { hash: number; node: NodeId }>();

  constructor(nodes: number) {
    for (let id = 1; id <= nodes; id++) this.logs[id] = { base: 0, baseHash: EMPTY, terms: [], hashes: [] };
  }

  lastIndex(node: NodeId): number {
    const l = this.logs[node];
    return l.base + l.terms.length;
  }

  baseIndex(node: NodeId): number {
    return this.logs[node].base;
  }

  termAt(node: NodeId, index: number): number | undefined {
    const l = this.logs[node];
    return index > l.base && index <= l.base + l.terms.length ? l.terms[index - l.base - 1] : undefined;
  }

  /** Prefix hash at index; undefined when the index is past the end or inside the snapshot. */
  hashAt(node: NodeId, index: number): number | undefined {
    const l = this.logs[node];
    if (index === l.base) return l.baseHash;
    if (index < l.base || index > l.base + l.terms.length) return undefined;
    return l.hashes[index - l.base - 1];
  }

  /** Who first held (index, term), with the prefix hash they held. */
  firstHolder(index: number, term: number): { hash: number; node: NodeId } | undefined {
    return this.known.get(key(index, term));
  }

  /**
   * Applies a write. For each appended entry `onEntry` may object (log-matching does);
   * the first objection is returned and the write is still applied.
   */
  apply<R>(node: NodeId, w: DurableWrite, onEntry: (index: number, term: number, hash: number) => R | null): R | null {
    const l = this.logs[node];
    if (w.snapshot !== undefined) {
      const s = w.snapshot;
      const keepFrom = s.lastIncludedIndex - l.base;
      // Exactly what storage does: entries past the snapshot stay unless the write truncates them.
      const keep = keepFrom >= 0 && s.lastIncludedIndex < l.base + l.terms.length;
      const first = this.known.get(key(s.lastIncludedIndex, s.lastIncludedTerm));
      l.baseHash = s.lastIncludedIndex === 0 ? EMPTY : first !== undefined ? first.hash : (mix(mix(EMPTY, s.lastIncludedIndex), s.digest) ^ 0x5bd1e995) >>> 0;
      l.terms = keep ? l.terms.slice(keepFrom) : [];
      l.hashes = keep ? l.hashes.slice(keepFrom) : [];
      l.base = s.lastIncludedIndex;
    }
    if (w.truncateFrom !== undefined && w.truncateFrom <= l.base + l.terms.length) {
      const n = Math.max(0, w.truncateFrom - l.base - 1);
      l.terms.length = n;
      l.hashes.length = n;
    }
    let objection: R | null = null;
    if (w.append !== undefined) {
      let prev = l.terms.length === 0 ? l.baseHash : l.hashes[l.hashes.length - 1];
      for (const e of w.append) {
        const h = entryHash(prev, e.term, e.command === null ? '' : e.command.id);
        l.terms.push(e.term);
        l.hashes.push(h);
        prev = h;
        const k = key(e.index, e.term);
        if (!this.known.has(k)) this.known.set(k, { hash: h, node });
        if (objection === null) objection = onEntry(e.index, e.term, h);
      }
    }
    return objection;
  }

  /** The first index at which two nodes' logs differ, searching 1..upTo (binary search on prefix hashes). */
  firstDifference(a: NodeId, b: NodeId, upTo: number): number {
    let lo = Math.max(this.logs[a].base, this.logs[b].base);
    let hi = upTo;
    if (this.hashAt(a, lo) !== this.hashAt(b, lo)) return lo;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      const ha = this.hashAt(a, mid);
      if (ha !== undefined && ha === this.hashAt(b, mid)) lo = mid;
      else hi = mid;
    }
    return hi;
  }
}

interface NodeLog {
  base: number;
  baseHash: number;
  terms: number[];
  hashes: number[];
}

function key(index: number, term: number): number {
  return index * 1_048_576 + term;
}

function entryHash(prev: number, term: number, id: string): number {
  let h = mix(prev, term);
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193) >>> 0;
  return Math.imul(h ^ 0xff, 0x01000193) >>> 0;
}

function mix(h: number, n: number): number {
  h = Math.imul(h ^ (n & 0xffff), 0x01000193);
  return Math.imul(h ^ (n >>> 16), 0x01000193) >>> 0;
}
