import type { TraceEvent } from '../sim/events.js';
import type { TraceFile } from '../trace/format.js';
import type { ReplayResult } from '../trace/replay.js';
import { KIND_FILTERS, holding, lastIndex, type ClusterState, type NodeView, type TraceModel } from './model.js';
import { lowerBound, visibleEvents, type ViewState } from './navigation.js';
import { fit, lineWidth, padEnd, padStart, plain, textWidth, wrapWords, type Color, type Line, type Seg } from './text.js';

/**
 * The trace viewer's screen as lines of styled text, exactly `height` lines of at most `width`
 * columns. Pure: the Ink component only prints what this returns.
 */

export interface ScreenInput {
  readonly trace: TraceFile;
  readonly replay: ReplayResult | null;
  readonly file: string | null;
  readonly model: TraceModel;
  readonly view: ViewState;
  readonly width: number;
  readonly height: number;
}

const TERM_COLORS: readonly Color[] = ['cyan', 'yellow', 'magenta', 'green', 'blue', 'white'];

export function termColor(term: number): Color {
  return term <= 0 ? 'gray' : TERM_COLORS[(term - 1) % TERM_COLORS.length];
}

/** One character per term: 1-9, then a-z for 10-35, then '+'. */
export function termChar(term: number): string {
  if (term >= 1 && term <= 35) return term.toString(36);
  return term <= 0 ? '0' : '+';
}

const ROLE_STYLE: Record<string, Seg> = {
  leader: { t: 'LEADER', color: 'green', bold: true },
  candidate: { t: 'candidate', color: 'yellow' },
  follower: { t: 'follower' },
};

const KIND_LABEL: Record<string, string> = {
  'install-snapshot': 'install',
  duplicate: 'dup',
};

/** The smallest panel interior that still reads; below it the nodes go one per row. */
const MIN_PANEL_INNER = 11;
const MAX_PANEL_WIDTH = 48;

export function groupName(g: number): string {
  return String.fromCharCode(65 + (g % 26));
}

/** "{1,3,4,5} | {2}  1->3 cut" or "all links up". */
export function describeNet(s: ClusterState): string {
  const parts: string[] = [];
  if (s.groups !== null) {
    const byGroup = new Map<number, number[]>();
    s.groups.forEach((g, i) => byGroup.set(g, [...(byGroup.get(g) ?? []), i + 1]));
    parts.push([...byGroup.entries()].map(([g, ids]) => `${groupName(g)}{${ids.join(',')}}`).join(' | '));
  }
  if (s.oneWay.length > 0) parts.push(s.oneWay.map(([a, b]) => `${a}->${b}`).join(' ') + ' cut');
  return parts.length === 0 ? 'all links up' : parts.join('  ');
}

function highlightOn(input: ScreenInput): boolean {
  const m = input.model;
  return m.involvement !== null && (input.view.highlight || (m.violationAt !== null && input.view.cursor === m.violationAt));
}

// ---- log cells --------------------------------------------------------------------------------

interface Cell {
  readonly seg: Seg;
  /** The log index the character stands for (null for separators). */
  readonly index: number | null;
}

/**
 * A node's log as one character per entry: its term in base 36 coloured by term, filled when
 * committed; `s4:` for a snapshot through 4; `|` after the commit point; the violation's
 * entry in red.
 */
