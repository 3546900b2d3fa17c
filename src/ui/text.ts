/**
 * Styled text measured in terminal columns. The viewer lays out every screen line itself and
 * fits it to the width before Ink sees it, so nothing ever wraps.
 */

export type Color = 'black' | 'red' | 'green' | 'yellow' | 'blue' | 'magenta' | 'cyan' | 'white' | 'gray';

/** A run of text in one style. */
export interface Seg {
  readonly t: string;
  readonly color?: Color;
  readonly bg?: Color;
  readonly bold?: boolean;
  readonly dim?: boolean;
  readonly inverse?: boolean;
  readonly underline?: boolean;
}

export type Line = readonly Seg[];

/** Columns a code point takes: 0 for combining marks and controls, 2 for wide East Asian forms. */
function cpWidth(cp: number): number {
  if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) return 0;
  if ((cp >= 0x300 && cp <= 0x36f) || (cp >= 0x200b && cp <= 0x200f) || (cp >= 0xfe00 && cp <= 0xfe0f)) return 0;
  if (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0xa4cf) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1faff) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  ) {
    return 2;
  }
  return 1;
}

/** Visible width of plain text (no escape codes). */
export function textWidth(s: string): number {
  let w = 0;
  for (const ch of s) w += cpWidth(ch.codePointAt(0)!);
  return w;
}

/** Cuts plain text to at most `w` columns. */
export function cut(s: string, w: number): string {
  if (w <= 0) return '';
  let out = '';
  let used = 0;
  for (const ch of s) {
    const cw = cpWidth(ch.codePointAt(0)!);
    if (used + cw > w) break;
    out += ch;
    used += cw;
  }
  return out;
}

/** Cuts text to `w` columns, ending in an ellipsis when something was cut. */
export function ellipsize(s: string, w: number): string {
  if (textWidth(s) <= w) return s;
  if (w <= 1) return cut(s, w);
  return cut(s, w - 1) + '…';
}

/** Pads to at least `w` columns (longer text is left whole). */
export function padEnd(s: string, w: number): string {
  const sw = textWidth(s);
  return sw >= w ? s : s + ' '.repeat(w - sw);
}

export function padStart(s: string, w: number): string {
  const sw = textWidth(s);
  return sw >= w ? s : ' '.repeat(w - sw) + s;
}

export function lineWidth(l: Line): number {
  let w = 0;
  for (const s of l) w += textWidth(s.t);
  return w;
}

/** Cuts a line to `w` columns (an ellipsis marks the cut) and, with `pad`, fills it to exactly `w`. */
export function fit(l: Line, w: number, pad = false): Line {
  const total = lineWidth(l);
  const out: Seg[] = [];
  if (total <= w) {
    out.push(...l);
    if (pad && total < w) out.push({ t: ' '.repeat(w - total) });
    return out;
  }
  let room = Math.max(0, w - 1);
  for (const s of l) {
    if (room <= 0) break;
    const t = cut(s.t, room);
    if (t.length > 0) out.push({ ...s, t });
    room -= textWidth(t);
  }
  if (w >= 1) out.push({ t: '…', dim: true });
  const got = lineWidth(out);
  if (pad && got < w) out.push({ t: ' '.repeat(w - got) });
  return out;
}

/** Word-wraps plain text into at most `max` lines of `w` columns; the last line is ellipsized. */
export function wrapWords(s: string, w: number, max: number): string[] {
  const words = s.split(/\s+/).filter((x) => x.length > 0);
  const lines: string[] = [];
  let cur = '';
  for (let i = 0; i < words.length; i++) {
    const word = words[i];
    const next = cur === '' ? word : `${cur} ${word}`;
    if (textWidth(next) <= w) {
      cur = next;
      continue;
    }
    if (cur !== '') lines.push(cur);
    cur = word;
    if (lines.length === max - 1) {
      cur = [cur, ...words.slice(i + 1)].join(' ');
      break;
    }
  }
  if (cur !== '') lines.push(cur);
  return lines.slice(0, max).map((l) => ellipsize(l, w));
}

/** Plain text of a line, for tests and for the non-colour parts of layout. */
export function plain(l: Line): string {
  return l.map((s) => s.t).join('');
}
