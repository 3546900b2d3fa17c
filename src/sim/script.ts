import type { NodeId } from '../raft/types.js';
import type { TraceEvent } from './events.js';
import type { CrashLoss } from './storage.js';

/**
 * One decision of a scripted run. A script replaces time-driven scheduling: nodes boot at 0,
 * then only what the script says happens, in its order. A sent message waits in flight until
 * a step delivers, drops or duplicates it; a step names its message by sender, receiver and
 * one-line summary, and takes the oldest such message in flight (the newest, for a duplicate).
 * A step that finds no such message, or a node in the wrong state, does nothing, so any
 * subsequence of a script is still a script: that is what lets one shrink step by step.
 */
export type ScriptStep =
  /** The node's timer fires: a follower or candidate starts an election, a leader heartbeats. */
  | { readonly t: number; readonly do: 'tick'; readonly node: NodeId }
  | { readonly t: number; readonly do: 'deliver'; readonly from: NodeId; readonly to: NodeId; readonly msg: string }
  | { readonly t: number; readonly do: 'duplicate'; readonly from: NodeId; readonly to: NodeId; readonly msg: string }
  /** `note` says why, for the reader: lost, cut or down. */
  | { readonly t: number; readonly do: 'drop'; readonly from: NodeId; readonly to: NodeId; readonly msg: string; readonly note?: string }
  /**
   * `note` says why, for the reader: "after its vote", say. `loss` and `keep` say what becomes
   * of the node's unsynced writes, as a crash fault's do; absent: nothing is lost.
   */
  | { readonly t: number; readonly do: 'crash'; readonly node: NodeId; readonly note?: string; readonly loss?: CrashLoss; readonly keep?: number }
  | { readonly t: number; readonly do: 'restart'; readonly node: NodeId }
  /** A client command `id` (c1, c2, ... or probeN) proposed to the node. */
  | { readonly t: number; readonly do: 'propose'; readonly node: NodeId; readonly id: string };

/** What a scripted run did with its steps, for the minimizer. */
export interface ScriptUse {
  /** Indices of steps that found nothing to do. */
  readonly skipped: readonly number[];
  /** Index of the step during which the run ended with a finding (-1: while booting); null when it ran to the end. */
  readonly stoppedAt: number | null;
}

/** A recorded crash's effect on unsynced writes as a step's choice: the same writes meet the same fate. */
function lossOf(lost: TraceEvent['lost']): { loss?: CrashLoss; keep?: number } {
  if (lost === undefined || lost[1] === lost[0]) return {};
  return lost[1] === 0 ? { loss: 'unsynced' } : { loss: 'torn', keep: lost[1] };
}

/** The command a proposal step names: c1, c2, ... as the timed client numbers them, or a probe. */
export function scriptCommandIndex(id: string): number {
  const m = /^c(\d+)$/.exec(id);
  return m === null ? -1 : Number(m[1]) - 1;
}

/**
 * The script a recorded run amounts to: every timer, delivery, loss, duplicate, crash, restart
 * and proposal as a step. Replaying it against the same implementation repeats the run up to
 * its last step; partitions and heals need no steps, their effect is in the drops.
 */
export function scriptFromEvents(events: readonly TraceEvent[]): ScriptStep[] {
  const steps: ScriptStep[] = [];
  for (const e of events) {
    switch (e.kind) {
      case 'timer':
        steps.push({ t: e.t, do: 'tick', node: e.node });
        break;
      case 'deliver':
      case 'install-snapshot':
      case 'duplicate':
        if (e.from === undefined || e.msg === undefined) break;
        const link = { t: e.t, from: e.from, to: e.node, msg: e.msg };
        steps.push(e.kind === 'duplicate' ? { ...link, do: 'duplicate' } : { ...link, do: 'deliver' });
        break;
      case 'drop':
        if (e.from === undefined || e.msg === undefined) break;
        steps.push({ t: e.t, do: 'drop', from: e.from, to: e.node, msg: e.msg, ...(e.note === undefined ? {} : { note: e.note }) });
        break;
      case 'crash': {
        if (e.node === 0) break;
        // The timed run's restart is a step of its own here; only the reason carries over. An
        // append-triggered crash struck before the sends; here they are in flight already.
        const why = e.note === undefined ? undefined : /\(([^)]*)\)$/.exec(e.note)?.[1]?.replace(/, before sending$/, '');
        steps.push({ t: e.t, do: 'crash', node: e.node, ...(why === undefined ? {} : { note: why }), ...lossOf(e.lost) });
        break;
      }
      case 'restart':
        steps.push({ t: e.t, do: 'restart', node: e.node });
        break;
      case 'propose':
        if (e.note !== undefined) steps.push({ t: e.t, do: 'propose', node: e.node, id: e.note });
        break;
      default:
        break;
    }
  }
  return steps;
}
