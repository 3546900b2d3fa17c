import { chainDigest } from '../raft/kv.js';
import type { Applied, NodeFactory, NodeInit, Observation, Output, RaftNode, StoredState } from '../raft/types.js';
import { VERSION } from '../version.js';
import { Channel, cut, ProcessEnded, StartFailed } from './channel.js';
import type { RequestType } from './shared.js';

/** The protocol version this driver speaks (docs/protocol.md). */
export const PROTOCOL_VERSION = 1;

/** The process cannot be used at all (it does not start, or speaks another protocol): exit 2. */
export class HandshakeError extends Error {
  override readonly name = 'HandshakeError';
}

const INITIAL_DIGEST = 0x811c9dc5;

/**
 * A node factory whose nodes live in a child process speaking docs/protocol.md. Each contract
 * call is one request line and one response line. The driver keeps what raft-check needs and
 * the protocol leaves out: state-machine digests (chained over what a node applied, as our
 * core chains them, and for a snapshot the digest of the node that took it), and the cached
 * observation every output carries.
 */
export class ExecSession {
  readonly name: string;
  readonly fingerprints: boolean;
  private instances = 0;
  private resetNeeded = true;
  /** Snapshots written in this run, by (index, term, data): the state digest they stand for. */
  private snapshotDigests = new Map<string, number>();
  /** Bumped whenever the process is replaced; a node of an older process is gone with it. */
  generation = 0;

  constructor(private readonly channel: Channel) {
    const hello = this.handshake();
    this.name = hello.name;
    this.fingerprints = hello.fingerprint;
  }

  factory(): NodeFactory {
    const session = this;
    return {
      contractVersion: 2,
      name: this.name,
      beginRun: () => {
        this.resetNeeded = true;
      },
      create: (init: NodeInit): RaftNode => session.create(init),
    };
  }

  /** Sends one request; the parsed object that answers it, or an error naming the line. */
  call(type: RequestType, body: Record<string, unknown>, node: number, instance: number): Record<string, unknown> {
    const line = this.channel.request(JSON.stringify({ type, ...body }), type, node, instance);
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      throw new Error(`answered ${type} with a line that is not JSON: ${cut(line)}`);
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error(`answered ${type} with ${cut(line)}, which is not a JSON object`);
    const r = parsed as Record<string, unknown>;
    if (r.type === 'error') {
      const message = typeof r.message === 'string' ? r.message : cut(line);
      const stack = typeof r.stack === 'string' && r.stack.trim() !== '' ? ` [${cut(r.stack.trim().split('\n').slice(0, 3).join(' | '), 300)}]` : '';
      throw new Error(`${r.panic === true ? 'panicked' : 'answered error'} on ${type}: ${cut(message, 300)}${stack}`);
    }
    return r;
  }

  expect(type: RequestType, want: string, body: Record<string, unknown>, node: number, instance: number): Record<string, unknown> {
    const r = this.call(type, body, node, instance);
    if (r.type !== want) throw new Error(`answered ${type} with a line of type ${JSON.stringify(r.type) ?? 'undefined'}, expected "${want}": ${cut(JSON.stringify(r))}`);
    return r;
  }

  private handshake(): { name: string; fingerprint: boolean } {
    let r: Record<string, unknown>;
    try {
      if (!this.channel.open) this.channel.connect();
      r = this.call('hello', { protocol: PROTOCOL_VERSION, driver: `raft-check ${VERSION}` }, 0, 0);
    } catch (e) {
      if (e instanceof StartFailed || e instanceof ProcessEnded) throw new HandshakeError(`cannot start: ${e.message}`);
      throw new HandshakeError(`did not answer hello: ${(e as Error).message}`);
    }
    if (r.type !== 'hello') throw new HandshakeError(`answered hello with a line of type ${JSON.stringify(r.type) ?? 'undefined'}, not a hello naming its protocol version (this raft-check speaks version ${PROTOCOL_VERSION}); does it speak raft-check's protocol (docs/protocol.md)?`);
    if (r.protocol !== PROTOCOL_VERSION) throw new HandshakeError(`speaks protocol version ${JSON.stringify(r.protocol)}, this raft-check speaks version ${PROTOCOL_VERSION}`);
    if (typeof r.name !== 'string' || r.name.trim() === '') throw new HandshakeError('answered hello without a name (a non-empty string)');
    if (r.fingerprint !== undefined && typeof r.fingerprint !== 'boolean') throw new HandshakeError('answered hello with fingerprint that is not true or false');
    return { name: r.name.trim().slice(0, 200), fingerprint: r.fingerprint === true };
  }