function logCells(v: NodeView, hi: number | null, faded: boolean): Cell[] {
  const out: Cell[] = [];
  const last = lastIndex(v);
  if (v.snapIndex > 0) {
    const s = `s${v.snapIndex}`;
    const isHi = hi !== null && hi <= v.snapIndex;
    for (const ch of s) out.push({ seg: isHi ? { t: ch, color: 'white', bg: 'red', bold: true } : { t: ch, color: 'gray', inverse: true }, index: v.snapIndex });
    out.push({ seg: { t: ':', color: 'gray' }, index: null });
  }
  // Snapshot entries are committed by definition, whatever the volatile commit index says.
  const bar = Math.max(v.commit, v.snapIndex);
  if (bar === v.snapIndex && v.log.length > 0) out.push({ seg: { t: '|', bold: true }, index: null });
  for (const [index, term] of v.log) {
    const committed = index <= v.commit;
    let seg: Seg;
    if (hi === index) seg = { t: termChar(term), color: 'white', bg: 'red', bold: true };
    else if (committed) seg = { t: termChar(term), color: 'black', bg: termColor(term) };
    else seg = { t: termChar(term), color: termColor(term) };
    if (faded) seg = { ...seg, dim: true };
    out.push({ seg, index });
    if (index === bar && bar < last) out.push({ seg: { t: '|', bold: true }, index: null });
  }
  if (v.log.length === 0 && v.snapIndex === 0) out.push({ seg: { t: '(empty)', color: 'gray' }, index: null });
  return out;
}

/** Fits cells into `lines` rows of `w`: the tail, or a window holding the highlighted index. */
function windowCells(cells: Cell[], w: number, lines: number, hi: number | null): Line[] {
  const cap = Math.max(1, w * lines);
  let shown = cells;
  if (cells.length > cap) {
    let start = cells.length - cap;
    const hiPos = hi === null ? -1 : cells.findIndex((c) => c.index === hi);
    if (hiPos >= 0 && hiPos < start + 1) start = Math.max(0, hiPos - 2);
    shown = cells.slice(start, start + cap);
    if (start > 0) shown[0] = { seg: { t: '…', color: 'gray' }, index: null };
    if (start + cap < cells.length) shown[shown.length - 1] = { seg: { t: '…', color: 'gray' }, index: null };
  }
  const out: Line[] = [];
  for (let i = 0; i < lines; i++) out.push(merge(shown.slice(i * w, (i + 1) * w).map((c) => c.seg)));
  return out;
}

/** Joins neighbouring segments of the same style (fewer Ink nodes). */
function merge(segs: readonly Seg[]): Seg[] {
  const out: Seg[] = [];
  for (const s of segs) {
    const p = out[out.length - 1];
    if (p !== undefined && p.color === s.color && p.bg === s.bg && p.bold === s.bold && p.dim === s.dim && p.inverse === s.inverse && p.underline === s.underline) {
      out[out.length - 1] = { ...p, t: p.t + s.t };
    } else out.push(s);
  }
  return out;
}

// ---- panels ------------------------------------------------------------------------------------

function roleSeg(v: NodeView): Seg {
  if (!v.started) return { t: 'not started', color: 'gray' };
  if (!v.up) return { t: 'DOWN', color: 'red', bold: true };
  return ROLE_STYLE[v.role] ?? { t: v.role };
}

/**
 * Left and right parts on one line of width w. Each extra [left, right] pair is a shorter
 * form tried in turn; when none fits, the right part is dropped.
 */
function spread(left: Seg[], right: Seg[], w: number, ...shorter: (readonly [Seg[], Seg[]])[]): Line {
  for (const [l, r] of [[left, right] as const, ...shorter]) {
    const lw = l.reduce((a, s) => a + textWidth(s.t), 0);
    const rw = r.reduce((a, s) => a + textWidth(s.t), 0);
    if (rw === 0 && lw <= w) return fit(l, w, true);
    if (rw > 0 && lw + 1 + rw <= w) return [...l, { t: ' '.repeat(w - lw - rw) }, ...r];
  }
  return fit(left, w, true);
}

interface PanelCtx {
  readonly state: ClusterState;
  readonly hi: number | null;
  readonly involved: ReadonlySet<number>;
  readonly showHi: boolean;
  readonly selected: number;
}

function holdingText(v: NodeView, index: number): Seg {
  const h = holding(v, index);
  if (h.kind === 'entry') return { t: `!#${index} t${h.term} ${h.cmd ?? 'no-op'}`, color: 'red', bold: true };
  if (h.kind === 'snapshot') return { t: `!#${index} in snapshot`, color: 'red' };
  return { t: `!#${index} missing`, color: 'red' };
}

