"""A small Raft node: Figure 2 of the Raft paper, with log compaction and InstallSnapshot
(section 7), written as a step function for raft-check.

The node does no I/O. Each input (start, tick, receive, propose, compact) returns an output
dict that says what to persist (`writes`), send (`messages`) and apply (`applied`), and when
to wake it again (`timer`). The protocol loop in adapter.py turns requests into these calls.

To check your own Raft, keep adapter.py and replace this class with one that wraps your
implementation and returns the same kind of output (see README.md).
"""

import random

FOLLOWER, CANDIDATE, LEADER = 'follower', 'candidate', 'leader'

# Most entries one AppendEntries carries.
MAX_BATCH = 64


class Log:
    """The entries after the snapshot. Index `base` is the snapshot's last included index (0
    without a snapshot), so entries[i] has index base + 1 + i."""

    def __init__(self, base, base_term, entries):
        self.base = base
        self.base_term = base_term
        self.entries = [e for e in entries if e['index'] > base]

    @property
    def last_index(self):
        return self.base + len(self.entries)

    @property
    def last_term(self):
        return self.entries[-1]['term'] if self.entries else self.base_term

    def term_at(self, index):
        """The term at `index`, or None when it is past the end or compacted away."""
        if index == self.base:
            return self.base_term
        if index < self.base or index > self.last_index:
            return None
        return self.entries[index - self.base - 1]['term']

    def entry(self, index):
        return self.entries[index - self.base - 1]

    def slice(self, first, last):
        """Entries first..last (inclusive), clamped to what the log holds."""
        lo = max(first, self.base + 1) - self.base - 1
        hi = min(last, self.last_index) - self.base
        return self.entries[lo:hi] if lo < hi else []

    def first_index_of_term(self, term, index):
        """The first index of the run of `term` that holds `index` (the section 5.3 hint)."""
        while index - 1 > self.base and self.term_at(index - 1) == term:
            index -= 1
        return index

    def last_index_of_term(self, term):
        """The last index holding `term`, or 0 when the log has none."""
        for i in range(self.last_index, self.base, -1):
            t = self.term_at(i)
            if t == term:
                return i
            if t < term:
                return 0
        return self.base if self.base > 0 and self.base_term == term else 0

    def append(self, entry):
        self.entries.append(entry)

    def truncate_from(self, index):
        del self.entries[index - self.base - 1:]

    def compact(self, base, base_term, keep_suffix):
        """Drop everything up to `base`; keep the entries after it only when `keep_suffix`."""
        self.entries = self.slice(base + 1, self.last_index) if keep_suffix else []
        self.base = base
        self.base_term = base_term


