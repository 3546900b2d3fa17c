/**
 * Text that came from a trace or an implementation, made safe to print: terminal control
 * characters (escape sequences that move the cursor, retitle the window, hide text or ring the
 * bell) are shown as `\xNN` / `\u{...}` instead of being obeyed.
 */

// C0 controls except tab and newline, DEL, C1 controls, and the bidi overrides that reorder
// what a line appears to say.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

const escape = (c: string): string => {
  const code = c.codePointAt(0)!;
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`;
};

/** Control characters escaped; newlines and tabs kept (for multi-line text). */
export function sanitizeText(text: string): string {
  return text.replace(CONTROL, escape);
}

/** One line: control characters escaped, newlines and tabs too. */
export function sanitizeLine(text: string): string {
  return sanitizeText(text).replace(/[\n\t]/g, escape);
}