function panelBody(v: NodeView, ctx: PanelCtx, w: number, logLines: number): Line[] {
  const faded = !v.up || !v.started;
  const d = faded ? { dim: true } : {};
  const group = ctx.state.groups === null ? null : groupName(ctx.state.groups[v.id - 1]);
  const cuts = ctx.state.oneWay.filter(([a]) => a === v.id).map(([, b]) => `>${b}`);
  const lines: Line[] = [];
  lines.push(spread([roleSeg(v)], [{ t: `t${v.term}`, bold: true, color: termColor(v.term), ...d }], w));
  const net: Seg[] = [];
  if (group !== null) net.push({ t: `grp ${group}`, color: 'magenta', bold: true });
  if (cuts.length > 0) net.push({ t: `${net.length > 0 ? ' ' : ''}cut${cuts.join('')}`, color: 'magenta' });
  lines.push(spread([{ t: `vote ${v.vote ?? '-'}`, ...d }], net, w));
  const last: Seg[] = [{ t: `last ${lastIndex(v)}`, ...d }];
  lines.push(spread([{ t: `commit ${v.commit}`, ...d }], last, w, [[{ t: `cmt ${v.commit}`, ...d }], last]));
  const snap: Seg[] = v.snapIndex > 0 ? [{ t: `snap ${v.snapIndex}`, color: 'gray' }] : [];
  lines.push(spread([{ t: `applied ${v.applied}`, ...d }], snap, w, [[{ t: `appl ${v.applied}`, ...d }], snap]));
  for (const l of windowCells(logCells(v, ctx.showHi ? ctx.hi : null, faded), w, logLines, ctx.showHi ? ctx.hi : null)) lines.push(fit(l, w, true));
  if (ctx.showHi && ctx.hi !== null) lines.push(fit([holdingText(v, ctx.hi)], w, true));
  else if (ctx.showHi && ctx.involved.has(v.id)) lines.push(fit([{ t: '! named by the violation', color: 'red' }], w, true));
  else lines.push(fit([], w, true));
  return lines;
}

function panels(ctx: PanelCtx, width: number, logLines: number): Line[] {
  const n = ctx.state.nodes.length;
  const pw = Math.min(MAX_PANEL_WIDTH, Math.floor(width / n));
  const inner = pw - 2;
  const bodies = ctx.state.nodes.map((v) => panelBody(v, ctx, inner, logLines));
  const rows = bodies[0]?.length ?? 0;
  const out: Line[] = [];
  const top: Seg[] = [];
  const bottom: Seg[] = [];
  for (const v of ctx.state.nodes) {
    const sel = v.id === ctx.selected;
    const mark = ctx.showHi && ctx.involved.has(v.id);
    const bc: Seg = sel ? { t: '', color: 'cyan', bold: true } : { t: '', color: 'gray' };
    const h = sel ? '━' : '─';
    const title = `${sel ? '▸' : ''}n${v.id}${mark ? ' !' : ''}`;
    const fill = Math.max(0, inner - 1 - textWidth(title));
    top.push({ ...bc, t: (sel ? '┏' : '╭') + h }, { t: title, color: mark ? 'red' : sel ? 'cyan' : undefined, bold: true }, { ...bc, t: h.repeat(fill) + (sel ? '┓' : '╮') });
    bottom.push({ ...bc, t: (sel ? '┗' : '╰') + h.repeat(inner) + (sel ? '┛' : '╯') });
  }
  out.push(top, bottom);
  for (let r = 0; r < rows; r++) {
    const line: Seg[] = [];
    ctx.state.nodes.forEach((v, i) => {
      const sel = v.id === ctx.selected;
      const side: Seg = sel ? { t: '┃', color: 'cyan', bold: true } : { t: '│', color: 'gray' };
      line.push(side, ...bodies[i][r], side);
    });
    out.splice(out.length - 1, 0, line);
  }
  return out;
}

