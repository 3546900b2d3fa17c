import { runChecked } from '../check/run.js';
import { checkDeterminism } from '../explore/determinism.js';
import { PROFILES, scheduleFromSeed, type Schedule } from '../sim/schedule.js';
import type { ExecSession } from './session.js';

/** One line of `raft-check conform`'s report. */
export interface ConformCheck {
  readonly name: string;
  readonly ok: boolean;
  /** What was seen (ok) or what is wrong, in one line. */
  readonly detail: string;
}

/**
 * The schedules conform drives an adapter through, from easy to hard: a calm cluster (start,
 * elect, replicate, commit, apply), then crashes with restarts from stored state and a
 * snapshot threshold (stored state, snapshots, InstallSnapshot).
 */
export const CONFORM_SCHEDULES: readonly { readonly name: string; readonly schedule: Schedule }[] = [
  { name: 'calm cluster', schedule: scheduleFromSeed(1, { nodes: 3, profile: PROFILES.none, durationMs: 2000, livenessWindowMs: 3000, snapshotThreshold: 0 }) },
  { name: 'crashes, restarts and snapshots', schedule: scheduleFromSeed(2, { nodes: 3, profile: PROFILES.crashes, durationMs: 4000, livenessWindowMs: 3000, snapshotThreshold: 4 }) },
  { name: 'lossy network, five nodes', schedule: scheduleFromSeed(3, { nodes: 5, profile: PROFILES.lossy, durationMs: 3000, livenessWindowMs: 3000, snapshotThreshold: 6 }) },
];

/**
 * Checks an adapter against docs/protocol.md before it is used to check Raft. Each check says
 * what it saw; `onCheck` hears each as it ends (a hang stops the list where it was).
 */
export function conform(session: ExecSession, onCheck: (c: ConformCheck) => void): void {
  const factory = session.factory();
  onCheck({ name: 'hello', ok: true, detail: `protocol 1, name "${session.name}"${session.fingerprints ? ', answers fingerprint' : ''}` });

  for (const { name, schedule } of CONFORM_SCHEDULES) {
    const run = runChecked(factory, schedule, { record: true });
    const f = run.finding;
    if (f !== null) {
      onCheck({ name, ok: false, detail: `${f.invariant}: ${f.message}` });
      continue;
    }
    const { events, proposals, faults } = run.stats;
    if (!run.stats.committedProbe) {
      onCheck({ name, ok: false, detail: `no leader committed the probe after the faults healed (${events} events): does a leader replicate and advance its commit index?` });
      continue;
    }
    onCheck({ name, ok: true, detail: `${events} events, ${proposals} proposals, ${faults} faults; outputs well-formed, no safety violation, probe committed` });
    const again = checkDeterminism(factory, schedule, run);
    onCheck(
      again === null
        ? { name: `${name}: same requests, same answers (after a reset)`, ok: true, detail: 'every response repeated' }
        : { name: `${name}: same requests, same answers (after a reset)`, ok: false, detail: again.finding?.message ?? 'the second run differed' },
    );
  }

  onCheck(unknownInstance(session));
}

/** A request for an instance that does not exist must be answered with an error line. */
function unknownInstance(session: ExecSession): ConformCheck {
  const name = 'unknown instance answered with error';
  try {
    session.call('observe', { instance: 2_000_000_000 }, 0, 2_000_000_000);
    return { name, ok: false, detail: 'observe of an instance never created was answered without error' };
  } catch (e) {
    const text = (e as Error).message;
    if (text.startsWith('answered error') || text.startsWith('panicked')) return { name, ok: true, detail: text.replace(/ \[.*$/, '') };
    return { name, ok: false, detail: text };
  }
}
