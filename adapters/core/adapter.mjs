#!/usr/bin/env node
// raft-check's own core served over the node protocol (docs/protocol.md), for checking that
// the protocol loses nothing: `run --exec 'node adapters/core/adapter.mjs'` must write the
// traces an in-process run writes. `--bug NAME` serves the core with a built-in bug.
// Needs the build (`npm run build`), like bin/raft-check.js.
import { readSync, writeSync } from 'node:fs';
import { coreFactory, isBugName } from '../../dist/raft/index.js';
import { Prng } from '../../dist/sim/prng.js';
import { VERSION } from '../../dist/version.js';

const args = process.argv.slice(2);
let bug = null;
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--bug' && isBugName(args[i + 1])) bug = args[++i];
  else {
    process.stderr.write(`adapters/core: unknown argument ${JSON.stringify(args[i])} (usage: adapter.mjs [--bug NAME])\n`);
    process.exit(2);
  }
}
const factory = coreFactory(bug);
const instances = new Map();

/** Storage as the protocol gives it: the core wants a digest on a snapshot, which is in its data too. */
function storedState(s) {
  if (s === null) return null;
  return { ...s, snapshot: s.snapshot === null ? null : { ...s.snapshot, digest: s.snapshot.data.digest } };
}

function output(node, out) {
  return { type: 'output', ...out, observation: node.observe() };
}

function answer(q) {
  switch (q.type) {
    case 'hello':
      return { type: 'hello', protocol: 1, name: `${factory.name} ${VERSION} (over the protocol)` };
    case 'reset':
      instances.clear();
      return { type: 'ok' };
    case 'create': {
      const random = new Prng(q.seed);
      const node = factory.create({
        id: q.node,
        cluster: q.cluster,
        randomInt: (lo, hi) => random.int(lo, hi),
        seed: q.seed,
        stored: storedState(q.stored),
        timing: q.timing,
        snapshotThreshold: q.snapshotThreshold,
      });
      instances.set(q.instance, node);
      return { type: 'ok' };
    }
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
}

// A synchronous loop on the raw descriptors: no event loop between a request and its answer
// (each turn of one costs more than our core's step).
const buf = Buffer.alloc(1 << 16);
let pending = '';
for (;;) {
  let n;
  try {
    n = readSync(0, buf, 0, buf.length, null);
  } catch (e) {
    if (e.code === 'EAGAIN' || e.code === 'EINTR') continue;
    throw e;
  }
  if (n === 0) break;
  pending += buf.toString('utf8', 0, n);
  let nl;
  while ((nl = pending.indexOf('\n')) >= 0) {
    const line = pending.slice(0, nl);
    pending = pending.slice(nl + 1);
    let reply;
    try {
      reply = answer(JSON.parse(line));
    } catch (e) {
      reply = { type: 'error', message: String(e?.message ?? e).split('\n')[0], stack: e?.stack ?? '' };
    }
    const out = Buffer.from(JSON.stringify(reply) + '\n');
    for (let off = 0; off < out.length; ) off += writeSync(1, out, off);
  }
}
