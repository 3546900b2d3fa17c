/**
 * The HTML report in a real browser: Debian's Chromium, headless, driven by playwright-core
 * (never a downloaded browser). The page loads with no console errors and no request
 * leaving the file, the lanes and the violation are drawn, the slider moves the cursor and
 * the logs, and a screenshot is written. Without /usr/bin/chromium the test is skipped, and
 * says so (`.ci/run` installs it).
 */
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { renderEventLine } from '../cli/text.js';
import { coreFactory } from '../raft/index.js';
import { readTrace } from '../trace/io.js';
import { replayTrace } from '../trace/replay.js';
import { traceHtml } from './index.js';

// RAFT_CHECK_CHROMIUM points elsewhere (or nowhere, to see the skip).
const CHROMIUM = process.env.RAFT_CHECK_CHROMIUM ?? '/usr/bin/chromium';
const HAVE = existsSync(CHROMIUM);
const tmp = mkdtempSync(join(tmpdir(), 'raft-check-html-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

if (!HAVE) console.warn(`html report browser test skipped: ${CHROMIUM} is missing (apt-get install chromium)`);

describe('the HTML report in headless Chromium', () => {
  (HAVE ? it : it.skip)('loads cleanly, draws lanes and the violation, moves with the slider, and screenshots', async () => {
    const { chromium } = await import('playwright-core');
    const trace = readTrace('traces/bug-commit-previous-term.json');
    const page0 = traceHtml('traces/bug-commit-previous-term.json', trace, replayTrace(trace, coreFactory('commit-previous-term')), renderEventLine);
    const file = join(tmp, 'report.html');
    writeFileSync(file, page0);
    const context = await chromium.launchPersistentContext(join(tmp, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: { width: 1400, height: 900 },
    });
    try {
      const page = await context.newPage();
      const errors: string[] = [];
      const requests: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      page.on('pageerror', (e) => errors.push(String(e)));
      page.on('request', (r) => {
        if (!r.url().startsWith('file://')) requests.push(r.url());
      });
      await page.goto(`file://${file}`);
      await page.waitForSelector('body[data-ready="true"]', { timeout: 10_000 });

      expect(await page.locator('#lanes .lane').count()).toBe(5);
      expect(await page.locator('#violation').textContent()).toContain('leader-completeness (safety) at step 39');
      expect(await page.locator('rect.violation-row').count()).toBe(1);
      expect(await page.locator('rect.cause').count()).toBe(7);
      expect(await page.locator('line.msg').count()).toBeGreaterThan(20);
      expect(await page.locator('line.msg.fate-2').count()).toBeGreaterThan(0);
      // It opens on the violation.
      expect(await page.locator('#step-label').textContent()).toMatch(/^step 39 of 39/);

      const cursorY = () => page.locator('#cursor').getAttribute('y');
      const before = await cursorY();
      await page.locator('#slider').fill('31');
      expect(await page.locator('#step-label').textContent()).toMatch(/^step 31 of 39/);
      expect(await cursorY()).not.toBe(before);
      expect(await page.locator('#logs-body tr').first().textContent()).toMatch(/n1 follower t4 c0/);
      expect(await page.locator('#why li.on').textContent()).toMatch(/^#31 Node 3 \(leader of term 4\)/);
      await page.locator('#slider').focus();
      await page.keyboard.press('ArrowLeft');
      expect(await page.locator('#step-label').textContent()).toMatch(/^step 30 of 39/);
      await page.locator('#why li').first().click();
      expect(await page.locator('#step-label').textContent()).toMatch(/^step 15 of 39/);

      const shot = join(tmp, 'report.png');
      await page.screenshot({ path: shot });
      expect(statSync(shot).size).toBeGreaterThan(10_000);
      expect(errors).toEqual([]);
      expect(requests).toEqual([]);
    } finally {
      await context.close();
    }
  });

  // Only when the browser is missing: a skipped test whose name says why, beside the warning.
  if (!HAVE) it.skip(`skipped: ${CHROMIUM} is not installed, so the HTML report was not checked in a browser (apt-get install chromium)`, () => {});
});
