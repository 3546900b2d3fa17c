// Command raft-check-etcd serves etcd's raft library (go.etcd.io/etcd/raft, RawNode) over
// raft-check's node protocol (docs/protocol.md): one process hosts every node instance of a
// run, one request line in, one response line out. Build it with `npm run adapters`; the
// build seeds etcd's election-timeout generator per instance and compiles in the mutations
// that -mutation switches on (adapters/etcd-raft/patches.ts).
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"go.etcd.io/etcd/raft"
)

// etcdVersion is set by the build from the installed etcd source.
var etcdVersion = "unknown"

// mutations are deliberate bugs, each a small patch of etcd's source (or, for forget-vote,
// of this adapter's restart), off unless named.
var mutations = map[string]string{
	"commit-old-term":   "a leader commits an entry of an earlier term by counting replicas (no term check in raftLog.maybeCommit)",
	"vote-any-log":      "votes are granted without the up-to-date log check (raft.Step, MsgVote)",
	"forget-vote":       "a restarted node forgets whom it voted for (the adapter drops HardState.Vote)",
	"commit-beyond-new": "a follower commits past the last entry the leader's MsgApp vouched for (raftLog.maybeAppend)",
}

func main() {
	preVote := flag.Bool("pre-vote", false, "etcd Config.PreVote")
	checkQuorum := flag.Bool("check-quorum", false, "etcd Config.CheckQuorum")
	mutation := flag.String("mutation", "", "comma-separated mutations to switch on: "+strings.Join(mutationNames(), ", "))
	maxSize := flag.Uint64("max-size-per-msg", 0, "etcd Config.MaxSizePerMsg in bytes (0: one entry per MsgApp, etcd's default)")
	maxInflight := flag.Int("max-inflight", 256, "etcd Config.MaxInflightMsgs")
	verbose := flag.Bool("verbose", false, "etcd's log lines on stderr")
	flag.Usage = func() {
		fmt.Fprintf(os.Stderr, "usage: raft-check-etcd [flags]\nServes etcd raft %s over raft-check's node protocol on stdin/stdout.\n", etcdVersion)
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() > 0 {
		fatal(fmt.Sprintf("unexpected argument %q", flag.Arg(0)))
	}
	logger := newLogger(*verbose)
	raft.SetLogger(logger)
	opt := &options{preVote: *preVote, checkQuorum: *checkQuorum, maxSizePerMsg: *maxSize, maxInflight: *maxInflight, logger: logger}
	on, err := switchOn(*mutation, opt)
	if err != nil {
		fatal(err.Error())
	}
	s := &server{opt: opt, name: name(opt, on), instances: map[int64]*instance{}}
	if err := serve(s, os.Stdin, os.Stdout); err != nil {
		fatal(err.Error())
	}
}

func fatal(msg string) {
	fmt.Fprintln(os.Stderr, "raft-check-etcd: "+msg)
	os.Exit(2)
}

func mutationNames() []string {
	names := make([]string, 0, len(mutations))
	for n := range mutations {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func switchOn(list string, opt *options) ([]string, error) {
	var on []string
	for _, m := range strings.Split(list, ",") {
		m = strings.TrimSpace(m)
		if m == "" {
			continue
		}
		switch m {
		case "commit-old-term":
			raft.RaftCheckMutations.CommitOldTerm = true
		case "vote-any-log":
			raft.RaftCheckMutations.VoteAnyLog = true
		case "forget-vote":
			opt.forgetVote = true
		case "commit-beyond-new":
			raft.RaftCheckMutations.CommitBeyondNew = true
		default:
			return nil, fmt.Errorf("unknown mutation %q (known: %s)", m, strings.Join(mutationNames(), ", "))
		}
		on = append(on, m)
	}
	return on, nil
}

// name is what traces record as the implementation: the library, its version and every
// option that changes its behaviour.
func name(opt *options, on []string) string {
	parts := []string{}
	if opt.preVote {
		parts = append(parts, "pre-vote")
	}
	if opt.checkQuorum {
		parts = append(parts, "check-quorum")
	}
	if opt.maxSizePerMsg != 0 {
		parts = append(parts, fmt.Sprintf("max-size-per-msg %d", opt.maxSizePerMsg))
	}
	if opt.maxInflight != 256 {
		parts = append(parts, fmt.Sprintf("max-inflight %d", opt.maxInflight))
	}
	for _, m := range on {
		parts = append(parts, "mutation "+m)
	}
	n := "etcd raft " + etcdVersion
	if len(parts) > 0 {
		n += " (" + strings.Join(parts, ", ") + ")"
	}
	return n
}

func serve(s *server, in io.Reader, out io.Writer) error {
	r := bufio.NewReaderSize(in, 1<<16)
	w := bufio.NewWriterSize(out, 1<<16)
	for {
		line, err := r.ReadBytes('\n')
		if len(line) > 0 {
			resp, merr := json.Marshal(s.handle(line))
			if merr != nil {
				resp, _ = json.Marshal(errorResponse{Type: "error", Message: "encoding the response: " + merr.Error()})
			}
			w.Write(resp)
			w.WriteByte('\n')
			if ferr := w.Flush(); ferr != nil {
				return ferr
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}
