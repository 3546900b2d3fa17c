import type { TraceEvent } from '../sim/events.js';
import type { Finding } from '../sim/observer.js';
import type { TraceFile, TraceSize } from '../trace/format.js';
import { HANG_INVARIANT } from './protocol.js';
import { sanitizeLine } from './sanitize.js';
import { findProgram } from '../exec/command-line.js';
import type { ReplayResult } from '../trace/replay.js';

/**
 * Plain-text renderings shared by the commands (and free for the UI to reuse): one line per
 * trace event, sizes, durations, findings. No colour, no escape codes: these lines go to CI
 * logs and pipes. Every string that comes from a trace or a module is passed through
 * sanitizeLine: a trace is data, and its text must not drive the terminal.
 */

const ROLE: Record<string, string> = { follower: 'F', candidate: 'C', leader: 'L' };

/**
 * One trace event as one line:
 * `#  42  t=  310ms  n3  deliver   <-n1 AppendEntries t2 ... | +[3..4]t2 | L t2 vote=3 commit=4 applied=4`.
 */
export function renderEventLine(e: TraceEvent): string {
  const head = `#${String(e.step).padStart(4)}  t=${String(e.t).padStart(5)}ms  ${e.node === 0 ? '  *' : `n${e.node}`.padStart(3)}  ${e.kind.padEnd(16)}`;
  const parts: string[] = [];
  const what: string[] = [];
  if (e.from !== undefined) what.push(`<-n${e.from}`);
  if (e.msg !== undefined) what.push(sanitizeLine(e.msg));
  if (e.note !== undefined) what.push(e.msg === undefined && e.from === undefined ? sanitizeLine(e.note) : `(${sanitizeLine(e.note)})`);
  if (e.links !== undefined && e.note === undefined) what.push(`${e.links.length} links`);
  if (what.length > 0) parts.push(what.join(' '));
  if (e.log !== undefined) parts.push(renderLogChange(e.log));
  for (const ch of e.logs ?? []) parts.push(renderLogChange(ch));
  if (e.apply !== undefined) parts.push(`applied ${e.apply[0]}..${e.apply[1]} digest=${e.apply[2]}`);
  if (e.state !== undefined) {
    const s = e.state;
    parts.push(`${ROLE[s.role] ?? s.role} t${s.term} vote=${s.vote ?? '-'} commit=${s.commit} applied=${s.applied}`);
  }
  return parts.length === 0 ? head.trimEnd() : `${head}${parts.join(' | ')}`;
}

function renderLogChange(log: NonNullable<TraceEvent['log']>): string {
  const out: string[] = [];
  if (log.reset === true) out.push('log now');
  if (log.snap !== undefined) out.push(`snapshot..${log.snap[0]}/t${log.snap[1]}`);
  if (log.trunc !== undefined) out.push(`truncate ${log.trunc}..`);
  if (log.app !== undefined && log.app.length > 0) {
    const first = log.app[0];
    const last = log.app[log.app.length - 1];
    const terms = [...new Set(log.app.map((a) => a[1]))].map((t) => `t${t}`).join(',');
    out.push(first === last ? `+${first[0]}/t${first[1]}` : `+${first[0]}..${last[0]}/${terms}`);
  }
  if (log.reset === true && out.length === 1) out.push('empty');
  if (log.sync === false) out.push('(unsynced)');
  return out.join(' ');
}

/** `1158 events, 6 faults, 4 proposals`. */
export function renderSize(s: TraceSize): string {
  const n = (k: number, noun: string): string => `${k} ${k === 1 ? noun : `${noun}s`}`;
  return `${n(s.events, 'event')}, ${n(s.faults, 'fault')}, ${n(s.proposals, 'proposal')}`;
}