/** One row per node, for clusters too wide for side-by-side panels. */
function rowsPerNode(ctx: PanelCtx, width: number): Line[] {
  const n = ctx.state.nodes.length;
  const idw = String(n).length;
  const out: Line[] = [];
  for (const v of ctx.state.nodes) {
    const sel = v.id === ctx.selected;
    const faded = !v.up || !v.started;
    const d = faded ? { dim: true } : {};
    const mark = ctx.showHi && ctx.involved.has(v.id);
    const group = ctx.state.groups === null ? ' ' : groupName(ctx.state.groups[v.id - 1]);
    const head: Seg[] = [
      { t: sel ? '▸' : ' ', color: 'cyan', bold: true },
      { t: mark ? '!' : ' ', color: 'red', bold: true },
      { t: `n${padEnd(String(v.id), idw)} `, bold: sel, color: sel ? 'cyan' : undefined },
      { ...roleSeg(v), t: padEnd(roleSeg(v).t === 'not started' ? '-' : roleSeg(v).t, 9) },
      { t: padEnd(` t${v.term}`, 5), color: termColor(v.term), bold: true, ...d },
      { t: padEnd(` v${v.vote ?? '-'}`, 4), ...d },
      { t: ` ${group}`, color: 'magenta', bold: true },
      { t: padEnd(` c${v.commit} a${v.applied}`, 10), ...d },
      { t: ' ' },
    ];
    const used = head.reduce((a, s) => a + textWidth(s.t), 0);
    const room = width - used;
    let tail: Line = [];
    if (room >= 4) {
      const hi = ctx.showHi ? ctx.hi : null;
      tail = windowCells(logCells(v, hi, faded), room, 1, hi)[0];
      if (hi !== null && room >= 16) {
        const ht = holdingText(v, hi);
        const roomLog = room - textWidth(ht.t) - 1;
        if (roomLog >= 4) tail = [...windowCells(logCells(v, hi, faded), roomLog, 1, hi)[0], { t: ' ' }, ht];
      }
    }
    out.push(fit([...head, ...tail], width));
  }
  return out;
}

// ---- timeline ---------------------------------------------------------------------------------

function who(e: TraceEvent, w: number): string {
  if (e.from !== undefined) return padStart(`${e.from}→${e.node}`, w);
  return padStart(e.node === 0 ? '*' : `n${e.node}`, w);
}

function eventText(e: TraceEvent): string {
  switch (e.kind) {
    case 'drop':
      return `${e.msg ?? 'message'} (${e.note ?? 'dropped'})`;
    case 'partition':
    case 'heal':
      return e.note ?? (e.links !== undefined ? e.links.map(([a, b]) => `${a}->${b}`).join(' ') : '');
    case 'apply':
      return e.apply !== undefined ? `digest ${e.apply[2].toString(16)}` : '';
    default:
      return e.msg ?? e.note ?? '';
  }
}

interface EventParts {
  /** Step and virtual time. */
  readonly head: string;
  /** Who, kind and message. */
  readonly body: string;
  /** What changed on the node, or ''. */
  readonly change: string;
}

function eventParts(model: TraceModel, i: number, stepW: number, tW: number): EventParts {
  const e = model.events[i];
  const whoW = 2 * String(model.nodeCount).length + 1;
  const kind = padEnd(KIND_LABEL[e.kind] ?? e.kind, 9);
  return {
    head: `${padStart(String(e.step), stepW)} ${padStart(`${e.t}ms`, tW)}`,
    body: ` ${who(e, whoW)} ${kind} ${eventText(e)}`.trimEnd(),
    change: model.changes[i] === '' ? '' : `  => ${model.changes[i]}`,
  };
}