  private create(init: NodeInit): RaftNode {
    if (!this.channel.open) {
      // The process died in an earlier run (that run's finding said how): start a fresh one.
      this.channel.connect();
      this.generation++;
      const again = this.handshake();
      if (again.name !== this.name) throw new Error(`the restarted process calls itself "${again.name}", not "${this.name}"`);
      this.resetNeeded = true;
    }
    if (this.resetNeeded) {
      this.expect('reset', 'ok', {}, 0, 0);
      this.resetNeeded = false;
      this.snapshotDigests.clear();
    }
    const instance = ++this.instances;
    this.expect(
      'create',
      'ok',
      {
        instance,
        node: init.id,
        cluster: init.cluster,
        timing: init.timing,
        snapshotThreshold: init.snapshotThreshold,
        seed: init.seed,
        stored: init.stored === null ? null : wireStored(init.stored),
      },
      init.id,
      instance,
    );
    return new ExecNode(this, init, instance);
  }

  snapshotDigest(s: Record<string, unknown>, known: number | undefined): number {
    const key = `${String(s.lastIncludedIndex)}/${String(s.lastIncludedTerm)}/${dataKey(s.data)}`;
    const seen = this.snapshotDigests.get(key);
    if (seen !== undefined) return seen;
    // A snapshot of a state no node was seen applying: its digest stands for its content.
    const digest = known ?? chainDigest(INITIAL_DIGEST, Number(s.lastIncludedIndex) || 0, Number(s.lastIncludedTerm) || 0, key);
    this.snapshotDigests.set(key, digest);
    return digest;
  }
}

/** What `stored` carries on the wire: the snapshot without the driver's digest. */
function wireStored(stored: StoredState): unknown {
  const s = stored.snapshot;
  return { hardState: stored.hardState, snapshot: s === null ? null : { lastIncludedIndex: s.lastIncludedIndex, lastIncludedTerm: s.lastIncludedTerm, data: s.data }, log: stored.log };
}

function dataKey(data: unknown): string {
  const text = JSON.stringify(data) ?? 'undefined';
  let h = INITIAL_DIGEST;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return `${text.length}:${h.toString(16)}`;
}

class ExecNode implements RaftNode {
  private digest = INITIAL_DIGEST;
  /** The digest after each applied index this instance has seen (for its own snapshots). */
  private readonly digestAt = new Map<number, number>();
  private observation: Observation | null = null;
  /** The last snapshot this instance wrote or booted with. */
  private snapshot: { index: number; term: number; digest: number } | null;
  private readonly generation: number;
  private destroyed = false;

  constructor(
    private readonly session: ExecSession,
    private readonly init: NodeInit,
    private readonly instance: number,
  ) {
    this.generation = session.generation;
    const s = init.stored?.snapshot ?? null;
    this.snapshot = s === null ? null : { index: s.lastIncludedIndex, term: s.lastIncludedTerm, digest: s.digest };
  }

  start(): Output {
    return this.output('start', {});
  }
  tick(): Output {
    return this.output('tick', {});
  }
  receive(message: object): Output {
    return this.output('receive', { message });
  }
  propose(command: object): Output {
    return this.output('propose', { command });
  }
  compact(): Output {
    return this.output('compact', {});
  }

  observe(): Observation {
    if (this.observation !== null) return this.observation;
    const r = this.request('observe', 'observation', {});
    const { type: _type, ...obs } = r;
    return obs as unknown as Observation;
  }

  fingerprint(): string {
    const r = this.request('fingerprint', 'fingerprint', {});
    if (typeof r.value !== 'string') throw new Error(`answered fingerprint without a string value: ${cut(JSON.stringify(r))}`);
    return r.value;
  }

