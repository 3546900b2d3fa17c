/**
 * Exit codes are part of raft-check's interface: CI relies on them (the README lists them).
 */
export const EXIT = {
  /** No violation, or a trace replayed clean. */
  ok: 0,
  /** A violation was found, or a replay reproduced one. */
  violation: 1,
  /** Bad flags or arguments, or an input file that cannot be read or is invalid. */
  usage: 2,
  /** A replay did not match its recording. */
  diverged: 3,
  /** An exhaustive or PCT search stopped by its --time budget: no violation found, and no pass. */
  incomplete: 4,
  /** A bug in raft-check itself (sysexits EX_SOFTWARE). */
  internal: 70,
  /** Stopped by Ctrl-C (128 + SIGINT). */
  interrupted: 130,
  /** Stopped by SIGTERM (128 + 15), which is handled like Ctrl-C. */
  terminated: 143,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/**
 * An expected way for a command to end early: the message is one line for the user, printed
 * without a stack trace, and the process exits with `code`.
 */
export class ExitError extends Error {
  override readonly name: string = 'ExitError';
  constructor(
    readonly code: ExitCode,
    message: string,
  ) {
    super(message);
  }
}

/** Bad flags, arguments or input files: exit 2. */
export class UsageError extends ExitError {
  override readonly name = 'UsageError';
  constructor(message: string) {
    super(EXIT.usage, message);
  }
}

/** The first line of an error's text, for one-line messages. */
export function firstLine(err: unknown, max = 300): string {
  const text = err instanceof Error ? `${err.name === 'Error' ? '' : `${err.name}: `}${err.message}` : String(err);
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  // "Transform failed with 1 error:" says nothing without the line that follows it.
  const line = (lines[0] ?? '').endsWith(':') && lines.length > 1 ? `${lines[0]} ${lines[1]}` : (lines[0] ?? '');
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
