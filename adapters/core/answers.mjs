// The request handler of adapters/core/adapter.mjs: answers one protocol request
// (docs/protocol.md) with our core's node instances. Kept apart from the process loop so test
// fixtures can serve our core and misbehave around it. Needs the build (`npm run build`).
import { coreFactory } from '../../dist/raft/index.js';
import { Prng } from '../../dist/sim/prng.js';

/**
 * `name`: the hello name; `bug`: a built-in bug or null; `randomInt(seed)`: a node's
 * generator (by default the seeded one the protocol asks for).
 */
export function coreAnswers({ name, bug = null, randomInt = (seed) => { const r = new Prng(seed); return (lo, hi) => r.int(lo, hi); } }) {
  const factory = coreFactory(bug);
  const instances = new Map();
  // The core wants a digest on a stored snapshot; it is in the snapshot's data too.
  const storedState = (s) => (s === null ? null : { ...s, snapshot: s.snapshot === null ? null : { ...s.snapshot, digest: s.snapshot.data.digest } });
  const output = (node, out) => ({ type: 'output', ...out, observation: node.observe() });

  return function answer(q) {
    switch (q.type) {
      case 'hello':
        return { type: 'hello', protocol: 1, name };
      case 'reset':
        instances.clear();
        return { type: 'ok' };
      case 'create':
        instances.set(q.instance, factory.create({ id: q.node, cluster: q.cluster, randomInt: randomInt(q.seed), seed: q.seed, stored: storedState(q.stored), timing: q.timing, snapshotThreshold: q.snapshotThreshold }));
        return { type: 'ok' };
      case 'destroy':
        instances.delete(q.instance);
        return { type: 'ok' };
    }
    const node = instances.get(q.instance);
    if (node === undefined) return { type: 'error', message: `${q.type}: no instance ${q.instance}` };
    switch (q.type) {
      case 'start':
        return output(node, node.start());
      case 'tick':
        return output(node, node.tick());
      case 'receive':
        return output(node, node.receive(q.message));
      case 'propose':
        return output(node, node.propose(q.command));
      case 'compact':
        return output(node, node.compact());
      case 'observe':
        return { type: 'observation', ...node.observe() };
    }
    return { type: 'error', message: `unknown request type ${JSON.stringify(q.type)}` };
  };
}