class RaftNode:
    def __init__(self, node_id, cluster, timing, snapshot_threshold, seed, stored):
        self.id = node_id
        self.peers = [p for p in cluster if p != node_id]
        self.quorum = len(cluster) // 2 + 1
        self.election_min = timing['electionTimeoutMinMs']
        self.election_max = timing['electionTimeoutMaxMs']
        self.heartbeat = timing['heartbeatMs']
        self.snapshot_threshold = snapshot_threshold
        # The node's only randomness, seeded by the driver: a random number drawn from
        # anything else (the default generator, the clock) makes runs unrepeatable.
        self.rng = random.Random(seed)

        # Persistent state (Figure 2). Every change goes into the write of the output of the
        # input that made it (see _flush): the driver's storage is the only disk there is.
        self.term = 0
        self.voted_for = None
        self.snapshot = None  # {lastIncludedIndex, lastIncludedTerm, data}, kept for InstallSnapshot
        entries = []
        if stored is not None:
            self.term = stored['hardState']['term']
            self.voted_for = stored['hardState']['votedFor']
            self.snapshot = stored['snapshot']
            entries = stored['log']
        base, base_term = self._snapshot_point(self.snapshot)
        self.log = Log(base, base_term, entries)

        # Volatile state. Invariant: last_applied <= commit_index <= log.last_index.
        self.role = FOLLOWER
        self.leader_id = None
        self.commit_index = 0
        self.last_applied = 0
        self.kv = {}  # the replicated state machine: a key-value map
        self.votes = set()  # candidate: who granted its vote this term, itself included
        # Leader only, per peer. `inflight` is the last index of an AppendEntries not yet
        # acknowledged: new proposals wait for that ack, so each entry crosses to each peer
        # about once instead of once per proposal.
        self.next_index = {}
        self.match_index = {}
        self.inflight = {}

        self._new_output()

    # ---- inputs --------------------------------------------------------------------------

    def start(self):
        # A restart from a stored snapshot: the state machine comes back from it, and the
        # driver is told through `restored`. Entries after it are not known to be committed.
        if self.snapshot is not None:
            self._restore(self.snapshot)
        self._reset_election_timer()
        return self._flush()

    def tick(self):
        # Timers are one-shot: every branch here asks for the next tick.
        if self.role == LEADER:
            self._broadcast_append()
            self.out['timer'] = self.heartbeat
        else:
            self._campaign()
        return self._flush()

    def receive(self, m):
        self._step(m)
        return self._flush()

    def propose(self, command):
        if self.role != LEADER:
            self.out['proposal'] = {'accepted': False, 'leaderHint': self.leader_id}
            return self._flush()
        entry = {'index': self.log.last_index + 1, 'term': self.term, 'command': command}
        self._append(entry)
        self.out['proposal'] = {'accepted': True, 'index': entry['index'], 'term': entry['term']}
        for p in self.peers:
            if self.inflight[p] == 0:
                self._send_append(p)
        self._advance_commit()  # a cluster of one commits at once
        return self._flush()

    def compact(self):
        if self.last_applied > self.log.base:
            self._take_snapshot()
        return self._flush()

    def observe(self):
        return {
            'role': self.role,
            'term': self.term,
            'votedFor': self.voted_for,
            'commitIndex': self.commit_index,
            'lastApplied': self.last_applied,
            'leaderId': self.leader_id,
        }

    # ---- messages ------------------------------------------------------------------------

    def _step(self, m):
        # Figure 2, all servers: a higher term makes us a follower of it; a lower one is stale.
        if m['term'] > self.term:
            from_leader = m['type'] in ('AppendEntries', 'InstallSnapshot')
            self._become_follower(m['term'], m['from'] if from_leader else None)
        elif m['term'] < self.term:
            self._reject_stale(m)
            return
        handler = self.HANDLERS.get(m['type'])
        if handler is None:
            raise ValueError('unknown message type %r' % m['type'])
        handler(self, m)

    def _reject_stale(self, m):
        """A request from an old term gets our term back so that its sender steps down;
        a stale reply is dropped."""
        if m['type'] == 'RequestVote':
            self._send_vote_reply(m['from'], False)
        elif m['type'] == 'AppendEntries':
            self._send_append_reply(m['from'], False, 0, 0, 0)
        elif m['type'] == 'InstallSnapshot':
            self._send_snapshot_reply(m['from'], 0)

    def _on_request_vote(self, m):
        free = self.voted_for is None or self.voted_for == m['from']
        # Section 5.4.1: vote only for a candidate whose log is at least as up to date.
        up_to_date = (m['lastLogTerm'], m['lastLogIndex']) >= (self.log.last_term, self.log.last_index)
        granted = free and up_to_date
        if granted:
            self.voted_for = m['from']
            self._hard_state_changed()
            self._reset_election_timer()
        self._send_vote_reply(m['from'], granted)

    def _on_vote_reply(self, m):
        if self.role != CANDIDATE or not m['granted']:
            return
        self.votes.add(m['from'])
        if len(self.votes) >= self.quorum:
            self._become_leader()

    def _on_append_entries(self, m):
        self._follow(m['from'])
        prev = m['prevLogIndex']
        entries = m['entries']
        if prev < self.log.base:
            # Entries up to our snapshot are committed, so they match the leader's: skip them.
            entries = [e for e in entries if e['index'] > self.log.base]
            prev = self.log.base
        elif prev > self.log.last_index:
            self._send_append_reply(m['from'], False, 0, 0, self.log.last_index + 1)
            return
        elif self.log.term_at(prev) != m['prevLogTerm']:
            # Section 5.3's hint: skip the whole conflicting term in one round trip.
            term = self.log.term_at(prev)
            self._send_append_reply(m['from'], False, 0, term, self.log.first_index_of_term(term, prev))
            return
        for e in entries:
            if e['index'] <= self.log.last_index:
                if self.log.term_at(e['index']) == e['term']:
                    continue  # already there: a duplicate or late message must not truncate
                self._truncate(e['index'])  # a conflict: this entry and all after it go
            self._append(e)
        last_new = entries[-1]['index'] if entries else prev
        if m['leaderCommit'] > self.commit_index:
            self._commit(max(self.commit_index, min(m['leaderCommit'], last_new)))
        self._send_append_reply(m['from'], True, last_new, 0, 0)

    def _on_append_reply(self, m):
        if self.role != LEADER:
            return
        p = m['from']
        if m['success']:
            self._acknowledged(p, m['matchIndex'])
            return
        # Back nextIndex up with the hint, never below what the peer is known to hold. A
        # reply that would not move it is a late duplicate: the next heartbeat retries anyway.
        hint = m['conflictIndex']
        if m['conflictTerm'] > 0:
            last = self.log.last_index_of_term(m['conflictTerm'])
            if last > 0:
                hint = last + 1
        nxt = max(self.match_index[p] + 1, min(hint, self.next_index[p] - 1))
        if nxt < self.next_index[p]:
            self.next_index[p] = nxt
            self._send_append(p)

    def _on_install_snapshot(self, m):
        self._follow(m['from'])
        s = m['snapshot']
        index, term = self._snapshot_point(s)
        # Only a snapshot past what we know is committed may replace state: a late or
        # duplicated one must never move this node backwards.
        if index > self.commit_index and index > self.log.base:
            # Section 7: keep the entries after the snapshot if our log agrees with it there;
            # otherwise the whole log goes.
            keep = self.log.term_at(index) == term
            self.log.compact(index, term, keep)
            self.snapshot = s
            self._store_snapshot(s, keep)
            self._restore(s)
        self._send_snapshot_reply(m['from'], index)

    def _on_snapshot_reply(self, m):
        if self.role == LEADER:
            self._acknowledged(m['from'], m['matchIndex'])

    def _acknowledged(self, p, match):
        """Peer p holds our log up to `match`. Replies may come late, twice or out of order,
        so what is known only ever grows."""
        self.match_index[p] = max(self.match_index[p], match)
        self.next_index[p] = max(self.next_index[p], self.match_index[p] + 1)
        if self.match_index[p] >= self.inflight[p]:
            self.inflight[p] = 0
        self._advance_commit()
        if self.inflight[p] == 0 and self.next_index[p] <= self.log.last_index:
            self._send_append(p)

    HANDLERS = {
        'RequestVote': _on_request_vote,
        'RequestVoteReply': _on_vote_reply,
        'AppendEntries': _on_append_entries,
        'AppendEntriesReply': _on_append_reply,
        'InstallSnapshot': _on_install_snapshot,
        'InstallSnapshotReply': _on_snapshot_reply,
    }

    # ---- roles ---------------------------------------------------------------------------

    def _become_follower(self, term, leader):
        if self.role == LEADER:
            # Our pending timer is a heartbeat; an election timeout must replace it, or we
            # would campaign again at once.
            self._reset_election_timer()
        if term != self.term:
            self.term = term
            self.voted_for = None
            self._hard_state_changed()
        self.role = FOLLOWER
        self.leader_id = leader

    def _follow(self, leader):
        """An AppendEntries or InstallSnapshot of our own term comes from its one leader."""
        if self.role != FOLLOWER:
            self._become_follower(self.term, leader)
        self.leader_id = leader
        self._reset_election_timer()

    def _campaign(self):
        self.term += 1
        self.role = CANDIDATE
        self.leader_id = None
        self.voted_for = self.id
        self._hard_state_changed()
        self.votes = {self.id}
        self._reset_election_timer()  # a split vote times out and tries again
        if len(self.votes) >= self.quorum:
            self._become_leader()
            return
        for p in self.peers:
            self._send(p, 'RequestVote', lastLogIndex=self.log.last_index, lastLogTerm=self.log.last_term)

    def _become_leader(self):
        self.role = LEADER
        self.leader_id = self.id
        for p in self.peers:
            self.next_index[p] = self.log.last_index + 1
            self.match_index[p] = 0
            self.inflight[p] = 0
        self._broadcast_append()
        self.out['timer'] = self.heartbeat
        self._advance_commit()

    # ---- replication and commitment ------------------------------------------------------

    def _broadcast_append(self):
        """A heartbeat: it also resends whatever a peer has not acknowledged yet."""
        for p in self.peers:
            self._send_append(p)

    def _send_append(self, p):
        nxt = self.next_index[p]
        if nxt - 1 < self.log.base:
            # The entries the peer needs are compacted away: send the snapshot instead.
            self._send(p, 'InstallSnapshot', snapshot=self.snapshot)
            self.inflight[p] = self.log.base
            return
        entries = self.log.slice(nxt, nxt + MAX_BATCH - 1)
        self._send(p, 'AppendEntries', prevLogIndex=nxt - 1, prevLogTerm=self.log.term_at(nxt - 1),
                   entries=entries, leaderCommit=self.commit_index)
        if entries:
            self.inflight[p] = entries[-1]['index']

    def _advance_commit(self):
        """Commit the highest index a majority holds, but only one of the current term: the
        paper's Figure 8 shows why an older term's entry must not be committed by counting."""
        for n in range(self.log.last_index, self.commit_index, -1):
            term = self.log.term_at(n)
            if term < self.term:
                return
            if term == self.term and 1 + sum(1 for p in self.peers if self.match_index[p] >= n) >= self.quorum:
                self._commit(n)
                return

    def _commit(self, index):
        self.commit_index = index
        while self.last_applied < self.commit_index:
            e = self.log.entry(self.last_applied + 1)
            if e['command'] is not None:
                self.kv[e['command']['key']] = e['command']['value']
            self.last_applied = e['index']
            self.out['applied'].append(e)
        if self.snapshot_threshold > 0 and self.last_applied - self.log.base >= self.snapshot_threshold:
            self._take_snapshot()

    # ---- snapshots -----------------------------------------------------------------------

    def _take_snapshot(self):
        """Snapshot what is applied (never more: an unapplied entry may not be committed)."""
        index = self.last_applied
        term = self.log.term_at(index)
        # The map as sorted pairs, so equal states give equal snapshots byte for byte, and the
        # point of the log it stands for: the same map can be the state at two indexes (a
        # command applied twice), and raft-check tells snapshots apart by their data.
        data = {'index': index, 'term': term, 'kv': sorted(self.kv.items())}
        s = {'lastIncludedIndex': index, 'lastIncludedTerm': term, 'data': data}
        self.log.compact(index, term, True)
        self.snapshot = s
        self._store_snapshot(s, True)

    def _restore(self, s):
        self.kv = dict(s['data']['kv'])
        index, term = self._snapshot_point(s)
        self.commit_index = max(self.commit_index, index)
        self.last_applied = index
        self.out['restored'] = {'index': index, 'term': term}

    @staticmethod
    def _snapshot_point(s):
        return (0, 0) if s is None else (s['lastIncludedIndex'], s['lastIncludedTerm'])

    # ---- output --------------------------------------------------------------------------

    def _new_output(self):
        self.out = {'messages': [], 'applied': []}
        # This input's changes to storage, sent as one write. The driver applies a write's
        # parts in the order hardState, snapshot, truncateFrom, append; the helpers below keep
        # them consistent with that order, whatever order the node made the changes in.
        self.hard_state_dirty = False
        self.new_snapshot = None
        self.truncate_from = None
        self.new_entries = []

    def _hard_state_changed(self):
        self.hard_state_dirty = True

    def _append(self, entry):
        self.log.append(entry)
        self.new_entries.append(entry)

    def _truncate(self, index):
        self.log.truncate_from(index)
        self.new_entries = [e for e in self.new_entries if e['index'] < index]
        if self.truncate_from is None or index < self.truncate_from:
            self.truncate_from = index

    def _store_snapshot(self, s, keep_suffix):
        """Storage drops the entries up to the snapshot when it stores it, and keeps the rest
        unless told to truncate them. Since the snapshot is applied before the truncation and
        the appends, entries it covers are not appended, and a truncation it covers moves to
        just after it (it must not reach into the snapshot)."""
        index = s['lastIncludedIndex']
        self.new_snapshot = s
        self.new_entries = [e for e in self.new_entries if e['index'] > index]
        if not keep_suffix or (self.truncate_from is not None and self.truncate_from <= index):
            self.truncate_from = index + 1

    def _reset_election_timer(self):
        self.out['timer'] = self.rng.randint(self.election_min, self.election_max)

    def _send(self, to, kind, **fields):
        m = {'type': kind, 'from': self.id, 'to': to, 'term': self.term}
        m.update(fields)
        m['summary'] = summarize(m)
        self.out['messages'].append(m)

    def _send_vote_reply(self, to, granted):
        self._send(to, 'RequestVoteReply', granted=granted)

    def _send_append_reply(self, to, success, match_index, conflict_term, conflict_index):
        self._send(to, 'AppendEntriesReply', success=success, matchIndex=match_index,
                   conflictTerm=conflict_term, conflictIndex=conflict_index)

    def _send_snapshot_reply(self, to, match_index):
        self._send(to, 'InstallSnapshotReply', matchIndex=match_index)

    def _flush(self):
        """The output of this input, with its one write. The driver makes the write durable
        before it sends any of the messages, as Figure 2 requires ("update stable storage
        before responding to RPCs"), so a reply never promises more than the disk holds."""
        out = self.out
        write = {}
        if self.hard_state_dirty:
            write['hardState'] = {'term': self.term, 'votedFor': self.voted_for}
        if self.new_snapshot is not None:
            write['snapshot'] = self.new_snapshot
        if self.truncate_from is not None:
            write['truncateFrom'] = self.truncate_from
        if self.new_entries:
            write['append'] = self.new_entries
        out['writes'] = [write] if write else []
        out['observation'] = self.observe()
        self._new_output()
        return out


