/**
 * The web UI path of a signed approval, in real Chromium: `respond approve --print-signal` prints
 * the Signal input, a person pastes it into the UI's Send a Signal form, and the run moves on;
 * the same form with an unsigned input is listed as ignored.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../helpers/chromium.js';
import { sandboxCodecContext } from '../helpers/web-ui.js';
import { pendingFor, statusOf } from '../helpers/runs.js';
import { Sandbox } from '../helpers/sandbox.js';

describe('a signed approval through the Temporal web UI', () => {
  let s: Sandbox;
  let chromium: Browser;
  /** Signed in to the codec server: summaries, details and inputs are encrypted. */
  let browser: BrowserContext;
  beforeAll(async () => {
    s = await Sandbox.create();
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'alice', '-f', join(s.dir, 'alice')]);
    writeFileSync(join(s.dir, 'allowed_signers'), `alice ${readFileSync(join(s.dir, 'alice.pub'), 'utf8')}`);
    s.env.RESPOND_ALLOWED_SIGNERS = join(s.dir, 'allowed_signers');
    expect((await s.cli(['list'])).code).toBe(0);
    chromium = await launchChromium();
    browser = await sandboxCodecContext(chromium, s);
  });
  afterAll(async () => {
    await chromium?.close();
    await s?.stop();
  });

  /** Workflow page → More Actions → Send a Signal → approve, with `input` pasted as the JSON data. */
  async function sendSignalInUi(ui: string, input: string): Promise<void> {
    const page = await browser.newPage();
    await page.goto(ui);
    await page.locator('button:visible', { hasText: 'More Actions' }).first().click({ timeout: 30_000 });
    await page.locator('[role=menuitem]:visible', { hasText: 'Send a Signal' }).first().click();
    const dialog = page.locator('dialog[open][data-testid=signal-confirmation-modal]');
    await dialog.locator('[data-testid=signal-select-button]:visible').first().click();
    await dialog.locator('[role=option]:visible', { hasText: /^\s*approve\s*$/ }).first().click();
    await dialog.locator('[role=textbox][aria-label=Data]:visible').first().click();
    await page.keyboard.insertText(input);
    // In UI 2.54.1 a pointer click on Submit did not send the signal here; Enter on the focused button does.
    await dialog.locator('[data-testid=confirm-modal-button]:visible').first().focus();
    const sent = page.waitForResponse((r) => r.url().includes('/signal/approve') && r.status() === 200);
    await page.keyboard.press('Enter');
    await sent;
    await page.close();
  }

  it('--print-signal input pasted into Send a Signal approves; an unsigned one is ignored', async () => {
    const runbook = join(s.dir, 'ui-signed.yaml');
    writeFileSync(runbook, 'name: ui-signed\napprovers: [alice]\nsignedApprovals: true\nsteps:\n  - id: gate\n    kind: approval\n    message: go\n');
    const started = await s.cli(['start', runbook, '--incident', 'UI-S1', '--json']);
    expect(started.code, started.stderr).toBe(0);
    const { id, ui } = JSON.parse(started.stdout) as { id: string; ui: string };
    const c = await s.client();
    const pending = await pendingFor(s, c, id, 'gate');

    await sendSignalInUi(ui, JSON.stringify({ step: 'gate', hash: pending.hash, approver: 'alice' }));
    await s.waitFor('ignored signal', async () => ((await statusOf(c, id)).ignoredSignals.length === 1 ? true : undefined));
    expect((await statusOf(c, id)).ignoredSignals[0]!.reason).toContain('step gate needs a signed approval');

    const printed = await s.cli(['approve', id, '--hash', pending.hash, '--as', 'alice', '--sign', join(s.dir, 'alice'), '--print-signal']);
    expect(printed.code, printed.stderr).toBe(0);
    await sendSignalInUi(ui, printed.stdout.trim());
    await c.workflow.getHandle(id).result();
    const status = await s.cli(['status', id]);
    expect(status.stdout).toMatch(/gate approved by alice \(signed SHA256:[A-Za-z0-9+/]{43}\)/);
  });
});
