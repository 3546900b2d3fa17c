package main

// The request and response lines of docs/protocol.md (version 1). Unknown fields are
// ignored, as the protocol's versioning rule asks.

import "encoding/json"

const protocolVersion = 1

type request struct {
	Type              string          `json:"type"`
	Protocol          int             `json:"protocol"`
	Instance          int64           `json:"instance"`
	Node              uint64          `json:"node"`
	Cluster           []uint64        `json:"cluster"`
	Timing            *timing         `json:"timing"`
	SnapshotThreshold uint64          `json:"snapshotThreshold"`
	Seed              uint32          `json:"seed"`
	Stored            *stored         `json:"stored"`
	Message           json.RawMessage `json:"message"`
	Command           *command        `json:"command"`
}

type timing struct {
	ElectionTimeoutMinMs uint64 `json:"electionTimeoutMinMs"`
	ElectionTimeoutMaxMs uint64 `json:"electionTimeoutMaxMs"`
	HeartbeatMs          uint64 `json:"heartbeatMs"`
}

type command struct {
	ID    string `json:"id"`
	Key   string `json:"key"`
	Value string `json:"value"`
}

type entry struct {
	Index   uint64   `json:"index"`
	Term    uint64   `json:"term"`
	Command *command `json:"command"`
}

type hardState struct {
	Term     uint64  `json:"term"`
	VotedFor *uint64 `json:"votedFor"`
}

type snapshot struct {
	LastIncludedIndex uint64 `json:"lastIncludedIndex"`
	LastIncludedTerm  uint64 `json:"lastIncludedTerm"`
	// Data is a snapshotState as JSON: etcd's snapshot bytes are exactly this JSON, so it
	// passes through unchanged.
	Data json.RawMessage `json:"data"`
}

type stored struct {
	HardState hardState `json:"hardState"`
	Snapshot  *snapshot `json:"snapshot"`
	Log       []entry   `json:"log"`
}

type write struct {
	HardState    *hardState `json:"hardState,omitempty"`
	Snapshot     *snapshot  `json:"snapshot,omitempty"`
	TruncateFrom uint64     `json:"truncateFrom,omitempty"`
	Append       []entry    `json:"append,omitempty"`
}

type indexTerm struct {
	Index uint64 `json:"index"`
	Term  uint64 `json:"term"`
}

type proposalAccepted struct {
	Accepted bool   `json:"accepted"`
	Index    uint64 `json:"index"`
	Term     uint64 `json:"term"`
}

type proposalDropped struct {
	Accepted   bool    `json:"accepted"`
	LeaderHint *uint64 `json:"leaderHint"`
}

type observation struct {
	Role        string  `json:"role"`
	Term        uint64  `json:"term"`
	VotedFor    *uint64 `json:"votedFor"`
	CommitIndex uint64  `json:"commitIndex"`
	LastApplied uint64  `json:"lastApplied"`
	LeaderID    *uint64 `json:"leaderId"`
}

// output is the response to start, tick, receive, propose and compact.
type output struct {
	Type        string        `json:"type"`
	Messages    []wireMessage `json:"messages"`
	Writes      []write       `json:"writes"`
	Applied     []entry       `json:"applied"`
	Restored    *indexTerm    `json:"restored,omitempty"`
	Timer       *uint64       `json:"timer,omitempty"`
	Proposal    interface{}   `json:"proposal,omitempty"`
	Observation observation   `json:"observation"`
}

type helloResponse struct {
	Type     string `json:"type"`
	Protocol int    `json:"protocol"`
	Name     string `json:"name"`
}

type okResponse struct {
	Type string `json:"type"`
}

// observationResponse answers observe: the observation's fields beside the type.
type observationResponse struct {
	Type string `json:"type"`
	observation
}

type errorResponse struct {
	Type    string `json:"type"`
	Message string `json:"message"`
	Stack   string `json:"stack,omitempty"`
	Panic   bool   `json:"panic,omitempty"`
}
