import type { Message, NodeId } from '../raft/types.js';
import { describeMessage } from './describe.js';

/** A scripted run's messages sent and not yet delivered or dropped, oldest first. */
export class InFlight {
  private readonly list: { readonly msg: Message; readonly summary: string }[] = [];

  add(m: Message): void {
    this.list.push({ msg: m, summary: describeMessage(m) });
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
   * The oldest (or newest) message on the link with the summary, else with its type. The
   * fallback keeps a shrunk script on story: once an earlier proposal is deleted, the later
   * AppendEntries carry other indices, yet they are the messages meant.
   */
  private find(from: NodeId, to: NodeId, summary: string, newest: boolean): number {
    const space = summary.indexOf(' ');
    const type = space < 0 ? summary : summary.slice(0, space);
    let sameType = -1;
    for (let k = 0; k < this.list.length; k++) {
      const i = newest ? this.list.length - 1 - k : k;
      const f = this.list[i];
      if (f.msg.from !== from || f.msg.to !== to) continue;
      if (f.summary === summary) return i;
      if (sameType < 0 && f.msg.type === type) sameType = i;
    }
    return sameType;
  }
}
