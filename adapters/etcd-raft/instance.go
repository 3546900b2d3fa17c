package main

// One node instance: an etcd RawNode over a MemoryStorage that mirrors what the driver
// stores. Each input follows etcd's Ready loop (doc.go): persist HardState, Entries and
// Snapshot, then send Messages, then apply CommittedEntries, then Advance; the writes go
// first in the output, so the driver has them durable before any message leaves.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand"

	"go.etcd.io/etcd/raft"
	pb "go.etcd.io/etcd/raft/raftpb"
)

type options struct {
	preVote       bool
	checkQuorum   bool
	forgetVote    bool
	maxSizePerMsg uint64
	maxInflight   int
	logger        raft.Logger
}

// clusterStorage is a MemoryStorage whose configuration is always the fixed cluster: the
// bootstrap etcd recommends (a Storage that already knows its ConfState) without the
// ConfChange entries of RawNode.Bootstrap, so every log starts empty at index 1.
type clusterStorage struct {
	*raft.MemoryStorage
	conf pb.ConfState
}

func (s clusterStorage) InitialState() (pb.HardState, pb.ConfState, error) {
	hs, _, err := s.MemoryStorage.InitialState()
	return hs, s.conf, err
}

type instance struct {
	id        uint64
	rn        *raft.RawNode
	storage   *raft.MemoryStorage
	conf      pb.ConfState
	rand      *rand.Rand
	clock     clock
	phaseMs   uint64
	threshold uint64
	kv        map[string]string
	applied   uint64
	// lastStored is the last log index the driver's storage holds, as our writes left it.
	lastStored uint64
	// written is the term and vote the driver stores: etcd's HardState also carries the
	// commit index, which our storage model does not keep, so only a new term or vote is
	// written.
	writtenTerm, writtenVote uint64
	restoredFrom             *pb.SnapshotMetadata

	out      *output
	proposed []byte
	accepted *proposalAccepted
}

// clock is our timing on etcd's logical clock. One tick is one heartbeat interval
// (HeartbeatTick 1: a leader heartbeats every heartbeatMs). etcd draws each randomized
// election timeout from [ElectionTick, 2*ElectionTick) ticks, a range always a factor of two
// wide, so we fit its top into the timing's maximum: ElectionTick = (M+1)/2 for the M whole
// heartbeats in electionTimeoutMaxMs, and electionTimeoutMinMs is not used. Fitting the bottom
// to the minimum instead lets timeouts reach twice it, past the maximum that the driver sizes
// its liveness windows by. ElectionTick is at least 3: a follower's timer restarts when a
// heartbeat arrives but counts whole ticks, so it campaigns after ElectionTick-1 to
// ElectionTick heartbeat intervals of silence, and 2 would make a heartbeat delayed by a few
// milliseconds start an election. (With fewer than 5 heartbeats in the maximum, the longest
// timeouts exceed it by up to a heartbeat.)
type clock struct {
	tickMs       uint64
	electionTick int
}

func clockFor(t *timing) (clock, error) {
	if t == nil || t.HeartbeatMs == 0 {
		return clock{}, fmt.Errorf("create: timing.heartbeatMs must be at least 1")
	}
	e := int((t.ElectionTimeoutMaxMs/t.HeartbeatMs + 1) / 2)
	if e < 3 {
		e = 3
	}
	return clock{tickMs: t.HeartbeatMs, electionTick: e}, nil
}

