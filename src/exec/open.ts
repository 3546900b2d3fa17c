import type { NodeFactory } from '../raft/types.js';
import { UsageError } from '../cli/errors.js';
import { Channel, type ExecPipes } from './channel.js';
import { ExecSession, HandshakeError } from './session.js';

/**
 * In a worker: connects to the process the main thread started for it, shakes hands and
 * returns its node factory. A process that cannot be used at all is a usage error (exit 2),
 * not a finding: no run has started.
 */
export function openExec(recorded: string, pipes: ExecPipes, spawn: () => void, beat: () => void): NodeFactory {
  return openSession(recorded, pipes, spawn, beat).factory();
}

export function openSession(recorded: string, pipes: ExecPipes, spawn: () => void, beat: () => void): ExecSession {
  const channel = new Channel(pipes, spawn, beat, pipes.spinMicros ?? 0);
  try {
    return new ExecSession(channel);
  } catch (e) {
    channel.close();
    if (e instanceof HandshakeError) throw new UsageError(`--exec ${recorded}: ${e.message}`);
    throw e;
  }
}
