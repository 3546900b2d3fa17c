import { LogMirror } from '../../check/log-mirror.js';
import type { NodeId } from '../../raft/types.js';
import type { Checker, CrashInfo, Report, StepInfo } from '../../sim/observer.js';

/**
 * What the safety checkers remember of the past, as a fingerprint. Two runs that reach the
 * same cluster state can still differ in what the checkers will report next: a leader of term
 * 2 long gone still makes a second one a violation, an entry written and truncated still
 * fixes the prefix its (index, term) must have. State caching that ignored this would merge
 * states the checkers tell apart, so the cache key holds it too.
 *
 * Each part is a set or a maximum, never a "who was first", so steps that commute leave the
 * same history (partial-order reduction relies on it): as long as no violation was reported,
 * every holder of an (index, term) had the same prefix, every node applying an index applied
 * the same state, and each term had at most one leader.
 */
export class History implements Checker {
  readonly name = 'history';
  private readonly logs: LogMirror;
  /** (index, term, prefix hash) of every entry any node ever wrote: log matching's memory. */
  private readonly written = new Set<string>();
  /** (term, node) of every leader: election safety's memory. */
  private readonly leaders = new Set<string>();
  /** Per term, the highest commit point seen (index and prefix hash): leader completeness's memory. */
  private readonly commits = new Map<number, { index: number; hash: number }>();
  /** Per node, the commit index it reached since its last boot. */
  private readonly seenCommit: number[] = [];
  /** Per index, the digest applied (or restored) there: state machine safety's memory. */
  private readonly applied: string[] = [];
  /** The highest term any node reached: what the search's term bound limits. */
  maxTerm = 0;

  constructor(private readonly nodes: number) {
    this.logs = new LogMirror(nodes);
  }

  onStep(s: StepInfo): Report | null {
    for (const w of s.writes) {
      this.logs.apply(s.node, w, (index, term, hash) => {
        this.written.add(`${index}/${term}/${hash}`);
        return null;
      });
    }
    if (s.after.term > this.maxTerm) this.maxTerm = s.after.term;
    if (s.after.role === 'leader') this.leaders.add(`${s.after.term}:${s.node}`);
    const c = s.after.commitIndex;
    if (c > (this.seenCommit[s.node] ?? 0)) {
      this.seenCommit[s.node] = c;
      const hash = this.logs.hashAt(s.node, c);
      const prev = this.commits.get(s.after.term);
      if (hash !== undefined && (prev === undefined || prev.index < c)) this.commits.set(s.after.term, { index: c, hash });
    }
    if (s.restored !== undefined && this.applied[s.restored.index] === undefined) this.applied[s.restored.index] = String(s.restored.digest);
    for (const a of s.applied) if (this.applied[a.index] === undefined) this.applied[a.index] = `${a.digest}`;
    return null;
  }

  onCrash(node: NodeId, info?: CrashInfo): void {
    this.seenCommit[node] = 0;
    if (info !== undefined && info.lost) this.logs.reset(node, info.stored);
  }

  fingerprint(): string {
    const commits = [...this.commits].sort((a, b) => a[0] - b[0]).map(([t, p]) => `${t}:${p.index}/${p.hash}`);
    // Each log as the checkers saw it written, which is what they compare the next write with.
    const mirror: string[] = [];
    for (let id = 1; id <= this.nodes; id++) {
      const last = this.logs.lastIndex(id);
      mirror.push(`${this.seenCommit[id] ?? 0}/${last}/${this.logs.hashAt(id, last) ?? '-'}`);
    }
    return [[...this.written].sort().join(' '), [...this.leaders].sort().join(' '), commits.join(' '), this.applied.join(','), mirror.join(','), this.maxTerm].join('|');
  }
}