func newInstance(req *request, opt *options) (*instance, error) {
	clk, err := clockFor(req.Timing)
	if err != nil {
		return nil, err
	}
	inst := &instance{
		id:      req.Node,
		storage: raft.NewMemoryStorage(),
		conf:    pb.ConfState{Voters: append([]uint64(nil), req.Cluster...)},
		rand:    rand.New(rand.NewSource(int64(req.Seed))),
		clock:   clk,
		// The first tick comes after a random part of a tick, from a generator of its own so
		// that etcd's draws stay one stream: nodes booted together do not tick in lockstep.
		phaseMs:   1 + uint64(rand.New(rand.NewSource(int64(req.Seed)^0x5eed)).Int63n(int64(clk.tickMs))),
		threshold: req.SnapshotThreshold,
		kv:        map[string]string{},
	}
	if req.Stored != nil {
		if err := inst.load(req.Stored, opt); err != nil {
			return nil, err
		}
	}
	raft.RaftCheckSetRand(inst.rand)
	rn, err := raft.NewRawNode(&raft.Config{
		ID:                        req.Node,
		ElectionTick:              clk.electionTick,
		HeartbeatTick:             1,
		Storage:                   clusterStorage{inst.storage, inst.conf},
		Applied:                   inst.applied,
		MaxSizePerMsg:             opt.maxSizePerMsg,
		MaxInflightMsgs:           opt.maxInflight,
		CheckQuorum:               opt.checkQuorum,
		PreVote:                   opt.preVote,
		DisableProposalForwarding: true,
		Logger:                    opt.logger,
	})
	if err != nil {
		return nil, fmt.Errorf("create: %v", err)
	}
	inst.rn = rn
	return inst, nil
}

// load fills the MemoryStorage from what the driver stored. The commit index is not
// stored, so a restarted node knows only its snapshot as committed and relearns the rest.
func (inst *instance) load(st *stored, opt *options) error {
	var commit uint64
	if s := st.Snapshot; s != nil {
		kv, err := decodeState(s.Data)
		if err != nil {
			return fmt.Errorf("create: stored snapshot: %v", err)
		}
		snap := pb.Snapshot{Data: s.Data, Metadata: pb.SnapshotMetadata{Index: s.LastIncludedIndex, Term: s.LastIncludedTerm, ConfState: inst.conf}}
		if err := inst.storage.ApplySnapshot(snap); err != nil {
			return fmt.Errorf("create: stored snapshot: %v", err)
		}
		inst.kv, inst.applied, commit, inst.lastStored = kv, s.LastIncludedIndex, s.LastIncludedIndex, s.LastIncludedIndex
		inst.restoredFrom = &snap.Metadata
	}
	vote := uint64(0)
	if st.HardState.VotedFor != nil {
		vote = *st.HardState.VotedFor
	}
	inst.writtenTerm, inst.writtenVote = st.HardState.Term, vote
	if opt.forgetVote {
		vote = 0 // the forget-vote mutation: a restart loses whom this node voted for
	}
	if err := inst.storage.SetHardState(pb.HardState{Term: st.HardState.Term, Vote: vote, Commit: commit}); err != nil {
		return fmt.Errorf("create: stored hardState: %v", err)
	}
	ents := make([]pb.Entry, len(st.Log))
	for i, e := range st.Log {
		ents[i] = pb.Entry{Index: e.Index, Term: e.Term, Type: pb.EntryNormal, Data: encodeCommand(e.Command)}
	}
	if len(ents) > 0 {
		if err := inst.storage.Append(ents); err != nil {
			return fmt.Errorf("create: stored log: %v", err)
		}
		inst.lastStored = ents[len(ents)-1].Index
	}
	return nil
}

// begin selects this instance's generator (etcd draws election timeouts from one global
// generator) and starts a fresh output.
func (inst *instance) begin() {
	raft.RaftCheckSetRand(inst.rand)
	inst.out = &output{Type: "output", Messages: []wireMessage{}, Writes: []write{}, Applied: []entry{}}
	inst.proposed, inst.accepted = nil, nil
}

func (inst *instance) armTimer(ms uint64) {
	inst.out.Timer = &ms
}

func (inst *instance) start() (*output, error) {
	inst.begin()
	if m := inst.restoredFrom; m != nil {
		inst.out.Restored = &indexTerm{Index: m.Index, Term: m.Term}
	}
	inst.armTimer(inst.phaseMs)
	return inst.finish()
}

