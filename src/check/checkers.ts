import type { DurableWrite, NodeId } from '../raft/types.js';
import type { Checker, CrashInfo, Report, StepInfo } from '../sim/observer.js';
import { CommitDurability } from './durability.js';
import { LogMirror } from './log-mirror.js';

/**
 * The safety properties of the paper's Figure 3, by the names findings carry, and
 * commit-durability: the rule behind them that a committed entry is on disk on a majority.
 */
export const SAFETY_INVARIANTS = [
  'election-safety',
  'leader-append-only',
  'log-matching',
  'leader-completeness',
  'state-machine-safety',
  'commit-durability',
] as const;

export type SafetyInvariant = (typeof SAFETY_INVARIANTS)[number];

/** What a trace without a `checks` field was checked against: it predates commit-durability. */
export const FIGURE_3_INVARIANTS: readonly SafetyInvariant[] = SAFETY_INVARIANTS.filter((x) => x !== 'commit-durability');

/**
 * Election Safety: at most one leader per term over the whole history.
 */
export class ElectionSafety {
  private readonly leaderOf = new Map<number, NodeId>();

  check(s: StepInfo): Report | null {
    if (s.after.role !== 'leader') return null;
    const term = s.after.term;
    const other = this.leaderOf.get(term);
    if (other === undefined) {
      this.leaderOf.set(term, s.node);
      return null;
    }
    if (other === s.node) return null;
    return {
      invariant: 'election-safety',
      nodes: [other, s.node],
      terms: [term],
      message: `nodes ${other} and ${s.node} were both leader in term ${term}`,
    };
  }
}

/**
 * Leader Append-Only: a leader never overwrites or deletes entries in its own log. Checked on
 * the write of an input the node started and ended as leader of the same term.
 */
export class LeaderAppendOnly {
  check(s: StepInfo, w: DurableWrite, logs: LogMirror): Report | null {
    const b = s.before;
    if (b === null || b.role !== 'leader' || w.truncateFrom === undefined) return null;
    if (s.after.term !== b.term || w.truncateFrom > logs.lastIndex(s.node)) return null;
    return {
      invariant: 'leader-append-only',
      nodes: [s.node],
      index: w.truncateFrom,
      terms: [b.term],
      message: `leader ${s.node} of term ${b.term} deleted its own entries from index ${w.truncateFrom} on`,
    };
  }
}

/**
 * Log Matching: two logs holding an entry with the same index and term are identical up to it.
 * The mirror compares prefix hashes as each entry is made durable.
 */
export class LogMatching {
  check(node: NodeId, index: number, term: number, hash: number, logs: LogMirror): Report | null {
    const first = logs.firstHolder(index, term);
    if (first === undefined || first.hash === hash) return null;
    const other = first.node;
    const stillHolds = other !== node && logs.termAt(other, index) === term;
    const at = stillHolds ? logs.firstDifference(node, other, index) : undefined;
    const differ = at !== undefined ? `at index ${at}` : `at or before it`;
    return {
      invariant: 'log-matching',
      nodes: other === node ? [node] : [other, node],
      index,
      terms: [term],
      message:
        other === node
          ? `node ${node} held index ${index} from term ${term} twice with different logs up to it (they differ ${differ})`
          : `node ${node} and node ${other} both held index ${index} from term ${term}, but their logs differ ${differ}`,
    };
  }
}

/**
 * Leader Completeness: an entry committed in a term is in the log of every leader of a later
 * term. Commit points are remembered per term as (index, prefix hash); each new leader, and
 * each leader alive when an earlier-term commit lands, must hold the prefix.
 */
export class LeaderCompleteness {
  /** term -> the highest commit point reached in that term. */
  private readonly commits = new Map<number, { index: number; hash: number; node: NodeId }>();
  private readonly seenCommit: number[] = [];

  constructor(private readonly nodes: number) {}

  onCrash(node: NodeId): void {
    this.seenCommit[node] = 0;
  }

