import { Box } from 'ink';
import { ScreenLine } from './ScreenLine.js';
import { fit, padEnd, wrapWords, type Line, type Seg } from './text.js';
import { useTerminalSize } from './use-terminal-size.js';

/** What the live view shows: everything the run has reported so far. */
export interface LiveState {
  readonly seed: number;
  /** Iterations planned for this run (its shard's share). */
  readonly iterations: number;
  readonly workers: number;
  readonly nodes: number | null;
  readonly faults: string | null;
  readonly implementation: string | null;
  readonly shard: { readonly index: number; readonly count: number } | null;
  readonly elapsedMs: number;
  /** Time spent searching, when the search has ended (a finding, shrinking): rates use it. */
  readonly searchMs: number | null;
  readonly runs: number;
  readonly events: number;
  readonly findings: number;
  /**
   * The first report with runs done: the ETA counts from here, so the time before the first
   * run (loading the implementation, starting workers) does not make it look far off.
   */
  readonly firstRuns?: { readonly runs: number; readonly elapsedMs: number } | null;
  /** One line per worker, e.g. "exploring  1,024 runs". */
  readonly workerStatus: readonly string[];
  readonly finding: { readonly invariant: string; readonly message: string; readonly iteration: number | null } | null;
  readonly shrink: {
    readonly originalEvents: number;
    readonly currentEvents: number;
    readonly shrinkRuns: number;
    readonly elapsedMs: number | null;
    readonly budgetMs: number | null;
  } | null;
  readonly outcome: {
    readonly ok: boolean;
    readonly interrupted: boolean;
    readonly invariant: string | null;
    readonly tracePath: string | null;
    readonly replayCommand: string | null;
  } | null;
}

export interface LiveViewProps {
  readonly state: LiveState;
  /** Columns; the terminal's by default. */
  readonly width?: number;
}

