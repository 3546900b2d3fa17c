import { Box, useApp, useInput, useStdin, type Key } from 'ink';
import { useCallback, useMemo, useRef, useState } from 'react';
import { useTerminalSize } from './use-terminal-size.js';
import type { TraceFile } from '../trace/format.js';
import type { ReplayResult } from '../trace/replay.js';
import { layoutScreen } from './layout.js';
import { TraceModel } from './model.js';
import { initialView, reduce, type Action, type ViewState } from './navigation.js';
import { ScreenLine } from './ScreenLine.js';

export interface TraceViewerProps {
  /** The recording to show. */
  readonly trace: TraceFile;
  /** The result of re-running it, when the caller replayed it; shown in the header. */
  readonly replay?: ReplayResult | null;
  /** The file name shown in the header. */
  readonly file?: string | null;
  /** Screen size in columns and rows; by default the terminal's, following resizes. */
  readonly width?: number;
  readonly height?: number;
  /** Called on `q` (quit) or Ctrl-C (interrupt), before the app exits. */
  readonly onExit?: (how: 'quit' | 'interrupt') => void;
  /** Checkpoint interval of the model (states kept every K steps). */
  readonly checkpointEvery?: number;
}

/** Maps one key press to a viewer action; null for keys the viewer ignores. */
export function keyAction(input: string, key: Key): Action | null {
  if (key.rightArrow) return { type: 'step', by: 1 };
  if (key.leftArrow) return { type: 'step', by: -1 };
  if (key.pageDown) return { type: 'step', by: 10 };
  if (key.pageUp) return { type: 'step', by: -10 };
  if (key.home) return { type: 'home' };
  if (key.end) return { type: 'end' };
  if (key.tab) return { type: 'select-next', dir: key.shift ? -1 : 1 };
  if (key.downArrow) return { type: 'node-event', dir: 1 };
  if (key.upArrow) return { type: 'node-event', dir: -1 };
  switch (input) {
    case 'v':
      return { type: 'violation' };
    case 'e':
      return { type: 'cause', dir: 1 };
    case 'E':
      return { type: 'cause', dir: -1 };
    case 'n':
      return { type: 'node-event', dir: 1 };
    case 'p':
      return { type: 'node-event', dir: -1 };
    case '/':
      return { type: 'filter' };
    case '?':
      return { type: 'help' };
    case 'l':
      return { type: 'step', by: 1 };
    case 'h':
      return { type: 'step', by: -1 };
    case 'g':
      return { type: 'home' };
    case 'G':
      return { type: 'end' };
  }
  if (/^[1-9]$/.test(input)) return { type: 'select', node: Number(input) };
  if (key.escape) return { type: 'help' };
  return null;
}

const NO_KEY: Key = {
  upArrow: false,
  downArrow: false,
  leftArrow: false,
  rightArrow: false,
  pageDown: false,
  pageUp: false,
  home: false,
  end: false,
  return: false,
  escape: false,
  ctrl: false,
  shift: false,
  tab: false,
  backspace: false,
  delete: false,
  meta: false,
  super: false,
  hyper: false,
  capsLock: false,
  numLock: false,
};

/** The key for one character of a chunk Ink passed on whole ("x\t/" from a fast typist or tmux). */
function charKey(ch: string): Key {
  return { ...NO_KEY, tab: ch === '\t', return: ch === '\r', shift: ch !== ch.toLowerCase() };
}

/**
 * A recorded run, one step at a time: the cluster's nodes side by side and the events around
 * the current step. Renders what it is given; it never runs the simulator.
 */
export function TraceViewer(props: TraceViewerProps) {
  const { trace, onExit } = props;
  const replay = props.replay ?? null;
  // Message fates come from the replay; they match the recording only when it reproduced.
  const model = useMemo(
    () => new TraceModel(replay?.reproduced === true && replay.messages !== undefined ? { ...trace, messages: replay.messages } : trace, props.checkpointEvery),
    [trace, replay, props.checkpointEvery],
  );
  // The ref is the source of truth, so every key of a chunk sees the state the one before it left.
  const ref = useRef<{ model: TraceModel; view: ViewState } | null>(null);
  if (ref.current === null || ref.current.model !== model) ref.current = { model, view: initialView(model) };
  const [, setView] = useState(ref.current.view);
  const dispatch = useCallback(
    (a: Action) => {
      const cur = ref.current!;
      cur.view = reduce(cur.model, cur.view, a);
      setView(cur.view);
    },
    [],
  );
  const { exit } = useApp();
  const { isRawModeSupported } = useStdin();
  const { width, height } = useTerminalSize(props.width, props.height);

  useInput(
    (input, key) => {
      if (key.ctrl && input === 'c') {
        onExit?.('interrupt');
        exit();
        return;
      }
      // Several plain keys can arrive as one chunk ("vq"); each is a key of its own.
      const keys = input.length > 1 && !key.meta && !key.ctrl ? [...input] : [input];
      for (const k of keys) {
        if (k === 'q') {
          onExit?.('quit');
          exit();
          return;
        }
        const a = keyAction(k, keys.length > 1 ? charKey(k) : key);
        if (a !== null) dispatch(a);
        else if (ref.current!.view.help) dispatch({ type: 'help' });
      }
    },
    { isActive: isRawModeSupported === true },
  );

  const lines = layoutScreen({ trace, replay: props.replay ?? null, file: props.file ?? null, model, view: ref.current.view, width, height });
  return (
    <Box flexDirection="column" width={width}>
      {lines.map((l, i) => (
        <ScreenLine key={i} line={l} />
      ))}
    </Box>
  );
}