/** The text of one event as the timeline shows it (without marks and lanes), e.g. for plain output. */
export function timelineText(model: TraceModel, i: number, stepW = 0, tW = 0): string {
  const p = eventParts(model, i, stepW, tW);
  return p.head + p.body + p.change;
}

const LANE_GLYPH: Partial<Record<TraceEvent['kind'], string>> = {
  start: 'S',
  restart: 'R',
  crash: 'X',
  timer: 'T',
  propose: 'P',
  apply: 'a',
  snapshot: 's',
  'install-snapshot': 's',
};

/**
 * A space-time lane per node: a column each, with the message drawn as an arrow from sender
 * to receiver (dashed when dropped), faults and timers as letters on the node's column.
 */
export function lanes(e: TraceEvent, n: number): Seg[] {
  const cols = new Array<string>(2 * n - 1).fill(' ');
  for (let k = 0; k < n; k++) cols[2 * k] = '│';
  const at = (id: number) => 2 * (id - 1);
  let color: Color = 'cyan';
  if (e.from !== undefined && e.from >= 1 && e.from <= n && e.node >= 1 && e.node <= n) {
    const a = at(e.from);
    const b = at(e.node);
    const dropped = e.kind === 'drop';
    const fill = dropped ? '╌' : '─';
    for (let x = Math.min(a, b) + 1; x < Math.max(a, b); x++) cols[x] = fill;
    cols[a] = 'o';
    cols[b] = dropped ? 'x' : b > a ? '>' : '<';
    if (dropped) color = 'gray';
    if (e.kind === 'duplicate') color = 'yellow';
  } else if (e.node >= 1 && e.node <= n) {
    cols[at(e.node)] = LANE_GLYPH[e.kind] ?? '*';
    color = e.kind === 'crash' ? 'red' : e.kind === 'restart' || e.kind === 'start' ? 'green' : 'cyan';
  } else if (e.links !== undefined) {
    const ids = new Set(e.links.flat());
    for (const id of ids) if (id >= 1 && id <= n) cols[at(id)] = e.kind === 'heal' ? '=' : '#';
    color = 'magenta';
  }
  return [{ t: ' ' }, ...merge(cols.map((c) => (c === '│' ? { t: c, color: 'gray' as Color, dim: true } : { t: c, color, bold: true }))), { t: ' ' }];
}

/** Lanes are drawn when they leave this many columns for the text. */
const LANE_MIN_TEXT = 90;

function timeline(input: ScreenInput, rows: number): Line[] {
  const { model, view } = input;
  const width = input.width;
  if (rows <= 0) return [];
  const visible = visibleEvents(model, view.filter);
  // The rows: visible events around the cursor, and the cursor's event even when filtered out.
  const pos = lowerBound(visible, view.cursor);
  const hidden = view.cursor >= 0 && visible[pos] !== view.cursor;
  const total = visible.length + (hidden ? 1 : 0);
  if (total === 0) return [[{ t: model.size === 0 ? '  (the trace has no events)' : `  (no events pass the filter ${KIND_FILTERS[view.filter].name})`, color: 'gray' }]];
  let start = Math.max(0, pos - Math.floor((rows - 1) / 2));
  start = Math.min(start, Math.max(0, total - rows));
  const list: number[] = [];
  for (let k = start; k < Math.min(total, start + rows); k++) {
    if (!hidden || k < pos) list.push(visible[k]);
    else list.push(k === pos ? view.cursor : visible[k - 1]);
  }
  const lastStep = model.events[model.size - 1]?.step ?? 0;
  const lastT = model.events[model.size - 1]?.t ?? 0;
  const stepW = String(lastStep).length;
  const tW = `${lastT}ms`.length;
  const divergence = input.replay?.divergence?.step ?? null;
  const withLanes = width - (2 * model.nodeCount + 1) >= LANE_MIN_TEXT;
  const out: Line[] = [];
  for (const i of list) {
    const e = model.events[i];
    const cur = i === view.cursor;
    const viol = i === model.violationAt;
    const div = divergence !== null && e.step === divergence;
    const cause = model.causes.includes(i);
    const mark = cur ? '▶' : viol ? '!' : div ? '≠' : cause ? '•' : ' ';
    const p = eventParts(model, i, stepW, tW);
    const isSel = e.node === view.selected || e.from === view.selected;
    const base: Seg = cur
      ? { t: '', inverse: true, bold: true }
      : viol
        ? { t: '', color: 'red', bold: true }
        : e.kind === 'drop'
          ? { t: '', color: 'gray' }
          : isSel
            ? { t: '' }
            : { t: '', dim: true };
    const line: Seg[] = [{ t: mark, color: viol || div ? 'red' : cause && !cur ? 'yellow' : 'cyan', bold: true }, { ...base, t: p.head }];
    if (withLanes) line.push(...lanes(e, model.nodeCount));
    line.push({ ...base, t: p.body });
    if (p.change !== '') line.push({ ...base, t: p.change, color: cur ? undefined : viol ? 'red' : 'green' });
    out.push(fit(cur ? fit(line, width, true) : line, width));
  }
  return out;
}

