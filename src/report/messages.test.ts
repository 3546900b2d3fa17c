/**
 * Message fates on replay: every copy sent has exactly the fate the trace's own events show
 * (each deliver, drop and duplicate line is one copy's), the simulator's "cut" is told apart
 * as a partition or a one-way cut, and the recording itself is unchanged by the ledger.
 */
import { describe, expect, it } from 'vitest';
import { runChecked } from '../check/run.js';
import { coreFactory } from '../raft/index.js';
import { PROFILES, scheduleFromSeed } from '../sim/schedule.js';
import { messagesJson, renderMessageTotals, undelivered } from './messages.js';
import { eventLinesWithSends } from './text.js';

const schedule = scheduleFromSeed(1, { nodes: 5, profile: PROFILES.chaos });
const RUN = runChecked(coreFactory(null), schedule, { record: true });
const EVENTS = RUN.events!;
const RECORDS = RUN.messages!;

describe('the ledger of a timed chaos run (seed 1, 5 nodes)', () => {
  it('gives every deliver, drop and duplicate line of the trace to exactly one copy', () => {
    for (const e of EVENTS) {
      const at = (kind: string) => RECORDS.filter((r) => r.fate.kind === kind && 'at' in r.fate && r.fate.at === e.step);
      if (e.kind === 'deliver' || e.kind === 'install-snapshot') expect(at('delivered').map((r) => [r.from, r.to, r.msg])).toEqual([[e.from, e.node, e.msg]]);
      else if (e.kind === 'drop') expect(at('dropped').map((r) => [r.from, r.to, r.msg])).toEqual([[e.from, e.node, e.msg]]);
      else {
        expect(at('delivered')).toEqual([]);
        expect(at('dropped')).toEqual([]);
      }
      if (e.kind === 'duplicate') expect(RECORDS.filter((r) => r.dupAt === e.step)).toHaveLength(1);
    }
    expect(RECORDS.filter((r) => r.copy === 0)).toHaveLength(RUN.stats.sent);
    expect(RECORDS.filter((r) => r.fate.kind === 'delivered')).toHaveLength(RUN.stats.delivered);
  });

  it('names every reason the issue lists', () => {
    const reasons = new Set(undelivered(EVENTS, RECORDS).map((u) => `${u.kind}:${u.reason ?? '-'}`));
    for (const r of ['dropped:loss', 'dropped:partition', 'dropped:cut', 'dropped:receiver down', 'duplicated:-']) expect(reasons).toContain(r);
    const cut = undelivered(EVENTS, RECORDS).find((u) => u.reason === 'cut')!;
    expect(cut.fault!.note).toMatch(/^one-way \d -> \d$/);
    expect(cut.text).toMatch(/^(a duplicate made at #\d+; )?dropped at #\d+ \(cut one-way \d -> \d from #\d+\)$/);
  });

  it('recording the ledger leaves the run as it was', () => {
    const quiet = runChecked(coreFactory(null), schedule);
    expect(quiet.stats).toEqual(RUN.stats);
    expect(quiet.messages).toBeUndefined();
  });
});

describe('renderings', () => {
  it('text: each undelivered send under the line of the step that sent it, totals last', () => {
    const lines = eventLinesWithSends(EVENTS, RECORDS, (e) => `#${e.step} ${e.kind}`);
    const lost = undelivered(EVENTS, RECORDS).find((u) => u.reason === 'loss')!;
    const i = lines.indexOf(`#${lost.record.sent} ${EVENTS[lost.record.sent].kind}`);
    expect(lines.slice(i + 1).find((l) => !l.startsWith('        -> '))).toBeDefined();
    expect(lines.slice(i + 1, i + 1 + 20)).toContain(`        -> n${lost.record.to} ${lost.record.msg}: ${lost.text}`);
    expect(lines[lines.length - 1]).toBe(renderMessageTotals(RECORDS, undelivered(EVENTS, RECORDS)));
    expect(lines[lines.length - 1]).toMatch(/^messages: \d+ sent, \d+ delivered, \d+ dropped \(.*\d+ loss.*\), \d+ duplicated, \d+ in flight at the end$/);
  });

  it('json: totals agree with the records', () => {
    const j = messagesJson(EVENTS, RECORDS) as { sent: number; delivered: number; undelivered: unknown[] };
    expect(j.sent).toBe(RUN.stats.sent);
    expect(j.delivered).toBe(RUN.stats.delivered);
    expect(j.undelivered.length).toBe(undelivered(EVENTS, RECORDS).length);
  });

  it('without a ledger the event lines stand alone', () => {
    expect(eventLinesWithSends(EVENTS.slice(0, 3), undefined, (e) => String(e.step))).toEqual(['0', '1', '2']);
  });
});

describe('directed scenarios', () => {
  it('keep a ledger too, so their replays show undelivered messages', async () => {
    const { runScenario } = await import('../scenario/runner.js');
    const r = runScenario('re-election', { factory: coreFactory(null), seed: 1, implementation: { name: 'core', bug: null, module: null } });
    const list = undelivered(r.trace!.events, r.messages!);
    expect(r.messages!.length).toBeGreaterThan(0);
    // The scenario cuts the leader off: what it sent meanwhile is dropped at the partition.
    expect(list.some((u) => u.reason === 'partition' && u.fault !== null && /^disconnect \d$/.test(u.fault.note))).toBe(true);
  });
});
