import type { Message, NodeId } from '../raft/types.js';
import { summarize } from './validate-output.js';

/** What became of one copy of a sent message. */
export type Fate =
  | { readonly kind: 'delivered'; readonly at: number }
  /** `why` as the simulator says it: lost (the network's loss), cut (a blocked link), down (the receiver), or a script's note. */
  | { readonly kind: 'dropped'; readonly at: number; readonly why: string }
  | { readonly kind: 'in-flight' };

/** One copy of a message: the original (copy 0) or a duplicate the network made. */
export interface MessageRecord {
  readonly id: number;
  readonly from: NodeId;
  readonly to: NodeId;
  readonly msg: string;
  /** The step of the input that sent it. */
  readonly sent: number;
  readonly copy: number;
  /** For a duplicate: the step of the `duplicate` event that made it. */
  readonly dupAt?: number;
  readonly fate: Fate;
}

interface Open {
  id: number;
  from: NodeId;
  to: NodeId;
  msg: string;
  sent: number;
  copy: number;
  dupAt?: number;
  fate: Fate;
}

/**
 * Every message a recorded run sent, each copy with its fate. Kept beside the trace rather
 * than in it: a trace's events stay what they were (old traces replay byte for byte), and a
 * replay, which re-executes the schedule anyway, derives the ledger again. Messages are told
 * apart by object identity (the network delivers the very object sent), oldest copy first.
 */
export class MessageLedger {
  private readonly all: Open[] = [];
  private readonly pending = new Map<Message, Open[]>();

  get records(): readonly MessageRecord[] {
    return this.all;
  }

  sent(m: Message, step: number): void {
    this.open(m, { id: this.all.length, from: m.from, to: m.to, msg: summarize(m), sent: step, copy: 0, fate: { kind: 'in-flight' } });
  }

  duplicated(m: Message, step: number): void {
    const q = this.pending.get(m);
    const orig = q?.[q.length - 1];
    if (orig === undefined) return;
    const copies = this.all.filter((r) => r.sent === orig.sent && r.from === orig.from && r.to === orig.to && r.msg === orig.msg).length;
    this.open(m, { ...orig, id: this.all.length, copy: copies, dupAt: step, fate: { kind: 'in-flight' } });
  }

  delivered(m: Message, step: number): void {
    this.close(m, { kind: 'delivered', at: step });
  }

  dropped(m: Message, step: number, why: string): void {
    this.close(m, { kind: 'dropped', at: step, why });
  }

  private open(m: Message, r: Open): void {
    this.all.push(r);
    const q = this.pending.get(m);
    if (q === undefined) this.pending.set(m, [r]);
    else q.push(r);
  }

  private close(m: Message, fate: Fate): void {
    const q = this.pending.get(m);
    const r = q?.shift();
    if (r === undefined) return;
    r.fate = fate;
    if (q!.length === 0) this.pending.delete(m);
  }
}
