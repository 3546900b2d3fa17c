import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The tmux end-to-end check, opt-in because it takes several seconds of real terminal time:
 * `RAFT_CHECK_E2E=1 npx vitest run src/ui/e2e`. Skipped without tmux.
 */
const hasTmux = spawnSync('tmux', ['-V']).status === 0;
const wanted = process.env.RAFT_CHECK_E2E === '1';

describe.runIf(wanted && hasTmux)('viewer in tmux at 80x24', () => {
  it('starts, moves on Right, lands on the violation on v, shows help on ?, quits on q', () => {
    const script = fileURLToPath(new URL('./tmux-check.sh', import.meta.url));
    const out = execFileSync('bash', [script], { encoding: 'utf8', timeout: 120_000 });
    expect(out).toContain('tmux-check: ok');
  });
});
