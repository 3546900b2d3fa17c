import type { TraceEvent } from '../sim/events.js';
import type { MessageRecord } from '../sim/ledger.js';
import { bySendStep, renderMessageTotals, renderSendLine, undelivered } from './messages.js';

/**
 * A trace's event lines, each followed by the sends of that step that were not simply
 * delivered (dropped, duplicated, in flight at the end), and the message totals last. Without
 * a ledger (a replay that could not derive one) the event lines alone.
 */
export function eventLinesWithSends(events: readonly TraceEvent[], messages: readonly MessageRecord[] | undefined, line: (e: TraceEvent) => string): string[] {
  if (messages === undefined) return events.map(line);
  const list = undelivered(events, messages);
  const sends = bySendStep(list);
  const out: string[] = [];
  for (const e of events) {
    out.push(line(e));
    for (const u of sends.get(e.step) ?? []) out.push(renderSendLine(u));
  }
  if (events.length > 0) out.push('', renderMessageTotals(messages, list));
  return out;
}