  check(s: StepInfo, logs: LogMirror, leaders: readonly (number | null)[]): Report | null {
    const c = s.after.commitIndex;
    if (c > (this.seenCommit[s.node] ?? 0)) {
      this.seenCommit[s.node] = c;
      const hash = logs.hashAt(s.node, c);
      const term = s.after.term;
      const prev = this.commits.get(term);
      if (hash !== undefined && (prev === undefined || prev.index < c)) {
        this.commits.set(term, { index: c, hash, node: s.node });
        for (let id = 1; id <= this.nodes; id++) {
          const lt = leaders[id];
          if (lt !== null && lt !== undefined && lt > term) {
            const r = this.missing(id, lt, term, c, hash, s.node, logs);
            if (r !== null) return r;
          }
        }
      }
    }
    if (s.after.role === 'leader' && (s.before === null || s.before.role !== 'leader' || s.before.term !== s.after.term)) {
      for (const [term, p] of this.commits) {
        if (term >= s.after.term) continue;
        const r = this.missing(s.node, s.after.term, term, p.index, p.hash, p.node, logs);
        if (r !== null) return r;
      }
    }
    return null;
  }

  private missing(leader: NodeId, leaderTerm: number, term: number, index: number, hash: number, committer: NodeId, logs: LogMirror): Report | null {
    if (index < logs.baseIndex(leader)) return null; // inside the leader's snapshot: committed state
    if (!logs.comparable(leader)) return null; // its prefix hashes wait for its snapshot's entry
    if (logs.hashAt(leader, index) === hash) return null;
    const has = logs.lastIndex(leader) >= index;
    return {
      invariant: 'leader-completeness',
      nodes: [leader, committer],
      index,
      terms: [term, leaderTerm],
      message: has
        ? `leader ${leader} of term ${leaderTerm} holds a different entry at index ${index} than the one node ${committer} saw committed in term ${term}`
        : `leader ${leader} of term ${leaderTerm} lacks index ${index}, which node ${committer} saw committed in term ${term}`,
    };
  }
}

/**
 * State Machine Safety: no two nodes apply different commands at one index; state digests
 * agree at every index (snapshots included), and no state machine moves backwards.
 */
export class StateMachineSafety {
  private readonly ids: (string | null)[] = [];
  private readonly digests: number[] = [];
  private readonly by: NodeId[] = [];

  /**
   * A node that knew an index committed must never delete it from its log: a restart would
   * replay a different history. Checked on the write, before the mirror drops the entries.
   */
  checkWrite(s: StepInfo, w: DurableWrite, logs: LogMirror): Report | null {
    const from = w.truncateFrom;
    const committed = s.before?.commitIndex ?? 0;
    if (from === undefined || from > committed || from > logs.lastIndex(s.node)) return null;
    return {
      invariant: 'state-machine-safety',
      nodes: [s.node],
      index: from,
      message: `node ${s.node} deleted its log from index ${from} on, though it knew entries through ${committed} were committed`,
    };
  }

  check(s: StepInfo): Report | null {
    const r = s.restored;
    if (r !== undefined) {
      if (s.before !== null && r.index < s.before.lastApplied) {
        return {
          invariant: 'state-machine-safety',
          nodes: [s.node],
          index: r.index,
          message: `node ${s.node}'s state machine went back from index ${s.before.lastApplied} to ${r.index} (a stale snapshot was installed)`,
        };
      }
      const known = this.digests[r.index];
      if (known !== undefined && known !== r.digest) {
        return {
          invariant: 'state-machine-safety',
          nodes: [this.by[r.index], s.node],
          index: r.index,
          message: `node ${s.node} restored a snapshot at index ${r.index} whose state differs from what node ${this.by[r.index]} applied there`,
        };
      }
      if (known === undefined && r.index > 0) {
        this.digests[r.index] = r.digest;
        this.by[r.index] = s.node;
      }
    }
    for (const a of s.applied) {
      const id = a.command === null ? null : a.command.id;
      const known = this.digests[a.index];
      if (known === undefined) {
        this.digests[a.index] = a.digest;
        this.ids[a.index] = id;
        this.by[a.index] = s.node;
        continue;
      }
      const knownId = this.ids[a.index];
      if (knownId !== undefined && knownId !== id) {
        return {
          invariant: 'state-machine-safety',
          nodes: [this.by[a.index], s.node],
          index: a.index,
          terms: [a.term],
          message: `node ${s.node} applied ${id ?? 'a no-op'} at index ${a.index}, but node ${this.by[a.index]} applied ${knownId ?? 'a no-op'} there`,
        };
      }
      if (known !== a.digest) {
        return {
          invariant: 'state-machine-safety',
          nodes: [this.by[a.index], s.node],
          index: a.index,
          message: `node ${s.node}'s state after index ${a.index} differs from node ${this.by[a.index]}'s (digests ${hex(a.digest)} and ${hex(known)})`,
        };
      }
      if (knownId === undefined) this.ids[a.index] = id;
    }
    return null;
  }
}

