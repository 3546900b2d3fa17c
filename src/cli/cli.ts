import { CommanderError } from 'commander';
import { TraceError } from '../trace/error.js';
import { ISSUES_URL } from '../version.js';
import { EXIT, ExitError, firstLine, type ExitCode } from './errors.js';
import { buildProgram } from './program.js';

export interface Io {
  readonly out: (s: string) => void;
  readonly err: (s: string) => void;
}

const processIo: Io = { out: (s) => void process.stdout.write(s), err: (s) => void process.stderr.write(s) };

/** Runs the command line and returns the exit code; the only catch for the whole CLI. */
export async function main(argv: readonly string[], io: Io = processIo): Promise<number> {
  let code: ExitCode = EXIT.ok;
  try {
    const program = buildProgram((c) => (code = c), io);
    await program.parseAsync([...argv]);
    return code;
  } catch (e) {
    return exitCodeFor(e, io);
  }
}

/**
 * Turns anything thrown into an exit code and at most two lines on stderr. User errors get
 * one line and no stack; anything else is raft-check's bug: one line, where to report it.
 */
export function exitCodeFor(e: unknown, io: Pick<Io, 'err'>): number {
  if (e instanceof CommanderError) {
    // Help and version were printed (exitCode 0); help shown for a missing command and every
    // other commander error (printed by outputError) are usage errors.
    return e.exitCode === 0 ? EXIT.ok : EXIT.usage;
  }
  if (e instanceof ExitError) {
    if (e.message !== '') io.err(`raft-check: ${e.message}\n`);
    return e.code;
  }
  if (e instanceof TraceError) {
    io.err(`raft-check: ${e.message}\n`);
    return EXIT.usage;
  }
  io.err(`raft-check: internal error: ${firstLine(e)}\n`);
  if (process.env.RAFT_CHECK_DEBUG !== undefined && e instanceof Error && e.stack !== undefined) io.err(`${e.stack}\n`);
  else io.err(`This is a bug in raft-check; please report it at ${ISSUES_URL} with the command you ran (RAFT_CHECK_DEBUG=1 prints the stack).\n`);
  return EXIT.internal;
}
