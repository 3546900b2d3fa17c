package main

// etcd's messages on our network: each is carried whole, as etcd's own protobuf bytes, so
// the receiver steps exactly what the sender produced; the JSON around them is what the
// driver routes on and shows in traces.

import (
	"encoding/base64"
	"encoding/json"
	"fmt"

	pb "go.etcd.io/etcd/raft/raftpb"
)

type wireMessage struct {
	Type    string `json:"type"`
	From    uint64 `json:"from"`
	To      uint64 `json:"to"`
	Term    uint64 `json:"term"`
	Summary string `json:"summary"`
	// Raft is the protobuf encoding of etcd's raftpb.Message, base64.
	Raft string `json:"raft"`
}

func encodeMessage(m pb.Message) (wireMessage, error) {
	b, err := m.Marshal()
	if err != nil {
		return wireMessage{}, err
	}
	return wireMessage{
		Type:    m.Type.String(),
		From:    m.From,
		To:      m.To,
		Term:    m.Term,
		Summary: summarize(m),
		Raft:    base64.StdEncoding.EncodeToString(b),
	}, nil
}

func decodeMessage(raw json.RawMessage) (pb.Message, error) {
	var w wireMessage
	if err := json.Unmarshal(raw, &w); err != nil {
		return pb.Message{}, fmt.Errorf("message: %v", err)
	}
	b, err := base64.StdEncoding.DecodeString(w.Raft)
	if err != nil {
		return pb.Message{}, fmt.Errorf("message: field raft is not base64: %v", err)
	}
	var m pb.Message
	if err := m.Unmarshal(b); err != nil {
		return pb.Message{}, fmt.Errorf("message: field raft is not an etcd raftpb.Message: %v", err)
	}
	if m.From != w.From || m.To != w.To {
		return pb.Message{}, fmt.Errorf("message: from/to %d->%d differ from the raft payload's %d->%d", w.From, w.To, m.From, m.To)
	}
	return m, nil
}

// summarize is the one line a trace shows for m: the fields etcd's handlers read.
func summarize(m pb.Message) string {
	t := m.Type.String()
	switch m.Type {
	case pb.MsgApp:
		s := fmt.Sprintf("%s t%d prev %d/%d", t, m.Term, m.Index, m.LogTerm)
		if n := len(m.Entries); n > 0 {
			s += fmt.Sprintf(" entries %d..%d", m.Entries[0].Index, m.Entries[n-1].Index)
		}
		return s + fmt.Sprintf(" commit %d", m.Commit)
	case pb.MsgAppResp:
		if m.Reject {
			return fmt.Sprintf("%s t%d reject %d hint %d", t, m.Term, m.Index, m.RejectHint)
		}
		return fmt.Sprintf("%s t%d index %d", t, m.Term, m.Index)
	case pb.MsgVote, pb.MsgPreVote:
		return fmt.Sprintf("%s t%d last %d/%d", t, m.Term, m.Index, m.LogTerm)
	case pb.MsgVoteResp, pb.MsgPreVoteResp:
		if m.Reject {
			return fmt.Sprintf("%s t%d rejected", t, m.Term)
		}
		return fmt.Sprintf("%s t%d granted", t, m.Term)
	case pb.MsgHeartbeat:
		return fmt.Sprintf("%s t%d commit %d", t, m.Term, m.Commit)
	case pb.MsgSnap:
		md := m.Snapshot.Metadata
		return fmt.Sprintf("%s t%d snapshot %d/%d", t, m.Term, md.Index, md.Term)
	default:
		return fmt.Sprintf("%s t%d", t, m.Term)
	}
}
