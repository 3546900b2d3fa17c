import type { DurableWrite, NodeId, StoredState } from '../raft/types.js';

const EMPTY = 0x811c9dc5;

/**
 * Every node's log as written, as prefix hashes: hash(i) covers entries 1..i, so two nodes
 * with equal hashes at i hold identical logs up to i. Kept incrementally from the writes.
 *
 * A snapshot's prefix hash is the one first seen for its (index, term). When nobody has
 * written that entry yet (a node appended, committed and compacted it in one input), the
 * log's hashes wait: its entries are neither recorded nor compared until some node writes the
 * entry, and then they are rehashed on the real prefix. A stand-in hash would make every later
 * comparison with that log a false log-matching report.
 */
export class LogMirror {
  private readonly logs: NodeLog[] = [];
  /** The first prefix hash seen for each (index, term), by any node. */
  private readonly known = new Map<number, { hash: number; node: NodeId }>();
  /** Snapshot (index, term) keys nobody has written yet, and the nodes whose logs wait on them. */
  private readonly waiting = new Map<number, Set<NodeId>>();

  constructor(nodes: number) {
    for (let id = 1; id <= nodes; id++) this.logs[id] = emptyLog();
  }

  lastIndex(node: NodeId): number {
    const l = this.logs[node];
    return l.base + l.terms.length;
  }

  baseIndex(node: NodeId): number {
    return this.logs[node].base;
  }

  /** The term of the last entry inside the node's snapshot (0 without one). */
  baseTerm(node: NodeId): number {
    return this.logs[node].baseTerm;
  }

  /** False while the node's prefix hashes wait for its snapshot's entry to be written. */
  comparable(node: NodeId): boolean {
    return this.logs[node].waitKey === null;
  }

  termAt(node: NodeId, index: number): number | undefined {
    const l = this.logs[node];
    return index > l.base && index <= l.base + l.terms.length ? l.terms[index - l.base - 1] : undefined;
  }

  /** Prefix hash at index; undefined when the index is past the end or inside the snapshot. */
  hashAt(node: NodeId, index: number): number | undefined {
    const l = this.logs[node];
    if (l.waitKey !== null) return undefined;
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
      const wasWaiting = l.waitKey !== null;
      l.terms = keep ? l.terms.slice(keepFrom) : [];
      l.hashes = keep ? l.hashes.slice(keepFrom) : [];
      l.ids = keep ? l.ids.slice(keepFrom) : [];
      this.setBase(node, s.lastIncludedIndex, s.lastIncludedTerm);
      // Kept entries hashed on a base that was still waiting get their real prefix now.
      if (wasWaiting && l.waitKey === null) this.rehash(node);
    }
    if (w.truncateFrom !== undefined && w.truncateFrom <= l.base + l.terms.length) {
      const n = Math.max(0, w.truncateFrom - l.base - 1);
      l.terms.length = n;
      l.hashes.length = n;
      l.ids.length = n;
    }
    let objection: R | null = null;
    if (w.append !== undefined) {
      for (const e of w.append) {
        const h = this.push(node, e.term, e.command === null ? '' : e.command.id);
        if (l.waitKey !== null) continue;
        const k = key(e.index, e.term);
        if (!this.known.has(k)) this.learn(k, h, node);
        if (objection === null) objection = onEntry(e.index, e.term, h);
      }
    }
    return objection;
  }

  /** After a crash that lost writes: the node's log is exactly what survived on its disk. */
  reset(node: NodeId, stored: StoredState | null): void {
    this.leaveWait(node);
    this.logs[node] = emptyLog();
    const snap = stored?.snapshot ?? null;
    if (snap !== null && snap.lastIncludedIndex > 0) this.setBase(node, snap.lastIncludedIndex, snap.lastIncludedTerm);
    for (const e of stored?.log ?? []) this.push(node, e.term, e.command === null ? '' : e.command.id);
  }

  /** Puts the log's base at a snapshot (index, term), with its prefix hash when known. */
  private setBase(node: NodeId, index: number, term: number): void {
    const l = this.logs[node];
    this.leaveWait(node);
    l.base = index;
    l.baseTerm = term;
    if (index === 0) {
      l.baseHash = EMPTY;
      return;
    }
    const k = key(index, term);
    const first = this.known.get(k);
    if (first !== undefined) {
      l.baseHash = first.hash;
      return;
    }
    l.waitKey = k;
    const set = this.waiting.get(k) ?? new Set<NodeId>();
    set.add(node);
    this.waiting.set(k, set);
  }

  private leaveWait(node: NodeId): void {
    const l = this.logs[node];
    if (l.waitKey === null) return;
    this.waiting.get(l.waitKey)?.delete(node);
    l.waitKey = null;
  }

  /** Appends one entry to the node's hashes; returns its prefix hash. */
  private push(node: NodeId, term: number, id: string): number {
    const l = this.logs[node];
    const prev = l.hashes.length === 0 ? l.baseHash : l.hashes[l.hashes.length - 1];
    const h = entryHash(prev, term, id);
    l.terms.push(term);
    l.hashes.push(h);
    l.ids.push(id);
    return h;
  }

  /** Records the first holder of (index, term); logs waiting on it as a snapshot base rehash. */
  private learn(k: number, hash: number, node: NodeId): void {
    this.known.set(k, { hash, node });
    const waiters = this.waiting.get(k);
    if (waiters === undefined) return;
    this.waiting.delete(k);
    for (const id of waiters) {
      this.logs[id].waitKey = null;
      this.logs[id].baseHash = hash;
      this.rehash(id);
    }
  }

  /** Recomputes a log's hashes from its base and records the entries nobody held before. */
  private rehash(node: NodeId): void {
    const l = this.logs[node];
    let prev = l.baseHash;
    for (let i = 0; i < l.terms.length; i++) {
      prev = entryHash(prev, l.terms[i], l.ids[i]);
      l.hashes[i] = prev;
      const k = key(l.base + 1 + i, l.terms[i]);
      // A conflict found this late is not reported: log-matching is checked as entries are written.
      if (!this.known.has(k)) this.learn(k, prev, node);
    }
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
  baseTerm: number;
  baseHash: number;
  /** Set while the base hash waits for someone to write the snapshot's last entry. */
  waitKey: number | null;
  terms: number[];
  hashes: number[];
  /** Command ids ('' for a no-op), to rehash when a waiting base becomes known. */
  ids: string[];
}

function emptyLog(): NodeLog {
  return { base: 0, baseTerm: 0, baseHash: EMPTY, waitKey: null, terms: [], hashes: [], ids: [] };
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
