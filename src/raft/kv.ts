import type { Command } from './types.js';

/**
 * The replicated state machine: a key-value map plus a digest chained over every applied
 * entry, so two nodes that applied the same sequence have the same digest at every index.
 */
export class KvStateMachine {
  private map = new Map<string, string>();
  /** FNV-1a over (index, term, command id) of every entry applied so far. */
  digest = 0x811c9dc5;

  apply(index: number, term: number, command: Command | null): number {
    if (command !== null) this.map.set(command.key, command.value);
    this.digest = chainDigest(this.digest, index, term, command === null ? '' : command.id);
    return this.digest;
  }

  get(key: string): string | undefined {
    return this.map.get(key);
  }

  /** JSON-serializable state for a snapshot; keys sorted so equal states serialize equally. */
  save(): KvSnapshotData {
    const pairs = [...this.map.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    return { pairs, digest: this.digest };
  }

  restore(data: unknown): void {
    const d = data as KvSnapshotData;
    this.map = new Map(d.pairs);
    this.digest = d.digest;
  }
}

export interface KvSnapshotData {
  readonly pairs: readonly (readonly [string, string])[];
  readonly digest: number;
}

export function chainDigest(prev: number, index: number, term: number, id: string): number {
  let h = prev >>> 0;
  h = mix(h, index);
  h = mix(h, term);
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

function mix(h: number, n: number): number {
  for (let s = 0; s < 32; s += 8) {
    h ^= (n >>> s) & 0xff;
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
