/**
 * writeTrace under injected disk failures: the write of the temporary file dies half-way
 * (disk full), or the rename never happens (a crash between the two). Either way the target
 * is absent or holds the complete previous trace, and no temporary file is left behind.
 * node:fs is wrapped for this file only; the real calls go through unless a failure is armed.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { runChecked } from '../check/run.js';
import { coreFactory } from '../raft/index.js';
import { PROFILES, scheduleFromSeed } from '../sim/schedule.js';
import { readTrace, serializeTrace, writeNewTrace, writeTrace } from './io.js';
import { toTrace } from './record.js';

const inject = vi.hoisted(() => ({ halfWrite: false, failRename: false }));

vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  const writeFileSync: typeof fs.writeFileSync = (file, data, options) => {
    if (inject.halfWrite && typeof data === 'string') {
      fs.writeFileSync(file, data.slice(0, data.length >> 1), options);
      throw Object.assign(new Error(`ENOSPC: no space left on device, write '${String(file)}'`), { code: 'ENOSPC' });
    }
    return fs.writeFileSync(file, data, options);
  };
  const renameSync: typeof fs.renameSync = (from, to) => {
    if (inject.failRename) throw Object.assign(new Error(`EIO: i/o error, rename '${String(from)}'`), { code: 'EIO' });
    return fs.renameSync(from, to);
  };
  return { ...fs, default: { ...fs, writeFileSync, renameSync }, writeFileSync, renameSync };
});

const trace = (seed: number) => {
  const s = scheduleFromSeed(seed, { nodes: 3, profile: PROFILES.chaos });
  return toTrace({ implementation: { name: 'core', bug: null, module: null }, profile: 'chaos', seed, path: null }, s, runChecked(coreFactory(null), s, { record: true }));
};
const OLD = trace(1);
const NEW = trace(2);

const tmp = mkdtempSync(join(tmpdir(), 'raft-check-atomic-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
afterEach(() => {
  inject.halfWrite = false;
  inject.failRename = false;
});

describe.each([
  ['the temporary file is half-written (disk full)', 'halfWrite', /ENOSPC/],
  ['the rename fails (crash between write and rename)', 'failRename', /EIO/],
] as const)('writeTrace when %s', (_label, failure, error) => {
  it('a new target stays absent, with no temporary file', () => {
    const dir = join(tmp, `${failure}-new`);
    inject[failure] = true;
    expect(() => writeTrace(join(dir, 'run.json'), NEW)).toThrow(error);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('an existing target keeps the complete previous trace', () => {
    const dir = join(tmp, `${failure}-old`);
    const file = join(dir, 'run.json');
    writeTrace(file, OLD);
    inject[failure] = true;
    expect(() => writeTrace(file, NEW)).toThrow(error);
    expect(readdirSync(dir)).toEqual(['run.json']);
    expect(readFileSync(file, 'utf8')).toBe(serializeTrace(OLD));
    expect(readTrace(file).seed).toBe(1);
  });
});

describe('writeNewTrace', () => {
  it('never replaces a trace: the next free NAME-k.json, every one complete', () => {
    const dir = join(tmp, 'new');
    const file = join(dir, 'leader-completeness-seed1.json');
    expect(writeNewTrace(file, OLD)).toBe(file);
    expect(writeNewTrace(file, NEW)).toBe(join(dir, 'leader-completeness-seed1-2.json'));
    expect(writeNewTrace(file, NEW)).toBe(join(dir, 'leader-completeness-seed1-3.json'));
    expect(readdirSync(dir).sort()).toEqual(['leader-completeness-seed1-2.json', 'leader-completeness-seed1-3.json', 'leader-completeness-seed1.json']);
    expect(readFileSync(file, 'utf8')).toBe(serializeTrace(OLD));
    expect(readTrace(join(dir, 'leader-completeness-seed1-2.json')).seed).toBe(2);
  });

  it('a half-written temporary file leaves nothing behind', () => {
    const dir = join(tmp, 'new-fail');
    inject.halfWrite = true;
    expect(() => writeNewTrace(join(dir, 'x.json'), NEW)).toThrow(/ENOSPC/);
    expect(readdirSync(dir)).toEqual([]);
  });
});
