import { render } from 'ink';
import type { TraceFile } from '../trace/format.js';
import type { ReplayResult } from '../trace/replay.js';
import { TraceViewer } from './TraceViewer.js';

export interface ViewerOptions {
  /** The trace's file name, for the header. */
  readonly file?: string;
  readonly stdin?: NodeJS.ReadStream;
  readonly stdout?: NodeJS.WriteStream;
}

const ENTER_ALT_SCREEN = '\u001B[?1049h';
const LEAVE_ALT_SCREEN = '\u001B[?1049l';

/**
 * Opens the trace viewer full screen on a terminal and resolves when the user quits. Meant for
 * a TTY: the caller prints plain text instead when stdout is not one. On Ctrl-C it sets
 * `process.exitCode` to 130 (the shell convention for SIGINT) and resolves.
 */
export async function runViewer(trace: TraceFile, replay: ReplayResult | null, opts: ViewerOptions = {}): Promise<void> {
  const stdout = opts.stdout ?? process.stdout;
  const stdin = opts.stdin ?? process.stdin;
  const interactive = stdin.isTTY === true;
  if (stdout.isTTY === true && interactive) stdout.write(ENTER_ALT_SCREEN);
  const ended: { how: 'quit' | 'interrupt' } = { how: 'quit' };
  const app = render(
    <TraceViewer
      trace={trace}
      replay={replay}
      file={opts.file ?? null}
      onExit={(h) => {
        ended.how = h;
      }}
    />,
    { stdout, stdin, exitOnCtrlC: false, patchConsole: false },
  );
  try {
    // Without a keyboard there is nothing to wait for: one frame, then done.
    if (!interactive) app.unmount();
    await app.waitUntilExit();
  } finally {
    if (stdout.isTTY === true && interactive) stdout.write(LEAVE_ALT_SCREEN);
  }
  if (ended.how === 'interrupt') process.exitCode = 130;
}