def summarize(m):
    """One line for raft-check's traces (optional in the protocol), in the format raft-check
    uses for its own core's messages, so traces read the same with either."""
    kind, term = m['type'], m['term']
    if kind == 'RequestVote':
        return 'RequestVote t%d last=%d/t%d' % (term, m['lastLogIndex'], m['lastLogTerm'])
    if kind == 'RequestVoteReply':
        return 'RequestVoteReply t%d %s' % (term, 'granted' if m['granted'] else 'refused')
    if kind == 'AppendEntries':
        e = m['entries']
        span = '[%d..%d]' % (e[0]['index'], e[-1]['index']) if e else 'heartbeat'
        return 'AppendEntries t%d prev=%d/t%d %s commit=%d' % (term, m['prevLogIndex'], m['prevLogTerm'], span, m['leaderCommit'])
    if kind == 'AppendEntriesReply':
        if m['success']:
            return 'AppendEntriesReply t%d ok match=%d' % (term, m['matchIndex'])
        return 'AppendEntriesReply t%d reject hint=%d/t%d' % (term, m['conflictIndex'], m['conflictTerm'])
    if kind == 'InstallSnapshot':
        s = m['snapshot']
        return 'InstallSnapshot t%d through %d/t%d' % (term, s['lastIncludedIndex'], s['lastIncludedTerm'])
    return 'InstallSnapshotReply t%d match=%d' % (term, m['matchIndex'])
