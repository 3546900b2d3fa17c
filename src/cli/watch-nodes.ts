import type { NodeFactory, RaftNode } from '../raft/types.js';
import { INPUTS, SLOT, slots, type RequestType } from '../exec/shared.js';

/**
 * A user module's nodes, each input announced in shared memory before it runs, so that when a
 * node never returns the main thread's watchdog can say which node and which input (the
 * worker itself is stuck inside the module and can say nothing). Same layout as an --exec
 * worker's (../exec/shared.ts).
 */
export function watchNodes(factory: NodeFactory, watch: SharedArrayBuffer): NodeFactory {
  const s = slots(watch);
  const announce = (node: number, input: RequestType): void => {
    Atomics.store(s, SLOT.node, node);
    Atomics.store(s, SLOT.input, INPUTS.indexOf(input));
  };
  const watched = Object.create(factory) as NodeFactory & { create: NodeFactory['create'] };
  watched.create = (init) => {
    announce(init.id, 'create');
    const node = factory.create(init);
    if (node === null || typeof node !== 'object') return node;
    const wrap = <K extends keyof RaftNode>(key: K, input: RequestType): RaftNode[K] => {
      const f = node[key] as unknown;
      if (typeof f !== 'function') return f as RaftNode[K];
      return ((...args: unknown[]) => {
        announce(init.id, input);
        return (f as (...a: unknown[]) => unknown).apply(node, args);
      }) as RaftNode[K];
    };
    return Object.assign(Object.create(node) as RaftNode, {
      start: wrap('start', 'start'),
      tick: wrap('tick', 'tick'),
      receive: wrap('receive', 'receive'),
      propose: wrap('propose', 'propose'),
      compact: wrap('compact', 'compact'),
      observe: wrap('observe', 'observe'),
      fingerprint: wrap('fingerprint', 'fingerprint'),
      destroy: wrap('destroy', 'destroy'),
    });
  };
  return watched;
}

/** What the watched worker is in, e.g. "node 1 did not return from tick". */
export function inputInProgress(watch: SharedArrayBuffer): string {
  const s = slots(watch);
  const node = Atomics.load(s, SLOT.node);
  const input = INPUTS[Atomics.load(s, SLOT.input)];
  return node > 0 && input !== undefined ? `node ${node} did not return from ${input === 'create' ? 'create()' : `${input}()`}` : 'a node did not return';
}