func (inst *instance) tick() (*output, error) {
	inst.begin()
	inst.rn.Tick()
	inst.armTimer(inst.clock.tickMs)
	return inst.finish()
}

func (inst *instance) receive(raw json.RawMessage) (*output, error) {
	m, err := decodeMessage(raw)
	if err != nil {
		return nil, err
	}
	if m.To != inst.id {
		return nil, fmt.Errorf("receive: message to %d delivered to node %d", m.To, inst.id)
	}
	inst.begin()
	// Step's errors are etcd's refusals of a message it will not take (a response from a
	// peer it does not know, a local message type): dropping it is what etcd's server does.
	_ = inst.rn.Step(m)
	return inst.finish()
}

func (inst *instance) propose(c *command) (*output, error) {
	if c == nil {
		return nil, fmt.Errorf("propose: command missing")
	}
	inst.begin()
	data := encodeCommand(c)
	if err := inst.rn.Propose(data); err != nil {
		if err != raft.ErrProposalDropped {
			return nil, fmt.Errorf("propose: %v", err)
		}
		inst.out.Proposal = proposalDropped{Accepted: false, LeaderHint: nodeOrNull(inst.rn.BasicStatus().Lead)}
		return inst.finish()
	}
	inst.proposed = data
	out, err := inst.finish()
	if err != nil {
		return nil, err
	}
	if inst.accepted == nil {
		return nil, fmt.Errorf("propose: etcd accepted the proposal but appended no entry with its data")
	}
	out.Proposal = *inst.accepted
	return out, nil
}

func (inst *instance) compact() (*output, error) {
	inst.begin()
	if err := inst.snapshotNow(); err != nil {
		return nil, err
	}
	return inst.finish()
}

// finish runs the Ready loop until etcd has nothing more to hand out.
func (inst *instance) finish() (*output, error) {
	for inst.rn.HasReady() {
		rd := inst.rn.Ready()
		if err := inst.persist(rd); err != nil {
			return nil, err
		}
		var snapsTo []uint64
		for _, m := range rd.Messages {
			w, err := encodeMessage(m)
			if err != nil {
				return nil, err
			}
			inst.out.Messages = append(inst.out.Messages, w)
			if m.Type == pb.MsgSnap {
				snapsTo = append(snapsTo, m.To)
			}
		}
		if err := inst.apply(rd); err != nil {
			return nil, err
		}
		inst.rn.Advance(rd)
		// A transport reports a snapshot once it has sent it (etcd's server does so when its
		// stream finishes); the network here may still lose it, which a later probe repairs.
		for _, to := range snapsTo {
			inst.rn.ReportSnapshot(to, raft.SnapshotFinish)
		}
	}
	if inst.threshold > 0 && inst.applied-inst.snapshotIndex() >= inst.threshold {
		if err := inst.snapshotNow(); err != nil {
			return nil, err
		}
	}
	inst.out.Observation = inst.observe()
	return inst.out, nil
}

