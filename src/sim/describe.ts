import type { Message } from '../raft/types.js';

/** Longest summary a trace keeps (the contract's cap on `Message.summary`). */
export const SUMMARY_MAX = 200;

/** Generic summaries show at most this many scalar fields. */
const MAX_FIELDS = 4;

type Fields = Record<string, unknown>;

/**
 * A one-line summary of any message, for traces and script steps; never throws. The
 * implementation's own `summary` wins (sanitised); our core's message types get their fields,
 * but only when the message really has our core's shape; anything else gets its type, term,
 * a few scalar fields and a content digest.
 */
export function describeMessage(m: Message): string {
  try {
    const own = (m as { summary?: unknown }).summary;
    if (typeof own === 'string' && sanitize(own) !== '') return sanitize(own);
    return sanitize(coreSummary(m as unknown as Fields) ?? genericSummary(m as unknown as Fields));
  } catch {
    // A getter that throws, a type whose toString throws: the message is still shown.
    return 'message (unreadable)';
  }
}

/** Control characters out (a trace is printed to terminals), and capped. */
export function sanitize(text: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' ').trim();
  return clean.length <= SUMMARY_MAX ? clean : `${clean.slice(0, SUMMARY_MAX - 1)}…`;
}

const num = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
const bool = (x: unknown): x is boolean => typeof x === 'boolean';
const obj = (x: unknown): x is Fields => x !== null && typeof x === 'object';

/** Our core's summary, or null when the message does not have our core's shape for its type. */
function coreSummary(r: Fields): string | null {
  if (!num(r.term)) return null;
  const t = r.term;
  switch (r.type) {
    case 'RequestVote':
      return num(r.lastLogIndex) && num(r.lastLogTerm) ? `RequestVote t${t} last=${r.lastLogIndex}/t${r.lastLogTerm}` : null;
    case 'RequestVoteReply':
      return bool(r.granted) ? `RequestVoteReply t${t} ${r.granted ? 'granted' : 'refused'}` : null;
    case 'AppendEntries': {
      const entries = r.entries;
      if (!num(r.prevLogIndex) || !num(r.prevLogTerm) || !num(r.leaderCommit) || !Array.isArray(entries)) return null;
      if (!entries.every((e) => obj(e) && num(e.index))) return null;
      const first = entries[0] as Fields | undefined;
      const last = entries[entries.length - 1] as Fields | undefined;
      const span = first === undefined || last === undefined ? 'heartbeat' : `[${String(first.index)}..${String(last.index)}]`;
      return `AppendEntries t${t} prev=${r.prevLogIndex}/t${r.prevLogTerm} ${span} commit=${r.leaderCommit}`;
    }
    case 'AppendEntriesReply':
      if (r.success === true && num(r.matchIndex)) return `AppendEntriesReply t${t} ok match=${r.matchIndex}`;
      if (r.success === false && num(r.conflictIndex) && num(r.conflictTerm)) return `AppendEntriesReply t${t} reject hint=${r.conflictIndex}/t${r.conflictTerm}`;
      return null;
    case 'InstallSnapshot': {
      const s = r.snapshot;
      return obj(s) && num(s.lastIncludedIndex) && num(s.lastIncludedTerm) ? `InstallSnapshot t${t} through ${s.lastIncludedIndex}/t${s.lastIncludedTerm}` : null;
    }
    case 'InstallSnapshotReply':
      return num(r.matchIndex) ? `InstallSnapshotReply t${t} match=${r.matchIndex}` : null;
    default:
      return null;
  }
}

/**
 * Type and term, the first few scalar fields (`voteGranted=true`, `lastIncludedIndex=7`), and
 * a short digest of the content: type and term alone would name many different messages
 * alike, in a trace and for a script step that must find its message.
 */
function genericSummary(r: Fields): string {
  const type = typeof r.type === 'string' ? r.type : String(r.type);
  const head = num(r.term) ? `${type} t${r.term}` : type;
  const fields: string[] = [];
  for (const k of Object.keys(r)) {
    if (fields.length >= MAX_FIELDS) break;
    if (k === 'type' || k === 'from' || k === 'to' || k === 'term' || k === 'summary') continue;
    const v = r[k];
    if (num(v) || bool(v)) fields.push(`${k}=${String(v)}`);
    else if (typeof v === 'string' && v.length <= 24) fields.push(`${k}=${JSON.stringify(v)}`);
  }
  const digest = contentDigest(r);
  return [head, ...fields, ...(digest === null ? [] : [`#${digest}`])].join(' ');
}

/** FNV-1a of the message's JSON, as 6 hex digits; null for a message JSON cannot encode. */
function contentDigest(m: Fields): string | null {
  let text: string;
  try {
    text = JSON.stringify(m);
  } catch {
    return null;
  }
  if (typeof text !== 'string') return null;
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return ((h >>> 0) & 0xffffff).toString(16).padStart(6, '0');
}
