import type { TraceEvent } from '../sim/events.js';
import type { MessageRecord } from '../sim/ledger.js';

/** Why a copy of a message never arrived, in the words of the issue: the network, a fault, the receiver. */
export type DropReason = 'loss' | 'partition' | 'cut' | 'receiver down' | string;

/** What a reader is told about one message copy that was not simply delivered once. */
export interface Undelivered {
  readonly record: MessageRecord;
  /** dropped, duplicated (a copy the network made; its own fate follows), in flight at the end. */
  readonly kind: 'dropped' | 'duplicated' | 'in-flight';
  readonly reason: DropReason | null;
  /** The fault that blocked the link (`{1,2} | rest`, `one-way 1 -> 2`) and its step, for a partition or cut. */
  readonly fault: { readonly step: number; readonly note: string } | null;
  /** One phrase: `dropped at #41 (partition {1,2} | rest from #12)`. */
  readonly text: string;
}

/**
 * Every copy that was dropped, duplicated or still in flight, with its fate in words. The
 * simulator says only "cut" for a blocked link; the trace's partition events tell a partition
 * (or an isolated node) from a one-way cut.
 */
export function undelivered(events: readonly TraceEvent[], records: readonly MessageRecord[]): Undelivered[] {
  const out: Undelivered[] = [];
  for (const r of records) {
    const dup = r.copy > 0 ? `a duplicate made at #${r.dupAt ?? '?'}; ` : '';
    if (r.fate.kind === 'delivered') {
      if (r.copy > 0) out.push({ record: r, kind: 'duplicated', reason: null, fault: null, text: `${dup}delivered again at #${r.fate.at}` });
      continue;
    }
    if (r.fate.kind === 'in-flight') {
      out.push({ record: r, kind: r.copy > 0 ? 'duplicated' : 'in-flight', reason: null, fault: null, text: `${dup}still in flight when the run ended` });
      continue;
    }
    const at = r.fate.at;
    const why = r.fate.why;
    let reason: DropReason = why === 'lost' ? 'loss' : why === 'down' ? 'receiver down' : why;
    let fault: Undelivered['fault'] = null;
    if (why === 'cut') {
      const p = blockingFault(events, r.from, r.to, at);
      if (p !== null) {
        fault = p;
        reason = p.note.startsWith('one-way') ? 'cut' : 'partition';
      }
    }
    const detail = fault === null ? reason : `${reason} ${fault.note} from #${fault.step}`;
    out.push({ record: r, kind: r.copy > 0 ? 'duplicated' : 'dropped', reason, fault, text: `${dup}dropped at #${at} (${detail})` });
  }
  return out;
}

/** The latest partition event at or before `at` that cut the link from -> to. */
function blockingFault(events: readonly TraceEvent[], from: number, to: number, at: number): { step: number; note: string } | null {
  for (let i = Math.min(at, events.length - 1); i >= 0; i--) {
    const e = events[i];
    if (e.kind === 'partition' && e.links?.some(([a, b]) => a === from && b === to) === true) return { step: e.step, note: e.note ?? 'partition' };
  }
  return null;
}

/** Undelivered copies by the step that sent them. */
export function bySendStep(list: readonly Undelivered[]): Map<number, Undelivered[]> {
  const m = new Map<number, Undelivered[]>();
  for (const u of list) {
    const k = u.record.sent;
    const l = m.get(k);
    if (l === undefined) m.set(k, [u]);
    else l.push(u);
  }
  return m;
}

/** `        -> n4 RequestVote t5 last=1/t2: dropped at #41 (loss)`, under the line of the sending step. */
export function renderSendLine(u: Undelivered): string {
  return `        -> n${u.record.to} ${u.record.msg}: ${u.text}`;
}

/** `messages: 52 sent, 40 delivered, 8 dropped (5 loss, 3 partition), 2 duplicated, 4 in flight at the end`. */
export function renderMessageTotals(records: readonly MessageRecord[], list: readonly Undelivered[]): string {
  const sent = records.filter((r) => r.copy === 0).length;
  const delivered = records.filter((r) => r.fate.kind === 'delivered').length;
  const dropped = list.filter((u) => u.record.fate.kind === 'dropped');
  const reasons = new Map<string, number>();
  for (const u of dropped) reasons.set(u.reason ?? '?', (reasons.get(u.reason ?? '?') ?? 0) + 1);
  const why = [...reasons.entries()].map(([k, n]) => `${n} ${k}`).join(', ');
  const dups = records.filter((r) => r.copy > 0).length;
  const flying = records.filter((r) => r.fate.kind === 'in-flight').length;
  return `messages: ${sent} sent, ${delivered} delivered, ${dropped.length} dropped${why === '' ? '' : ` (${why})`}, ${dups} duplicated, ${flying} in flight at the end`;
}

/** The ledger for `replay --json`: totals, and every copy that was not simply delivered once. */
export function messagesJson(events: readonly TraceEvent[], records: readonly MessageRecord[]): Record<string, unknown> {
  const list = undelivered(events, records);
  return {
    sent: records.filter((r) => r.copy === 0).length,
    delivered: records.filter((r) => r.fate.kind === 'delivered').length,
    dropped: records.filter((r) => r.fate.kind === 'dropped').length,
    duplicated: records.filter((r) => r.copy > 0).length,
    inFlight: records.filter((r) => r.fate.kind === 'in-flight').length,
    undelivered: list.map((u) => ({
      from: u.record.from,
      to: u.record.to,
      msg: u.record.msg,
      sent: u.record.sent,
      ...(u.record.copy > 0 ? { duplicateAt: u.record.dupAt } : {}),
      fate: u.record.fate.kind,
      ...(u.record.fate.kind === 'in-flight' ? {} : { at: u.record.fate.at }),
      ...(u.reason === null ? {} : { reason: u.reason }),
      ...(u.fault === null ? {} : { fault: u.fault }),
    })),
  };
}
