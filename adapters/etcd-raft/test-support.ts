/**
 * The etcd adapter for tests: built once (the build's stamp makes later runs instant), or
 * the reason it cannot be, which the tests turn into a visible skip.
 */
import { buildEtcdAdapter } from './build.js';

export type Adapter = { readonly binary: string; readonly skip: null } | { readonly binary: null; readonly skip: string };

let cached: Adapter | undefined;

export function etcdAdapter(): Adapter {
  if (cached === undefined) {
    const r = buildEtcdAdapter();
    cached = r.kind === 'missing' ? { binary: null, skip: r.reason } : { binary: r.binary, skip: null };
    if (cached.skip !== null) console.warn(`etcd raft adapter tests skipped: ${cached.skip}`);
  }
  return cached;
}
