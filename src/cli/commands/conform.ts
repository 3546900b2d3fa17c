import type { ConformCheck } from '../../exec/conform.js';
import { EXIT, UsageError, type ExitCode } from '../errors.js';
import { describeSpec, execSpec, importHang } from '../impl.js';
import { runTask, taskShared } from '../pool.js';
import { sanitizeLine } from '../sanitize.js';
import { shellQuote, cliCommand } from '../text.js';

export interface ConformOptions {
  readonly exec?: string;
  readonly hangTimeout: number;
  readonly json: boolean;
}

/**
 * `raft-check conform --exec CMD`: drives an adapter through the protocol (handshake, three
 * short runs with their outputs validated and checked for safety, each run repeated after a
 * reset, an unknown instance) and prints one line per check. Exit 0 when all pass, 1 otherwise.
 */
export async function conformCommand(o: ConformOptions): Promise<ExitCode> {
  if (o.exec === undefined) throw new UsageError("conform needs --exec 'COMMAND ARGS': the adapter to check");
  const spec = execSpec(o.exec);
  const hangTimeoutMs = Math.round(o.hangTimeout * 1000);
  const checks: ConformCheck[] = [];
  const say = (s: string): void => {
    if (!o.json) process.stdout.write(`${s}\n`);
  };
  say(`raft-check conform: ${describeSpec(spec)}`);
  const show = (c: ConformCheck): void => say(`${c.ok ? 'ok  ' : 'FAIL'}  ${sanitizeLine(c.name)}: ${sanitizeLine(c.detail)}`);
  const task = runTask({ kind: 'conform', worker: 0, impl: spec, shared: taskShared() }, hangTimeoutMs, (m) => {
    if (m.type === 'conform-check') {
      checks.push(m.check);
      show(m.check);
    }
    return m.type === 'conform-done' ? true : undefined;
  });
  const end = await task.result;
  if (end.kind === 'hang' && end.phase === 'import') throw importHang(spec, hangTimeoutMs);
  if (end.kind !== 'done') {
    const c = { name: end.kind === 'hang' ? 'implementation-hang' : 'implementation-error', ok: false, detail: end.message };
    checks.push(c);
    show(c);
  }
  const failed = checks.filter((c) => !c.ok).length;
  if (o.json) process.stdout.write(`${JSON.stringify({ ok: failed === 0, exec: o.exec, checks })}\n`);
  else say(failed === 0 ? `ok: the adapter follows the protocol (${checks.length} checks); next: ${cliCommand()} run --exec ${shellQuote(o.exec)}` : `FAILED: ${failed} of ${checks.length} checks (docs/protocol.md says what each request expects)`);
  return failed === 0 ? EXIT.ok : EXIT.violation;
}