function hex(n: number): string {
  return n.toString(16).padStart(8, '0');
}

/**
 * All the safety checkers, run after every node input; each checks only what the input
 * changed. The Figure 3 checkers see the logs as written (what each node believes, one shared
 * mirror); commit-durability sees what is on disk.
 */
export class SafetyChecker implements Checker {
  readonly name = 'safety';
  private readonly logs: LogMirror;
  private readonly election = new ElectionSafety();
  private readonly appendOnly = new LeaderAppendOnly();
  private readonly matching = new LogMatching();
  private readonly completeness: LeaderCompleteness;
  private readonly stateMachine = new StateMachineSafety();
  private readonly durability: CommitDurability;
  /** Per node: its term while it is leader, else null. */
  private readonly leaders: (number | null)[] = [];

  // Which invariants are on, read once: onStep runs after every input.
  private readonly electionOn: boolean;
  private readonly appendOnlyOn: boolean;
  private readonly matchingOn: boolean;
  private readonly completenessOn: boolean;
  private readonly stateMachineOn: boolean;
  private readonly durabilityOn: boolean;
  /** The mirror's per-entry hook: log-matching's check, or nothing. */
  private readonly onEntry: (index: number, term: number, hash: number) => Report | null;
  private node: NodeId = 0;

  constructor(nodes: number, only: ReadonlySet<SafetyInvariant> = new Set(SAFETY_INVARIANTS)) {
    this.electionOn = only.has('election-safety');
    this.appendOnlyOn = only.has('leader-append-only');
    this.matchingOn = only.has('log-matching');
    this.completenessOn = only.has('leader-completeness');
    this.stateMachineOn = only.has('state-machine-safety');
    this.durabilityOn = only.has('commit-durability');
    this.onEntry = this.matchingOn ? (index, term, hash) => this.matching.check(this.node, index, term, hash, this.logs) : () => null;
    this.logs = new LogMirror(nodes);
    this.completeness = new LeaderCompleteness(nodes);
    this.durability = new CommitDurability(nodes);
  }

  onCrash(node: NodeId, info?: CrashInfo): void {
    this.leaders[node] = null;
    this.completeness.onCrash(node);
    if (info === undefined) return; // a history without disks: nothing was lost
    this.durability.onCrash(node, info.stored);
    // What the node had written but lost is no longer in its log: it restarts with the disk.
    if (info.lost) this.logs.reset(node, info.stored);
  }

  onStep(s: StepInfo): Report | null {
    const es = this.electionOn ? this.election.check(s) : null;
    if (es !== null) return es;
    this.node = s.node;
    for (const w of s.writes) {
      const la = this.appendOnlyOn ? this.appendOnly.check(s, w, this.logs) : null;
      if (la !== null) return la;
      const lost = this.stateMachineOn ? this.stateMachine.checkWrite(s, w, this.logs) : null;
      if (lost !== null) return lost;
      const lm = this.logs.apply(s.node, w, this.onEntry);
      if (lm !== null) return lm;
    }
    this.durability.persist(s.node, s.writes);
    this.leaders[s.node] = s.after.role === 'leader' ? s.after.term : null;
    const lc = this.completenessOn ? this.completeness.check(s, this.logs, this.leaders) : null;
    if (lc !== null) return lc;
    const sm = this.stateMachineOn ? this.stateMachine.check(s) : null;
    if (sm !== null) return sm;
    return this.durabilityOn ? this.durability.check(s, this.logs) : null;
  }
}