/** `1,234,567`. */
export function count(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** `950`, `12.3k`, `4.5M`: rates, where three digits say enough. */
export function rate(n: number): string {
  if (!Number.isFinite(n) || n < 0) return '-';
  if (n < 1000) return n < 10 ? n.toFixed(1) : String(Math.round(n));
  if (n < 1e6) return `${(n / 1e3).toFixed(n < 1e4 ? 2 : 1)}k`;
  return `${(n / 1e6).toFixed(n < 1e7 ? 2 : 1)}M`;
}

/** `0:07`, `12:03`, `1:02:03`. */
export function clock(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '-:--';
  const s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

function bar(done: number, total: number, w: number, color: Seg['color']): Seg[] {
  const cells = Math.max(1, w);
  const frac = total <= 0 ? 1 : Math.max(0, Math.min(1, done / total));
  const full = Math.round(frac * cells);
  return [
    { t: '▕', color: 'gray' },
    { t: '█'.repeat(full), color },
    { t: '░'.repeat(cells - full), color: 'gray' },
    { t: '▏', color: 'gray' },
  ];
}

/** The live view's lines for a width, pure. */
export function liveLines(s: LiveState, width: number): Line[] {
  const w = Math.max(30, width);
  const out: Line[] = [];
  const head = [`seed ${s.seed}`];
  if (s.nodes !== null) head.push(`${s.nodes} nodes`);
  head.push(`${count(s.iterations)} iterations`);
  if (s.workers > 1) head.push(`${s.workers} workers`);
  if (s.shard !== null) head.push(`shard ${s.shard.index}/${s.shard.count}`);
  if (s.faults !== null) head.push(`faults ${s.faults}`);
  if (s.implementation !== null) head.push(s.implementation);
  out.push(fit([{ t: 'raft-check run  ', bold: true }, { t: head.join('  ') }], w));

  const pct = s.iterations > 0 ? Math.min(100, Math.floor((s.runs * 100) / s.iterations)) : 100;
  const tail = `  ${String(pct).padStart(3)}%  ${count(s.runs)}/${count(s.iterations)}`;
  const barW = Math.max(10, Math.min(60, w - tail.length - 2));
  const searching = s.finding === null && s.outcome === null;
  out.push(fit([...bar(s.runs, s.iterations, barW, searching ? 'cyan' : s.finding !== null ? 'red' : 'green'), { t: tail }], w));

  const secs = (s.searchMs ?? s.elapsedMs) / 1000;
  const runsPerSec = secs > 0 ? s.runs / secs : 0;
  const eventsPerSec = secs > 0 ? s.events / secs : 0;
  const base = s.firstRuns ?? null;
  const recentSecs = base === null ? 0 : (s.elapsedMs - base.elapsedMs) / 1000;
  const recentRate = base !== null && recentSecs >= 0.5 && s.runs > base.runs ? (s.runs - base.runs) / recentSecs : runsPerSec;
  const eta = recentRate > 0 && searching ? ((s.iterations - s.runs) / recentRate) * 1000 : null;
  out.push(
    fit(
      [
        { t: `  ${rate(runsPerSec)} runs/s   ${rate(eventsPerSec)} events/s   elapsed ${clock(s.elapsedMs)}` },
        { t: eta === null ? '' : `   ETA ${clock(eta)}` },
        { t: '   findings ' },
        { t: String(s.findings), color: s.findings > 0 ? 'red' : 'green', bold: true },
      ],
      w,
    ),
  );

  if (s.workerStatus.length > 0) {
    // Two columns of workers when they fit, so that eight workers take four lines.
    const colW = Math.floor((w - 2) / 2);
    const twoCols = s.workerStatus.length > 2 && colW >= 28;
    const labels = s.workerStatus.map((st, i) => `w${i + 1} ${st}`);
    if (twoCols) {
      for (let i = 0; i < labels.length; i += 2) out.push(fit([{ t: `  ${padEnd(labels[i], colW)}${labels[i + 1] ?? ''}`, color: 'gray' }], w));
    } else for (const l of labels) out.push(fit([{ t: `  ${l}`, color: 'gray' }], w));
  }

  if (s.finding !== null) {
    const f = s.finding;
    const at = f.iteration === null ? '' : ` (iteration ${f.iteration})`;
    const lead = `✗ ${f.invariant}${at}: `;
    const lines = wrapWords(lead + f.message, w, 3);
    lines.forEach((l, k) => {
      if (k === 0 && l.startsWith(lead.trimEnd())) out.push([{ t: lead, color: 'red', bold: true }, { t: l.slice(lead.length) }]);
      else out.push([{ t: l }]);
    });
  }

  if (s.shrink !== null) {
    const sh = s.shrink;
    const smaller = sh.originalEvents > 0 ? Math.round(((sh.originalEvents - sh.currentEvents) * 100) / sh.originalEvents) : 0;
    const time = sh.elapsedMs !== null && sh.budgetMs !== null ? `  ${clock(sh.elapsedMs)}/${clock(sh.budgetMs)}` : '';
    const label = `  ${count(sh.originalEvents)} -> ${count(sh.currentEvents)} events (${smaller}% smaller)  ${count(sh.shrinkRuns)} runs${time}`;
    const shrinking = s.outcome === null;
    const barW = Math.max(8, Math.min(24, w - label.length - 14));
    out.push(
      fit(
        [
          { t: shrinking ? '  shrinking ' : '  shrunk    ', color: 'yellow', bold: true },
          ...bar(sh.originalEvents - sh.currentEvents, sh.originalEvents, barW, 'yellow'),
          { t: label },
        ],
        w,
      ),
    );
  }

  const o = s.outcome;
  if (o !== null) {
    if (o.tracePath !== null) {
      out.push(fit([{ t: '✓ trace written: ', color: 'green', bold: true }, { t: o.tracePath, bold: true }], w));
      out.push(fit([{ t: '  open it: ' }, { t: o.replayCommand ?? `raft-check replay ${o.tracePath}`, color: 'cyan', bold: true }], w));
    } else if (o.interrupted) {
      out.push(fit([{ t: `■ stopped by Ctrl-C after ${count(s.runs)} iterations`, color: 'yellow', bold: true }], w));
    } else if (o.ok) {
      out.push(fit([{ t: `✓ no violation in ${count(s.runs)} iterations (${clock(s.elapsedMs)})`, color: 'green', bold: true }], w));
    } else if (o.invariant !== null) {
      out.push(fit([{ t: `✗ ${o.invariant}: no trace was written`, color: 'red', bold: true }], w));
    }
  }
  return out;
}

/** Progress of `raft-check run`: a pure view of the state it is given. */
export function LiveView(props: LiveViewProps) {
  const { width } = useTerminalSize(props.width, 24);
  const lines = liveLines(props.state, width);
  return (
    <Box flexDirection="column">
      {lines.map((l, i) => (
        <ScreenLine key={i} line={l} />
      ))}
    </Box>
  );
}