/** `1.2 s`, `340 ms`, `2 min 5 s`. */
export function renderDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)} min ${s % 60} s`;
}

/**
 * `1,234,567`, as `toLocaleString('en-US')` writes it. Done by hand because the first
 * toLocaleString call loads ICU's locale data, about 30 ms of every command's start; the odd
 * values (-0, infinities, past 2^53) still go to it.
 */
export function renderCount(n: number): string {
  const r = Math.round(n);
  if (!Number.isSafeInteger(r) || Object.is(r, -0)) return r.toLocaleString('en-US');
  return String(r).replace(/\B(?=(\d{3})+$)/g, ',');
}

/** `1 iteration`, `1,000 iterations`: a count with its noun in the right number. */
export function counted(n: number, noun: string, plural = `${noun}s`): string {
  return `${renderCount(n)} ${Math.round(n) === 1 ? noun : plural}`;
}

export function renderFinding(f: Finding): string {
  const invariant = sanitizeLine(f.invariant);
  const message = sanitizeLine(f.message);
  if (f.invariant === HANG_INVARIANT) return `${invariant} (${f.kind}): ${message}`;
  const at = f.kind === 'liveness' ? `at ${f.time} ms` : `at step ${f.step} (t=${f.time} ms)`;
  return `${invariant} (${f.kind}) ${at}: ${message}`;
}

/** The trace's header as lines: what ran, and what it found. */
export function renderTraceHeader(file: string, t: TraceFile, replayedWith: string | null = null): string[] {
  const code = t.implementation.module ?? t.implementation.exec ?? null;
  const impl = sanitizeLine(code !== null ? `${t.implementation.name} (${code})` : t.implementation.name);
  const lines = [
    `trace ${sanitizeLine(file)}: ${t.schedule.nodes} nodes, faults ${sanitizeLine(t.profile)}, seed ${t.seed ?? '-'}, ${t.events.length} events${t.schedule.script === undefined ? '' : ` (a shrunk script of ${t.schedule.script.length} steps)`}`,
    replayedWith === null ? `implementation: ${impl}` : `recorded with: ${impl}; replayed against: ${sanitizeLine(replayedWith)}`,
  ];
  lines.push(t.violation === null ? 'recorded: no violation' : `recorded: ${renderFinding(t.violation)}`);
  return lines;
}

/** Quotes a word for a POSIX shell when it needs it, so printed commands run as printed. */
export function shellQuote(word: string): string {
  if (/^[\w@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * A trace and its replay with every string escaped (see sanitizeLine), for a renderer that
 * prints them as they are: the interactive viewer.
 */
export function sanitizedForDisplay(t: TraceFile, r: ReplayResult): { trace: TraceFile; result: ReplayResult } {
  const event = <E extends TraceEvent>(e: E): E => ({
    ...e,
    ...(e.msg !== undefined ? { msg: sanitizeLine(e.msg) } : {}),
    ...(e.note !== undefined ? { note: sanitizeLine(e.note) } : {}),
  });
  const finding = <F extends Finding>(f: F | null): F | null => (f === null ? null : { ...f, invariant: sanitizeLine(f.invariant), message: sanitizeLine(f.message) });
  const i = t.implementation;
  return {
    trace: {
      ...t,
      profile: sanitizeLine(t.profile),
      implementation: { name: sanitizeLine(i.name), bug: i.bug === null ? null : sanitizeLine(i.bug), module: i.module === null ? null : sanitizeLine(i.module) },
      violation: finding(t.violation),
      events: t.events.map(event),
    },
    result: {
      ...r,
      violation: finding(r.violation),
      events: r.events.map(event),
      divergence: r.divergence === null ? null : { step: r.divergence.step, expected: r.divergence.expected === null ? null : sanitizeLine(r.divergence.expected), actual: r.divergence.actual === null ? null : sanitizeLine(r.divergence.actual) },
    },
  };
}

let cli: string | undefined;

/**
 * How the user runs raft-check where they are, for the commands we print to paste:
 * `raft-check` when a `raft-check` is on PATH, else `npx raft-check` (in a clone, or a project
 * that installed it as a dependency, npx finds it).
 */
export function cliCommand(): string {
  cli ??= 'file' in findProgram('raft-check', process.cwd()) ? 'raft-check' : 'npx raft-check';
  return cli;
}

/** The candidate nearest to `name` by edit distance, when it is near enough to be a typo. */
export function didYouMean(name: string, candidates: readonly string[]): string | null {
  let best: string | null = null;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = editDistance(name, c);
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return best !== null && bestD <= Math.max(2, Math.floor(best.length / 4)) ? best : null;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length];
}
