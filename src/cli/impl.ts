import { existsSync, statSync } from 'node:fs';
import { extname, isAbsolute, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { coreFactory, CONTRACT_VERSION, CONTRACT_VERSIONS, isBugName, type BugName, type NodeFactory } from '../raft/index.js';
import { UsageError, firstLine } from './errors.js';

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

/** The trace header's `implementation` for a spec. */
export function implementationInfo(spec: ImplSpec, factory: NodeFactory): { name: string; bug: string | null; module: string | null } {
  return spec.kind === 'core' ? { name: factory.name, bug: spec.bug, module: null } : { name: factory.name, bug: null, module: spec.recorded };
}

/** Short human name: `core`, `core with bug X`, or the module path. */
export function describeSpec(spec: ImplSpec): string {
  if (spec.kind === 'core') return spec.bug === null ? 'raft-check core' : `raft-check core with bug ${spec.bug}`;
  return spec.recorded;
}

export async function loadFactory(spec: ImplSpec): Promise<NodeFactory> {
  if (spec.kind === 'core') return coreFactory(spec.bug);
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
    throw new UsageError(`--impl ${shown}: importing the module failed: ${firstLine(e)}`);
  }
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

/**
 * The implementation a trace was recorded with: its module (resolved from the working
 * directory) or our core with its bug. Overrides win.
 */
export function specFromTrace(
  implementation: { readonly name: string; readonly bug: string | null; readonly module: string | null },
  file: string,
  cwd = process.cwd(),
): ImplSpec {
  if (implementation.module !== null) {
    const path = resolve(cwd, implementation.module);
    if (!existsSync(path)) {
      throw new UsageError(`${file}: recorded with --impl ${implementation.module}, which is not found from ${cwd}; pass --impl PATH`);
    }
    return moduleSpec(implementation.module, cwd);
  }
  if (implementation.bug !== null) {
    if (!isBugName(implementation.bug)) throw new UsageError(`${file}: recorded with bug "${implementation.bug}", which this raft-check does not have; pass --bug or --impl`);
    return { kind: 'core', bug: implementation.bug };
  }
  if (!implementation.name.startsWith('raft-check core')) {
    throw new UsageError(`${file}: recorded from "${implementation.name}", which raft-check cannot load by itself; pass --impl PATH`);
  }
  return { kind: 'core', bug: null };
}
