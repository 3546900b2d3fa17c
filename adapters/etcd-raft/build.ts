/**
 * Builds the etcd raft adapter (`npm run adapters`) from what Debian installs, offline:
 * Go's GOPATH mode over /usr/share/gocode, with an overlay that adds raft-check's hooks to
 * etcd's raft package and applies the mutation patches to copies of the installed files.
 * It installs nothing: when Go or etcd's source is missing it says what to install.
 *
 * The binary and everything generated go to adapters/etcd-raft/.build/ (ignored by git).
 * A stamp of every input (Go's version, the adapter's sources, the patches, the installed
 * files) lets a second build return at once.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { applyPatches, HOOKS_FILE, PATCHES } from './patches.js';

export const ADAPTER_DIR = dirname(fileURLToPath(import.meta.url));
export const BUILD_DIR = join(ADAPTER_DIR, '.build');
export const BINARY = join(BUILD_DIR, 'raft-check-etcd');
/** Where Debian's golang-* source packages put their code. */
export const DEBIAN_GOPATH = '/usr/share/gocode';
const INSTALL = 'apt-get update && apt-get install -y golang-go golang-etcd-server-dev';

export type BuildResult =
  | { readonly kind: 'built' | 'cached'; readonly binary: string; readonly etcdVersion: string; readonly ms: number }
  | { readonly kind: 'missing'; readonly reason: string };

export class BuildError extends Error {}

export interface BuildOptions {
  /** The GOPATH holding go.etcd.io/etcd (default: Debian's, or $RAFT_CHECK_ETCD_GOPATH). */
  readonly gopath?: string;
  /** The go command (default `go` on PATH). */
  readonly go?: string;
}

export function buildEtcdAdapter(options: BuildOptions = {}): BuildResult {
  const started = Date.now();
  const gopath = options.gopath ?? process.env.RAFT_CHECK_ETCD_GOPATH ?? DEBIAN_GOPATH;
  const goCmd = options.go ?? 'go';
  const goVersion = spawnSync(goCmd, ['version'], { encoding: 'utf8' });
  if (goVersion.error !== undefined || goVersion.status !== 0) {
    return { kind: 'missing', reason: `Go is not installed (no \`go\` on PATH); install it and etcd's source: ${INSTALL}` };
  }
  const raftDir = join(gopath, 'src/go.etcd.io/etcd/raft');
  const files = [...new Set(PATCHES.map((p) => p.file))].sort();
  for (const f of ['rawnode.go', ...files]) {
    if (!existsSync(join(raftDir, f))) {
      return { kind: 'missing', reason: `etcd's raft source is not installed (no ${join(raftDir, f)}); install it: ${INSTALL}` };
    }
  }
  const etcdVersion = readEtcdVersion(gopath);

  const sources = readdirSync(ADAPTER_DIR).filter((f) => f.endsWith('.go')).sort();
  const stamp = createHash('sha256');
  stamp.update(goVersion.stdout).update(gopath).update(etcdVersion).update(readFileSync(fileURLToPath(import.meta.url)));
  for (const f of sources) stamp.update(f).update(readFileSync(join(ADAPTER_DIR, f)));
  stamp.update(readFileSync(join(ADAPTER_DIR, 'patches', HOOKS_FILE))).update(JSON.stringify(PATCHES));
  const installed = files.map((f) => ({ f, text: readFileSync(join(raftDir, f), 'utf8') }));
  for (const { f, text } of installed) stamp.update(f).update(text);
  const digest = stamp.digest('hex');
  const stampFile = join(BUILD_DIR, 'stamp');
  if (existsSync(BINARY) && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === digest) {
    return { kind: 'cached', binary: BINARY, etcdVersion, ms: Date.now() - started };
  }

  const overlayDir = join(BUILD_DIR, 'overlay');
  mkdirSync(overlayDir, { recursive: true });
  const replace: Record<string, string> = { [join(raftDir, HOOKS_FILE)]: join(ADAPTER_DIR, 'patches', HOOKS_FILE) };
  for (const { f, text } of installed) {
    const patched = join(overlayDir, f);
    writeFileSync(patched, applyPatches(f, join(raftDir, f), text));
    replace[join(raftDir, f)] = patched;
  }
  const overlay = join(BUILD_DIR, 'overlay.json');
  writeFileSync(overlay, JSON.stringify({ Replace: replace }, null, 2) + '\n');

  const tmp = `${BINARY}.${process.pid}.tmp`;
  const go = spawnSync(goCmd, ['build', '-overlay', overlay, '-ldflags', `-X main.etcdVersion=${etcdVersion}`, '-o', tmp, '.'], {
    cwd: ADAPTER_DIR,
    encoding: 'utf8',
    env: {
      ...process.env,
      GO111MODULE: 'off',
      GOPROXY: 'off',
      GOFLAGS: '',
      GOPATH: `${join(BUILD_DIR, 'gopath')}:${gopath}`,
      GOCACHE: process.env.GOCACHE ?? join(BUILD_DIR, 'go-cache'),
    },
  });
  if (go.status !== 0) {
    const why = (go.stderr || go.stdout || String(go.error ?? '')).trim().split('\n').slice(-20).join('\n');
    throw new BuildError(`go build of the etcd raft adapter failed:\n${why}`);
  }
  renameSync(tmp, BINARY);
  writeFileSync(stampFile, digest);
  return { kind: 'built', binary: BINARY, etcdVersion, ms: Date.now() - started };
}

function readEtcdVersion(gopath: string): string {
  try {
    const text = readFileSync(join(gopath, 'src/go.etcd.io/etcd/version/version.go'), 'utf8');
    return /\bVersion\s*=\s*"([^"]+)"/.exec(text)?.[1] ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

function main(): void {
  try {
    const r = buildEtcdAdapter();
    if (r.kind === 'missing') {
      console.error(`etcd-raft adapter: not built: ${r.reason}`);
      process.exitCode = 1;
      return;
    }
    const how = r.kind === 'cached' ? 'up to date' : `built in ${(r.ms / 1000).toFixed(1)} s`;
    console.log(`etcd-raft adapter (etcd raft ${r.etcdVersion}): ${how}: ${r.binary}`);
  } catch (e) {
    console.error(`etcd-raft adapter: ${e instanceof Error ? e.message : String(e)}`);
    process.exitCode = 1;
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) main();
