/**
 * A trace file that cannot be used, with a message that names the file and the problem.
 * Kept apart from the parser (io.ts), so that the CLI's one catch can recognise it without
 * loading the schema library on every command.
 */
export class TraceError extends Error {
  override readonly name = 'TraceError';
}
