import type { Message, NodeId } from '../raft/types.js';
import { summarize } from './validate-output.js';

/** A scripted run's messages sent and not yet delivered or dropped, oldest first. */
export class InFlight {
  private readonly list: { readonly msg: Message; readonly summary: string }[] = [];

  add(m: Message): void {
    this.list.push({ msg: m, summary: summarize(m) });
  }

  /** Oldest first; for systematic search, which reads what could be delivered next. */
  entries(): readonly { readonly msg: Message; readonly summary: string }[] {
    return this.list;
  }

  /** Takes the message a step names out of flight; null when there is none. */
  take(from: NodeId, to: NodeId, summary: string): Message | null {
    const i = this.find(from, to, summary, false);
    return i < 0 ? null : this.list.splice(i, 1)[0].msg;
  }

  /** Puts a second copy of the newest such message in flight; null when there is none. */
  duplicate(from: NodeId, to: NodeId, summary: string): Message | null {
    const i = this.find(from, to, summary, true);
    if (i < 0) return null;
    this.list.push(this.list[i]);
    return this.list[i].msg;
  }

  /**
   * The oldest (or newest) message on the link with the summary, else with the same first
   * word (its type, in the simulator's summaries). The fallback keeps a shrunk script on
   * story: once an earlier proposal is deleted, the later AppendEntries carry other indices,
   * yet they are the messages meant. Comparing first words rather than `type` also serves an
   * implementation's own summaries.
   */
  private find(from: NodeId, to: NodeId, summary: string, newest: boolean): number {
    const kind = firstWord(summary);
    let sameKind = -1;
    for (let k = 0; k < this.list.length; k++) {
      const i = newest ? this.list.length - 1 - k : k;
      const f = this.list[i];
      if (f.msg.from !== from || f.msg.to !== to) continue;
      if (f.summary === summary) return i;
      if (sameKind < 0 && firstWord(f.summary) === kind) sameKind = i;
    }
    return sameKind;
  }
}

function firstWord(summary: string): string {
  const space = summary.indexOf(' ');
  return space < 0 ? summary : summary.slice(0, space);
}
