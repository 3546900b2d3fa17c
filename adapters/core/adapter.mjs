#!/usr/bin/env node
// raft-check's own core served over the node protocol (docs/protocol.md), for checking that
// the protocol loses nothing: `run --exec 'node adapters/core/adapter.mjs'` must write the
// traces an in-process run writes. `--bug NAME` serves the core with a built-in bug.
// Needs the build (`npm run build`), like bin/raft-check.js.
import { readSync, writeSync } from 'node:fs';
import { isBugName } from '../../dist/raft/index.js';
import { coreAnswers } from './answers.mjs';
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
const answer = coreAnswers({ name: `raft-check core${bug === null ? '' : ` with bug ${bug}`} ${VERSION} (over the protocol)`, bug });

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