// ---- header, status, footer, help ---------------------------------------------------------------

function header(input: ScreenInput): Line[] {
  const { trace, width } = input;
  const impl = trace.implementation;
  const file: Seg = { t: input.file ?? '(trace)', color: 'cyan', bold: true };
  const run = `  seed ${trace.seed ?? '-'}  ${trace.schedule.nodes} nodes  ${trace.profile}  `;
  // The longest form that fits: the tool's name goes first, then the implementation's name
  // when a built-in bug names it well enough.
  const who = impl.bug === null ? [impl.name] : [`${impl.name}, bug ${impl.bug}`, `bug ${impl.bug}`];
  const forms: Line[] = [];
  for (const w of who) forms.push([{ t: 'raft-check ', bold: true }, file, { t: run + w }]);
  for (const w of who) forms.push([file, { t: run + w }]);
  const base = file.t.slice(file.t.lastIndexOf('/') + 1);
  for (const w of who) forms.push([{ ...file, t: base }, { t: run + w }]);
  for (const w of who) forms.push([{ ...file, t: base }, { t: run.replace(/ {2}/g, ' ') + w }]);
  const meta = forms.find((l) => lineWidth(l) <= width) ?? forms[forms.length - 1];
  const out: Line[] = [fit(meta, width)];
  const v = trace.violation;
  if (v === null) {
    out.push([{ t: 'no violation recorded in this trace', color: 'green' }], []);
    return out;
  }
  const lead = `✗ ${v.invariant} (${v.kind}) at step ${v.step}: `;
  const lines = wrapWords(lead + v.message, width, 2);
  lines.forEach((l, k) => {
    if (k === 0 && l.startsWith(lead.trimEnd())) {
      out.push(fit([{ t: lead, color: 'red', bold: true }, { t: l.slice(lead.length) }], width));
    } else out.push([{ t: l }]);
  });
  while (out.length < 3) out.push([]);
  return out;
}

function status(input: ScreenInput, state: ClusterState): Line {
  const { model, view, width } = input;
  const e = view.cursor >= 0 ? model.events[view.cursor] : undefined;
  const lastStep = model.events[model.size - 1]?.step ?? 0;
  const segs: Seg[] = [
    { t: `step ${e?.step ?? '-'}/${lastStep}`, bold: true },
    { t: `  t=${state.t}ms` },
    { t: `  net ${describeNet(state)}`, color: state.groups !== null || state.oneWay.length > 0 ? 'magenta' : undefined },
  ];
  const r = input.replay;
  if (r !== null) {
    segs.push(
      r.reproduced
        ? { t: '  replay ok', color: 'green' }
        : { t: `  replay diverged at step ${r.divergence?.step ?? '?'}`, color: 'red', bold: true },
    );
  }
  if (view.filter !== 0) segs.push({ t: `  filter ${KIND_FILTERS[view.filter].name}`, color: 'yellow' });
  if (model.violationAt !== null && view.cursor === model.violationAt) segs.push({ t: '  << VIOLATION', color: 'red', bold: true });
  return fit(segs, width);
}

