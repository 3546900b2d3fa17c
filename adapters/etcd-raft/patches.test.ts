import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEBIAN_GOPATH } from './build.js';
import { applyPatches, PATCHES, PatchError } from './patches.js';

const raftDir = join(DEBIAN_GOPATH, 'src/go.etcd.io/etcd/raft');

describe('etcd raft patches', () => {
  it('replace exactly the expected line', () => {
    const patch = { name: 'm', file: 'x.go', find: 'a == b', replace: '(on || a == b)' };
    expect(applyPatches('x.go', '/src/x.go', 'if a == b {\n', [patch])).toBe('if (on || a == b) {\n');
    expect(applyPatches('y.go', '/src/y.go', 'if a == b {\n', [patch])).toBe('if a == b {\n');
  });

  it('fail with the file and the expected text when the source moved on', () => {
    const patch = { name: 'm', file: 'x.go', find: 'a == b', replace: 'c' };
    expect(() => applyPatches('x.go', '/src/x.go', 'if a != b {\n', [patch])).toThrow(new PatchError('patch m: /src/x.go: expected text not found: a == b'));
    expect(() => applyPatches('x.go', '/src/x.go', 'a == b; a == b', [patch])).toThrow(/expected text found more than once/);
  });

  it.runIf(existsSync(raftDir))('apply to the installed etcd raft source', () => {
    for (const file of new Set(PATCHES.map((p) => p.file))) {
      const path = join(raftDir, file);
      const patched = applyPatches(file, path, readFileSync(path, 'utf8'));
      for (const p of PATCHES.filter((q) => q.file === file)) expect(patched).toContain(p.replace);
    }
  });
});
