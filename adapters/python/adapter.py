#!/usr/bin/env python3
"""The raft-check protocol loop, version 1 (docs/protocol.md), for the Raft node in raft.py.

    raft-check run --exec 'python3 adapters/python/adapter.py'

raft-check starts this process once per worker and hosts every node of every run in it. Each
line on stdin is one request; each gets exactly one line back on stdout, and nothing else may
ever appear there: print() is redirected to stderr below, which raft-check keeps and shows
when the process fails.

What the protocol asks of this loop, and where it is done:
- hello first: answer with the protocol version and a name for reports (handle_hello).
- reset before every run: forget every instance, so that the same requests always get the same
  responses (raft-check re-runs schedules to check; nothing may survive a reset).
- create/destroy: an instance is one boot of one node. A crash is destroy; a restart is a new
  create whose `stored` is what the crashed instance had made durable.
- one output per input: messages, writes, applied entries, the timer and the observation,
  built by the node (raft.py explains each obligation where it is met).
- errors: an exception answers `error` with a one-line message and the traceback, and the
  loop goes on; raft-check reports it as a finding against the implementation.
"""

import json
import sys
import traceback

from raft import RaftNode

PROTOCOL = 1
NAME = 'pyraft 0.1'


class Adapter:
    def __init__(self):
        self.instances = {}

    def handle(self, request):
        kind = request['type']
        if kind == 'hello':
            return {'type': 'hello', 'protocol': PROTOCOL, 'name': NAME}
        if kind == 'reset':
            # This dict is all the state the process keeps; a node keeps nothing global.
            self.instances.clear()
            return {'type': 'ok'}
        if kind == 'create':
            return self.create(request)
        if kind == 'destroy':
            del self.instances[request['instance']]
            return {'type': 'ok'}
        node = self.instance(request)
        if kind == 'observe':
            return dict(type='observation', **node.observe())
        if kind == 'start':
            out = node.start()
        elif kind == 'tick':
            out = node.tick()
        elif kind == 'receive':
            out = node.receive(request['message'])
        elif kind == 'propose':
            out = node.propose(request['command'])
        elif kind == 'compact':
            out = node.compact()
        else:
            raise ValueError('unknown request type %r' % kind)
        return dict(type='output', **out)

    def create(self, r):
        instance = r['instance']
        if instance in self.instances:
            raise ValueError('instance %d already exists' % instance)
        self.instances[instance] = RaftNode(
            node_id=r['node'],
            cluster=r['cluster'],
            timing=r['timing'],
            snapshot_threshold=r['snapshotThreshold'],
            seed=r['seed'],
            stored=r['stored'],
        )
        return {'type': 'ok'}

    def instance(self, r):
        node = self.instances.get(r['instance'])
        if node is None:
            raise ValueError('no instance %r' % r['instance'])
        return node


def error_response(exc):
    """The protocol's `error` answer: a one-line message, and the traceback for the report."""
    detail = str(exc).splitlines()
    message = type(exc).__name__ + (': ' + detail[0] if detail else '')
    return {'type': 'error', 'message': message, 'stack': traceback.format_exc()}


def main():
    protocol_out = sys.stdout
    sys.stdout = sys.stderr  # a stray print() must not become a protocol line
    adapter = Adapter()
    # Python reads a pipe line by line here: each request is answered before the next is read.
    for line in sys.stdin:
        try:
            response = adapter.handle(json.loads(line))
        except Exception as exc:  # any failure is an answer, never a dead process
            response = error_response(exc)
        protocol_out.write(json.dumps(response, separators=(',', ':')) + '\n')
        protocol_out.flush()


if __name__ == '__main__':
    main()