function detail(input: ScreenInput, state: ClusterState, hi: number | null): Line {
  const v = state.nodes[input.view.selected - 1];
  if (v === undefined) return [];
  const cells: Seg[] = [];
  if (v.snapIndex > 0) cells.push({ t: ` s${v.snapIndex}/t${v.snapTerm}:`, color: 'gray' });
  for (const [index, term] of v.log) {
    const text = `${index}/t${term}`;
    const isHi = hi === index;
    cells.push({ t: ' ' });
    cells.push(isHi ? { t: `!${text}`, color: 'white', bg: 'red', bold: true } : { t: text, color: termColor(term), bold: index <= v.commit });
    if (index === v.commit && index < lastIndex(v)) cells.push({ t: ' |', bold: true });
  }
  const head: Seg[] = [{ t: `n${v.id} log`, color: 'cyan', bold: true }];
  if (cells.length === 0) return [...head, { t: ' (empty)', color: 'gray' }];
  const room = input.width - textWidth(plain(head)) - 2;
  const total = cells.reduce((a, s) => a + textWidth(s.t), 0);
  if (total <= room) return [...head, ...cells];
  // Keep the tail, or the highlighted entry when it would fall off.
  let start = 0;
  let w = total;
  const hiAt = hi === null ? -1 : cells.findIndex((c) => c.t.startsWith(`!${hi}/`));
  while (w > room && start < cells.length) {
    if (start === hiAt - 1 || start === hiAt) break;
    w -= textWidth(cells[start].t);
    start++;
  }
  return fit([...head, { t: ' …', color: 'gray' }, ...cells.slice(start)], input.width);
}

const KEYS: readonly (readonly [string, string])[] = [
  ['← →', 'one step back / forward'],
  ['PgUp PgDn', 'ten steps back / forward'],
  ['Home End', 'first / last step'],
  ['v', 'jump to the violation and highlight the entries it involves'],
  ['e E', 'next / previous causal step of the explanation (marked • in the timeline)'],
  ['n p', 'next / previous event touching the selected node'],
  ['1-9 Tab', 'select a node (Shift-Tab: the previous one)'],
  ['/', `cycle the event filter: ${KIND_FILTERS.map((f) => f.name).join(', ')}`],
  ['?', 'this help (any key closes it)'],
  ['q', 'quit (Ctrl-C too)'],
];

export const KEY_LIST = KEYS;

function help(width: number, rows: number): Line[] {
  const out: Line[] = [[{ t: 'Keys', bold: true }]];
  for (const [k, what] of KEYS) out.push(fit([{ t: `  ${padEnd(k, 11)}`, color: 'cyan', bold: true }, { t: what }], width));
  out.push([]);
  out.push([{ t: 'Log cells', bold: true }]);
  const legend = [
    'One character per entry: its term in base 36 (1-9, a=10 ...), coloured by term.',
    'Filled cells are committed; | marks the commit point; s4: is a snapshot through index 4.',
    'A red !#i on a panel is the entry at index i that the violation is about.',
    'grp A / grp B: partition groups; cut>3: a one-way cut of the link to node 3.',
    'Timeline: step, virtual time, from→to, kind, message, and => what changed.',
  ];
  for (const l of legend) for (const w of wrapWords(l, width - 2, 2)) out.push([{ t: `  ${w}` }]);
  return out.slice(0, rows);
}

function footer(input: ScreenInput): Line {
  if (input.view.message !== null) return fit([{ t: input.view.message, color: 'yellow', bold: true }], input.width);
  return fit(
    [{ t: '←→ step  PgUp/PgDn ±10  Home/End  v violation  e/E why  n/p node events  Tab/1-9 node  / filter  ? help  q quit', color: 'gray' }],
    input.width,
  );
}

