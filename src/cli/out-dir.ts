import { accessSync, constants, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UsageError } from './errors.js';

/**
 * Fails now, before any search, when a trace could not be written to `dir`: it exists and is
 * not a writable directory, or the nearest existing parent is not one.
 */
export function checkOutDir(dir: string): void {
  let at = resolve(dir);
  for (;;) {
    let st: ReturnType<typeof statSync> | undefined;
    try {
      st = statSync(at);
    } catch {
      st = undefined;
    }
    if (st !== undefined) {
      if (!st.isDirectory()) throw new UsageError(`--out ${dir}: ${at === resolve(dir) ? 'is' : `${at} is`} not a directory`);
      try {
        accessSync(at, constants.W_OK | constants.X_OK);
      } catch {
        throw new UsageError(`--out ${dir}: ${at} is not writable`);
      }
      return;
    }
    const up = dirname(at);
    if (up === at) return;
    at = up;
  }
}

/**
 * Where runs write their traces unless told otherwise: apart from `traces/`, the regression
 * corpus the tests replay, so a user's findings never land in it (gitignored).
 */
export const DEFAULT_OUT = 'raft-check-traces';