  destroy(): void {
    if (this.destroyed || this.generation !== this.session.generation) return;
    this.destroyed = true;
    this.request('destroy', 'ok', {});
  }

  private request(type: RequestType, want: string, body: Record<string, unknown>): Record<string, unknown> {
    if (this.generation !== this.session.generation) throw new Error('its process was restarted after an earlier failure');
    return this.session.expect(type, want, { instance: this.instance, ...body }, this.init.id, this.instance);
  }

  /**
   * An `output` line as the contract's Output, digests filled in, in the order a node does
   * things within one input: restore a received snapshot, apply entries, then snapshot what it
   * applied (its own compaction), so a snapshot's digest is its taker's state at its index.
   */
  private output(type: RequestType, body: Record<string, unknown>): Output {
    const r = this.request(type, 'output', body);
    // `write` (one) is the JS contract's shorthand; a JS adapter may pass its core's output on.
    const rawWrites: unknown[] = Array.isArray(r.writes) ? r.writes : r.write !== undefined ? [r.write] : [];
    const restored = this.restored(r.restored, rawWrites);
    const applied = Array.isArray(r.applied) ? r.applied.map((a) => this.applied(a)) : r.applied;
    const out: Record<string, unknown> = { messages: r.messages, applied };
    if (Array.isArray(r.writes)) out.writes = r.writes.map((w) => this.write(w));
    else if (r.writes !== undefined) out.writes = r.writes;
    if (r.write !== undefined) out.write = this.write(r.write);
    if (restored !== undefined) out.restored = restored;
    if (r.timer !== undefined) out.timer = r.timer;
    if (r.proposal !== undefined) out.proposal = r.proposal;
    if (r.observation === undefined) throw new Error(`answered ${type} with an output without observation`);
    this.observation = r.observation as Observation;
    return out as unknown as Output;
  }

  private write(w: unknown): unknown {
    const s = snapshotOf(w);
    if (s === null) return w;
    const digest = this.session.snapshotDigest(s, this.digestAt.get(s.lastIncludedIndex as number));
    this.snapshot = { index: s.lastIncludedIndex as number, term: s.lastIncludedTerm as number, digest };
    return { ...(w as object), snapshot: { ...s, digest } };
  }

  private applied(a: unknown): unknown {
    if (a === null || typeof a !== 'object') return a;
    const e = a as Partial<Applied>;
    const id = e.command === null ? '' : typeof e.command === 'object' && typeof e.command?.id === 'string' ? e.command.id : null;
    if (id === null || typeof e.index !== 'number' || typeof e.term !== 'number') return a;
    this.digest = chainDigest(this.digest, e.index, e.term, id);
    this.digestAt.set(e.index, this.digest);
    return { index: e.index, term: e.term, command: e.command, digest: this.digest };
  }

  private restored(r: unknown, writes: readonly unknown[]): unknown {
    if (r === undefined || r === null || typeof r !== 'object') return r;
    const { index, term } = r as { index: unknown; term: unknown };
    if (typeof index !== 'number' || typeof term !== 'number') return r;
    // The snapshot it restored: one it writes in this output (InstallSnapshot) or booted with.
    const written = writes.map(snapshotOf).find((s) => s !== null && s.lastIncludedIndex === index && s.lastIncludedTerm === term);
    let digest: number;
    if (written !== undefined && written !== null) digest = this.session.snapshotDigest(written, undefined);
    else if (this.snapshot !== null && this.snapshot.index === index && this.snapshot.term === term) digest = this.snapshot.digest;
    else throw new Error(`restored the state machine to index ${index} term ${term}, but writes no snapshot there in this output (nor booted with one)`);
    this.digest = digest;
    this.digestAt.set(index, digest);
    return { index, term, digest };
  }
}

/** The snapshot part of a write, if it has one that looks like a snapshot. */
function snapshotOf(w: unknown): Record<string, unknown> | null {
  if (w === null || typeof w !== 'object') return null;
  const s = (w as { snapshot?: unknown }).snapshot;
  return s !== null && typeof s === 'object' ? (s as Record<string, unknown>) : null;
}