// ---- explanation and undelivered sends --------------------------------------------------------

/**
 * The why panel: the explanation's summary, the causal step at or before the cursor (bold when
 * the cursor is on it), and the current step's sends that were not simply delivered. At most
 * `rows` lines; nothing for a trace without a violation or sends to show.
 */
function explanationPanel(input: ScreenInput, rows: number): Line[] {
  const { model, view, width } = input;
  const out: Line[] = [];
  const x = model.explanation;
  const e = view.cursor >= 0 ? model.events[view.cursor] : undefined;
  const sends = e === undefined ? [] : model.unsent.get(e.step) ?? [];
  if (x !== null) {
    for (const l of wrapWords(`why: ${x.summary}`, width, 2)) out.push(l.startsWith('why:') ? [{ t: 'why:', color: 'yellow', bold: true }, { t: l.slice(4) }] : [{ t: l }]);
    const k = model.causes.filter((i) => i <= view.cursor).length - 1;
    if (k >= 0) {
      const on = model.causes[k] === view.cursor;
      const s = x.steps[k];
      const lead = `#${s.step} (${k + 1}/${x.steps.length}) `;
      wrapWords(`${lead}${s.text}`, width, 2).forEach((l, j) => out.push([{ t: l, bold: on, dim: !on, color: j === 0 && on ? 'yellow' : undefined }]));
    } else out.push([{ t: `${x.steps.length} causal steps: e jumps to the first`, color: 'gray' }]);
  }
  if (sends.length > 0) {
    const text = sends.map((u) => `->n${u.record.to} ${u.record.msg}: ${u.text}`).join('; ');
    out.push(fit([{ t: 'not delivered: ', color: 'magenta', bold: true }, { t: text }], width));
  }
  return out.slice(0, rows);
}

// ---- the screen -------------------------------------------------------------------------------

export function layoutScreen(input: ScreenInput): Line[] {
  const { model, view } = input;
  const width = Math.max(20, input.width);
  const height = Math.max(8, input.height);
  const inp = { ...input, width, height };
  const state = model.stateAt(view.cursor);
  const showHi = highlightOn(inp);
  const hi = showHi ? (model.involvement?.index ?? null) : null;
  const involved = new Set(model.involvement?.nodes ?? []);

  const top = header(inp);
  top.push(status(inp, state));
  const bottom = footer(inp);
  let body: Line[];
  const bodyRows = height - top.length - 1;
  if (view.help) {
    body = help(width, bodyRows);
  } else {
    const ctx: PanelCtx = { state, hi, involved, showHi, selected: view.selected };
    const n = state.nodes.length;
    const usePanels = Math.floor(width / Math.max(1, n)) - 2 >= MIN_PANEL_INNER;
    let nodeLines: Line[];
    if (usePanels) {
      const inner = Math.min(MAX_PANEL_WIDTH, Math.floor(width / n)) - 2;
      const longest = Math.max(1, ...state.nodes.map((v) => logCells(v, null, false).length));
      const need = Math.ceil(longest / inner);
      const spare = Math.max(0, bodyRows - 22);
      const logLines = Math.max(1, Math.min(need, 2 + Math.floor(spare / 2), 8));
      nodeLines = panels(ctx, width, Math.max(2, logLines));
    } else {
      nodeLines = rowsPerNode(ctx, width);
    }
    const detailLine = detail(inp, state, hi);
    const why = explanationPanel(inp, Math.max(0, Math.floor((bodyRows - nodeLines.length - 1) / 3)));
    const rest = bodyRows - nodeLines.length - 1 - why.length;
    body = [...nodeLines, detailLine, ...why, ...timeline(inp, rest)];
  }
  const lines = [...top, ...body];
  while (lines.length < height - 1) lines.push([]);
  lines.length = Math.min(lines.length, height - 1);
  lines.push(bottom);
  return lines.map((l) => fit(l, width));
}

