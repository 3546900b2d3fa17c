import type { TraceEvent } from '../sim/events.js';

/** What an event fed the node, as a phrase: `AppendEntries t1 prev=0/t0 [1..1] commit=0 from node 1`, `a timer`, `a client request c5`. */
export function inputOf(e: TraceEvent): string {
  switch (e.kind) {
    case 'deliver':
    case 'install-snapshot':
      return `${e.msg ?? 'a message'} from node ${e.from ?? '?'}`;
    case 'timer':
      return 'its timer';
    case 'propose':
      return `a client request${e.note === undefined ? '' : ` ${e.note}`}`;
    case 'start':
      return 'its start';
    case 'restart':
      return 'its restart';
    default:
      return e.kind;
  }
}

/** The term a message summary names (`AppendEntries t1 ...`), if it names one. */
export function termOfSummary(msg: string | undefined): number | undefined {
  const m = msg === undefined ? null : /^\S+ t(\d+)\b/.exec(msg);
  return m === null ? undefined : Number(m[1]);
}

/** The previous index and term an AppendEntries summary of our core's shape names. */
export function prevOfSummary(msg: string | undefined): readonly [number, number] | undefined {
  const m = msg === undefined ? null : /\bprev=(\d+)\/t(\d+)\b/.exec(msg);
  return m === null ? undefined : [Number(m[1]), Number(m[2])];
}
