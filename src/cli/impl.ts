import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { extname, isAbsolute, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { coreFactory, CONTRACT_VERSION, CONTRACT_VERSIONS, isBugName, type BugName, type NodeFactory } from '../raft/index.js';
import { UsageError, firstLine } from './errors.js';
import { sanitizeLine } from './sanitize.js';
import { trustFactory } from '../sim/validate-output.js';
import { shellQuote } from './text.js';
import { findProgram, splitCommandLine } from '../exec/command-line.js';

/**
 * Which implementation a command runs: our core (optionally with a built-in bug) or a user's
 * module. Plain data, so it can be handed to a worker thread.
 */
export type ImplSpec =
  | { readonly kind: 'core'; readonly bug: BugName | null }
  | {
      readonly kind: 'module';
      /** Absolute path to load. */
      readonly file: string;
      /** As recorded in traces: relative to the working directory when it was given so. */
      readonly recorded: string;
    }
  | {
      readonly kind: 'exec';
      /** The command's words, as split from the command line (run without a shell). */
      readonly argv: readonly string[];
      /** The command line as the user gave it; traces record it. */
      readonly recorded: string;
    };

const JS = new Set(['.js', '.mjs', '.cjs']);
const TS = new Set(['.ts', '.mts', '.cts']);

/** An `--impl PATH` argument as a spec; the file must exist and be JavaScript or TypeScript. */
export function moduleSpec(path: string, cwd = process.cwd()): ImplSpec {
  const file = resolve(cwd, path);
  const ext = extname(file);
  if (!JS.has(ext) && !TS.has(ext)) throw new UsageError(`--impl ${path}: expected a .js, .mjs, .ts or .mts module, got "${ext || 'no extension'}"`);
  if (!existsSync(file)) throw new UsageError(`--impl ${path}: no such file`);
  if (!statSync(file).isFile()) throw new UsageError(`--impl ${path}: not a file`);
  const rel = relative(cwd, file);
  const recorded = isAbsolute(path) || rel.startsWith('..') ? file : rel.split(sep).join('/');
  return { kind: 'module', file, recorded };
}

/** An `--exec 'COMMAND ARGS'` argument as a spec; its program must exist and be executable. */
export function execSpec(line: string, cwd = process.cwd()): ImplSpec {
  const shown = sanitizeLine(line);
  const words = splitCommandLine(line);
  if (typeof words === 'string') throw new UsageError(`--exec ${shown}: ${words}`);
  const found = findProgram(words[0], cwd);
  if ('problem' in found) throw new UsageError(`--exec ${shown}: cannot start: ${found.problem}`);
  return { kind: 'exec', argv: words, recorded: line };
}

/** The spec for --impl or --exec when either was given, else null. */
export function userSpec(o: { readonly impl?: string; readonly exec?: string }, cwd = process.cwd()): ImplSpec | null {
  if (o.impl !== undefined && o.exec !== undefined) throw new UsageError('--impl and --exec both name an implementation: pass one');
  if (o.impl !== undefined) return moduleSpec(o.impl, cwd);
  if (o.exec !== undefined) return execSpec(o.exec, cwd);
  return null;
}

/** The trace header's `implementation` for a spec. */
export function implementationInfo(spec: ImplSpec, factory: { readonly name: string }): TraceImplementation {
  if (spec.kind === 'core') return { name: factory.name, bug: spec.bug, module: null };
  if (spec.kind === 'exec') return { name: factory.name, bug: null, module: null, exec: spec.recorded };
  return { name: factory.name, bug: null, module: spec.recorded };
}

/** True for code the user brought (a module or a command), which gets the watchdog and determinism checks. */
export function isUserCode(spec: ImplSpec): boolean {
  return spec.kind !== 'core';
}

/**
 * The flag a printed replay command needs to run the same implementation (a trace never runs
 * a module by itself): ` --impl PATH` for a module, nothing for our core.
 */
export function implFlag(spec: ImplSpec): string {
  if (spec.kind === 'module') return ` --impl ${shellQuote(spec.recorded)}`;
  if (spec.kind === 'exec') return ` --exec ${shellQuote(spec.recorded)}`;
  return '';
}

/** Short human name: `core`, `core with bug X`, or the module path. */
export function describeSpec(spec: ImplSpec): string {
  if (spec.kind === 'core') return spec.bug === null ? 'raft-check core' : `raft-check core with bug ${spec.bug}`;
  return sanitizeLine(spec.recorded);
}

/**
 * How long importing a module may take: --hang-timeout, or for TypeScript (compiled on the fly
 * by a separate esbuild process, which a busy machine delays) three times it and at least 30 s.
 */
export function importTimeoutMs(spec: ImplSpec, hangTimeoutMs: number): number {
  if (spec.kind === 'exec') return Math.max(3 * hangTimeoutMs, 10_000); // an interpreter or a VM may start first
  return spec.kind === 'module' && TS.has(extname(spec.file)) ? Math.max(3 * hangTimeoutMs, 30_000) : hangTimeoutMs;
}

/** The error for a module whose import outlived the watchdog. */
export function importHang(spec: ImplSpec, hangTimeoutMs: number): UsageError {
  const limit = importTimeoutMs(spec, hangTimeoutMs) / 1000;
  if (spec.kind === 'exec') return new UsageError(`--exec ${describeSpec(spec)}: the process did not answer hello within ${limit} s (three times --hang-timeout, at least 10 s); does it read requests from stdin and answer on stdout?`);
  return new UsageError(`--impl ${describeSpec(spec)}: importing the module did not finish within ${limit} s (--hang-timeout); does it loop or wait at its top level?`);
}

/** Loads what importing a module needs besides the module (tsx for TypeScript), so the import's watchdog times the module alone. */
export async function prepareImport(spec: ImplSpec): Promise<void> {
  if (spec.kind === 'module' && TS.has(extname(spec.file))) await import('tsx/esm/api');
}

export async function loadFactory(spec: ImplSpec): Promise<NodeFactory> {
  if (spec.kind === 'core') return trustFactory(coreFactory(spec.bug));
  if (spec.kind === 'exec') throw new Error('an --exec implementation is opened in a worker, with its pipes (see src/exec/open.ts)');
  const mod = await importModule(spec.file, spec.recorded);
  return factoryFromModule(mod, spec.recorded);
}

async function importModule(file: string, shown: string): Promise<Record<string, unknown>> {
  try {
    if (TS.has(extname(file))) {
      const { tsImport } = await import('tsx/esm/api');
      return (await tsImport(pathToFileURL(file).href, import.meta.url)) as Record<string, unknown>;
    }
    return (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (e) {
    const where = e instanceof SyntaxError && JS.has(extname(file)) ? syntaxErrorAt(file) : null;
    throw new UsageError(`--impl ${shown}: importing the module failed: ${firstLine(e)}${where === null ? '' : ` (at ${where})`}`);
  }
}

/**
 * Where a JavaScript syntax error is, as file:line: Node's import() does not say (its stack
 * holds only loader frames), but `node --check` prints the location first.
 */
function syntaxErrorAt(file: string): string | null {
  const r = spawnSync(process.execPath, ['--check', file], { encoding: 'utf8', timeout: 10_000 });
  const first = (r.stderr ?? '').split('\n')[0]?.trim() ?? '';
  return /^\S+:\d+$/.test(first) ? first : null;
}

/**
 * The node factory a module exports: its default export, or else a named export `factory`.
 * Checks the shape the contract needs and names everything that is missing in one line.
 */
export function factoryFromModule(loaded: Record<string, unknown>, shown: string): NodeFactory {
  let mod = loaded;
  // A CommonJS module (or TypeScript compiled as one) arrives with module.exports as `default`.
  const inner = mod.default as Record<string, unknown> | undefined;
  if (inner !== null && typeof inner === 'object' && factoryProblems(inner).length > 0 && (inner.default !== undefined || inner.factory !== undefined)) {
    mod = inner;
  }
  let value: unknown;
  let which: string;
  if (mod.default !== undefined) {
    value = mod.default;
    which = 'the default export';
  } else if (mod.factory !== undefined) {
    value = mod.factory;
    which = 'the export "factory"';
  } else {
    const names = Object.keys(mod).filter((k) => k !== 'default');
    const has = names.length === 0 ? 'it exports nothing' : `it exports ${names.map((n) => `"${n}"`).join(', ')}`;
    throw new UsageError(`--impl ${shown}: no node factory: export one as the default export or as "factory" (${has})`);
  }
  const problems = factoryProblems(value);
  if (problems.length > 0) throw new UsageError(`--impl ${shown}: ${which} is not a node factory: ${problems.join('; ')}`);
  return value as NodeFactory;
}

/** What keeps a value from being a NodeFactory, as short phrases; empty when it is one. */
export function factoryProblems(value: unknown): string[] {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) {
    return [`it is ${value === null ? 'null' : typeof value}, expected an object { contractVersion: ${CONTRACT_VERSION}, name, create(init) }`];
  }
  const v = value as Record<string, unknown>;
  const problems: string[] = [];
  if (v.contractVersion === undefined) problems.push(`contractVersion is missing (expected ${CONTRACT_VERSION})`);
  else if (typeof v.contractVersion !== 'number' || !CONTRACT_VERSIONS.includes(v.contractVersion)) {
    problems.push(`contractVersion is ${JSON.stringify(v.contractVersion)}, but this raft-check implements node contract versions ${CONTRACT_VERSIONS.join(' and ')}`);
  }
  if (typeof v.name !== 'string' || v.name.length === 0) problems.push('name (a non-empty string) is missing');
  if (typeof v.create !== 'function') problems.push('create(init) is missing or not a function');
  return problems;
}

/** Code a trace names: the flag that runs it and its value, as the user would type them. */
export interface RecordedCode {
  readonly flag: '--impl' | '--exec';
  readonly value: string;
}

/**
 * The code a trace's header names, if any: a module (`module`) or a command (`exec`). Any
 * field of the header that names something to run belongs here, so the rule in
 * {@link specForTrace} covers it.
 */
export function recordedCode(implementation: TraceImplementation): RecordedCode | null {
  if (typeof implementation.module === 'string') return { flag: '--impl', value: implementation.module };
  const exec = (implementation as { readonly exec?: unknown }).exec;
  if (typeof exec === 'string' && exec !== '') return { flag: '--exec', value: exec };
  return null;
}

export interface TraceImplementation {
  readonly name: string;
  readonly bug: string | null;
  readonly module: string | null;
  readonly exec?: string;
}

/** What the user named on the command line for a trace-reading command (replay, shrink). */
export interface NamedImplementation {
  readonly bug?: BugName;
  readonly impl?: string;
  readonly exec?: string;
}

/**
 * Which implementation a trace runs against: what the user named on the command line, else
 * our core (with the bug the trace recorded). A trace is data: code it names (a module, a
 * command) runs only when the user names it too; otherwise one line says what it names and
 * the flag to pass, exit 2. This is the one place that decides it, for every command.
 */
export function specForTrace(implementation: TraceImplementation, file: string, named: NamedImplementation, cwd = process.cwd()): ImplSpec {
  const user = userSpec(named, cwd);
  if (user !== null) return user;
  if (named.bug !== undefined) return { kind: 'core', bug: named.bug };
  const code = recordedCode(implementation);
  if (code !== null) {
    throw new UsageError(
      `${file}: recorded with ${code.flag} ${sanitizeLine(code.value)}; a trace never runs code by itself: pass ${code.flag} ${shellQuote(sanitizeLine(code.value))} to run it (or --bug NAME for our core)`,
    );
  }
  if (implementation.bug !== null) {
    if (!isBugName(implementation.bug)) throw new UsageError(`${file}: recorded with bug "${sanitizeLine(implementation.bug)}", which this raft-check does not have; pass --bug or --impl`);
    return { kind: 'core', bug: implementation.bug };
  }
  if (!implementation.name.startsWith('raft-check core')) {
    throw new UsageError(`${file}: recorded from "${sanitizeLine(implementation.name)}", which raft-check cannot load by itself; pass --impl PATH or --exec COMMAND`);
  }
  return { kind: 'core', bug: null };
}