func (inst *instance) persist(rd raft.Ready) error {
	var w write
	if hs := rd.HardState; !raft.IsEmptyHardState(hs) {
		if hs.Term != inst.writtenTerm || hs.Vote != inst.writtenVote {
			w.HardState = &hardState{Term: hs.Term, VotedFor: nodeOrNull(hs.Vote)}
			inst.writtenTerm, inst.writtenVote = hs.Term, hs.Vote
		}
		if err := inst.storage.SetHardState(hs); err != nil {
			return err
		}
	}
	if s := rd.Snapshot; !raft.IsEmptySnap(s) {
		kv, err := decodeState(s.Data)
		if err != nil {
			return fmt.Errorf("snapshot from etcd: %v", err)
		}
		if err := inst.storage.ApplySnapshot(s); err != nil {
			return err
		}
		md := s.Metadata
		w.Snapshot = &snapshot{LastIncludedIndex: md.Index, LastIncludedTerm: md.Term, Data: json.RawMessage(s.Data)}
		// MemoryStorage.ApplySnapshot replaces the whole log; the protocol's snapshot keeps
		// later entries unless told otherwise.
		if inst.lastStored > md.Index {
			w.TruncateFrom = md.Index + 1
		}
		inst.lastStored = md.Index
		inst.kv, inst.applied = kv, md.Index
		inst.out.Restored = &indexTerm{Index: md.Index, Term: md.Term}
	}
	if n := len(rd.Entries); n > 0 {
		first := rd.Entries[0].Index
		if first <= inst.lastStored {
			if w.TruncateFrom != 0 && w.TruncateFrom != first {
				inst.addWrite(w)
				w = write{}
			}
			w.TruncateFrom = first
		}
		w.Append = make([]entry, n)
		for i, e := range rd.Entries {
			c, err := decodeCommand(e)
			if err != nil {
				return err
			}
			w.Append[i] = entry{Index: e.Index, Term: e.Term, Command: c}
			if inst.proposed != nil && bytes.Equal(e.Data, inst.proposed) {
				inst.accepted = &proposalAccepted{Accepted: true, Index: e.Index, Term: e.Term}
			}
		}
		if err := inst.storage.Append(rd.Entries); err != nil {
			return err
		}
		inst.lastStored = rd.Entries[n-1].Index
	}
	if w.HardState != nil || w.Snapshot != nil || w.TruncateFrom != 0 || w.Append != nil {
		inst.addWrite(w)
	}
	return nil
}

// addWrite adds w to the output, folded into the previous write when the one write means
// the same to storage: one write per input keeps traces short and asks the least of a driver.
func (inst *instance) addWrite(w write) {
	n := len(inst.out.Writes)
	if n == 0 || !fold(&inst.out.Writes[n-1], w) {
		inst.out.Writes = append(inst.out.Writes, w)
	}
}

// fold merges w into prev if storage would end the same, applying the parts in the
// protocol's order (hardState, snapshot, truncateFrom, append); it reports whether it did.
func fold(prev *write, w write) bool {
	merged := *prev
	switch {
	case w.Snapshot == nil && w.TruncateFrom == 0:
		// An append continues prev's, or prev has no log part after which it would matter.
		if w.Append != nil && prev.Append != nil {
			if prev.Append[len(prev.Append)-1].Index+1 != w.Append[0].Index {
				return false
			}
			merged.Append = append(append([]entry(nil), prev.Append...), w.Append...)
		} else if w.Append != nil {
			merged.Append = w.Append
		}
	case w.Snapshot != nil && w.TruncateFrom == 0 && w.Append == nil && prev.Snapshot == nil:
		// Compacting entries stored before prev: it may go first.
		first := prev.TruncateFrom
		if first == 0 && prev.Append != nil {
			first = prev.Append[0].Index
		}
		if first != 0 && w.Snapshot.LastIncludedIndex >= first {
			return false
		}
		merged.Snapshot = w.Snapshot
	case prev.Snapshot == nil && prev.TruncateFrom == 0 && prev.Append == nil:
		// prev is only a hardState: w's log parts all come after it.
		merged.Snapshot, merged.TruncateFrom, merged.Append = w.Snapshot, w.TruncateFrom, w.Append
	default:
		return false
	}
	if w.HardState != nil {
		merged.HardState = w.HardState
	}
	*prev = merged
	return true
}

func (inst *instance) apply(rd raft.Ready) error {
	for _, e := range rd.CommittedEntries {
		c, err := decodeCommand(e)
		if err != nil {
			return err
		}
		if c != nil {
			inst.kv[c.Key] = c.Value
		}
		inst.out.Applied = append(inst.out.Applied, entry{Index: e.Index, Term: e.Term, Command: c})
		inst.applied = e.Index
	}
	return nil
}

