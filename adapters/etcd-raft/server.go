package main

// The request dispatcher: every request gets exactly one response, and a panic inside etcd
// (it panics on broken invariants) becomes an `error` with `panic: true` instead of a dead
// process.

import (
	"encoding/json"
	"fmt"
	"runtime/debug"
	"strings"
)

type server struct {
	opt       *options
	name      string
	instances map[int64]*instance
}

func (s *server) handle(line []byte) (resp interface{}) {
	var req request
	defer func() {
		if p := recover(); p != nil {
			// The instance's state is whatever etcd left mid-step: it is gone.
			delete(s.instances, req.Instance)
			resp = errorResponse{Type: "error", Message: "panic: " + oneLine(fmt.Sprint(p)), Stack: string(debug.Stack()), Panic: true}
		}
	}()
	if err := json.Unmarshal(line, &req); err != nil {
		return failure(fmt.Errorf("request is not JSON: %v", err))
	}
	switch req.Type {
	case "hello":
		return helloResponse{Type: "hello", Protocol: protocolVersion, Name: s.name}
	case "reset":
		s.instances = map[int64]*instance{}
		return okResponse{Type: "ok"}
	case "create":
		if _, dup := s.instances[req.Instance]; dup {
			return failure(fmt.Errorf("create: instance %d exists", req.Instance))
		}
		inst, err := newInstance(&req, s.opt)
		if err != nil {
			return failure(err)
		}
		s.instances[req.Instance] = inst
		return okResponse{Type: "ok"}
	}
	if !instanceRequests[req.Type] {
		return failure(fmt.Errorf("unknown request type %q", req.Type))
	}
	inst, ok := s.instances[req.Instance]
	if !ok {
		return failure(fmt.Errorf("%s: no instance %d", req.Type, req.Instance))
	}
	var out *output
	var err error
	switch req.Type {
	case "start":
		out, err = inst.start()
	case "tick":
		out, err = inst.tick()
	case "receive":
		out, err = inst.receive(req.Message)
	case "propose":
		out, err = inst.propose(req.Command)
	case "compact":
		out, err = inst.compact()
	case "observe":
		return observationResponse{Type: "observation", observation: inst.observe()}
	default: // destroy
		delete(s.instances, req.Instance)
		return okResponse{Type: "ok"}
	}
	if err != nil {
		return failure(err)
	}
	return out
}

var instanceRequests = map[string]bool{"start": true, "tick": true, "receive": true, "propose": true, "compact": true, "observe": true, "destroy": true}

func failure(err error) errorResponse {
	return errorResponse{Type: "error", Message: oneLine(err.Error())}
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