func (inst *instance) snapshotIndex() uint64 {
	first, _ := inst.storage.FirstIndex()
	return first - 1
}

// snapshotNow compacts the log up to the last applied entry, as etcd's server does: the
// snapshot is the state machine's JSON, and later entries stay. When this input already
// wrote entries the snapshot covers, it waits for the next input, so that an output stays
// one write.
func (inst *instance) snapshotNow() error {
	if inst.applied <= inst.snapshotIndex() {
		return nil
	}
	probe := write{Snapshot: &snapshot{LastIncludedIndex: inst.applied}}
	if n := len(inst.out.Writes); n > 0 {
		last := inst.out.Writes[n-1]
		if !fold(&last, probe) {
			return nil
		}
	}
	term, err := inst.storage.Term(inst.applied)
	if err != nil {
		return fmt.Errorf("snapshot at %d: %v", inst.applied, err)
	}
	data, err := json.Marshal(snapshotState{Index: inst.applied, Term: term, KV: inst.kv})
	if err != nil {
		return err
	}
	snap, err := inst.storage.CreateSnapshot(inst.applied, &inst.conf, data)
	if err != nil {
		return fmt.Errorf("snapshot at %d: %v", inst.applied, err)
	}
	if err := inst.storage.Compact(inst.applied); err != nil {
		return fmt.Errorf("compact at %d: %v", inst.applied, err)
	}
	md := snap.Metadata
	inst.addWrite(write{Snapshot: &snapshot{LastIncludedIndex: md.Index, LastIncludedTerm: md.Term, Data: data}})
	if inst.lastStored < md.Index {
		inst.lastStored = md.Index
	}
	return nil
}

func (inst *instance) observe() observation {
	st := inst.rn.BasicStatus()
	return observation{
		Role:        roleName(st.RaftState),
		Term:        st.Term,
		VotedFor:    nodeOrNull(st.Vote),
		CommitIndex: st.Commit,
		LastApplied: inst.applied,
		LeaderID:    nodeOrNull(st.Lead),
	}
}

// roleName: a pre-candidate has not started a term yet (PreVote asks whether it could win
// before it does), so it is still a follower as Raft's roles go.
func roleName(s raft.StateType) string {
	switch s {
	case raft.StateLeader:
		return "leader"
	case raft.StateCandidate:
		return "candidate"
	default:
		return "follower"
	}
}

func nodeOrNull(id uint64) *uint64 {
	if id == 0 {
		return nil
	}
	return &id
}

// encodeCommand is the entry data etcd replicates: the command's JSON, or nothing for a
// no-op (etcd's new leaders append an empty entry).
func encodeCommand(c *command) []byte {
	if c == nil {
		return nil
	}
	b, _ := json.Marshal(c)
	return b
}

func decodeCommand(e pb.Entry) (*command, error) {
	if e.Type != pb.EntryNormal || len(e.Data) == 0 {
		return nil, nil
	}
	var c command
	if err := json.Unmarshal(e.Data, &c); err != nil {
		return nil, fmt.Errorf("entry %d/%d: data is not a command: %v", e.Index, e.Term, err)
	}
	return &c, nil
}

// snapshotState is a snapshot's data: the key-value map, and the entry it stands after. Two
// snapshots with the same map (a leader's no-op entry changes nothing) are still different
// states of the log, and the driver tells snapshots apart by their data.
type snapshotState struct {
	Index uint64            `json:"index"`
	Term  uint64            `json:"term"`
	KV    map[string]string `json:"kv"`
}

func decodeState(data []byte) (map[string]string, error) {
	var st snapshotState
	if err := json.Unmarshal(data, &st); err != nil {
		return nil, fmt.Errorf("snapshot data is not {index, term, kv}: %v", err)
	}
	if st.KV == nil {
		st.KV = map[string]string{}
	}
	return st.KV, nil
}
