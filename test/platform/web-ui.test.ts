/**
 * The Temporal web UI, in real Chromium, shows what an approver needs: the run's summary, its
 * current details with the hash to approve, and the search attributes; and an approval sent
 * as a Signal (what the UI's "Send a Signal" does) moves the run on. No secret on any page.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tokenPath } from '../../lib/codec/token.js';
import { approveSignal } from '../../workflows/definitions.js';
import { launchChromium } from '../helpers/chromium.js';
import { pendingFor } from '../helpers/runs.js';
import { ROOT, Sandbox } from '../helpers/sandbox.js';
import { codecContext, sandboxUrls, visibleText } from '../helpers/web-ui.js';

const TOKEN = `ocgw_${randomBytes(24).toString('hex')}`;

describe('progress in the Temporal web UI', () => {
  let s: Sandbox;
  let browser: BrowserContext;
  let chromium: Awaited<ReturnType<typeof launchChromium>>;
  beforeAll(async () => {
    s = await Sandbox.create({ RESPOND_TEST_TOKEN: TOKEN });
    chromium = await launchChromium();
    // Summaries, details and inputs are encrypted: the operator signs in to the codec server once.
    expect((await s.cli(['list'])).code).toBe(0);
    const tokenFile = tokenPath(s.config.stateDir);
    await s.waitFor('codec server token', () => existsSync(tokenFile) || undefined);
    browser = await codecContext(chromium, sandboxUrls(s.env), readFileSync(tokenFile, 'utf8').trim());
  });
  afterAll(async () => {
    await chromium?.close();
    await s?.stop();
  });

  it('shows summary, current details with the approval hash, and filters by search attribute', async () => {
    const out = join(s.dir, 'ui.out');
    const started = await s.cli(['start', join(ROOT, 'test', 'runbooks', 'approvals.yaml'), '--incident', 'UI-1', '--set', `out=${out}`, '--json']);
    expect(started.code, started.stderr).toBe(0);
    const { id, ui } = JSON.parse(started.stdout) as { id: string; ui: string };
    expect(ui).toBe(`http://127.0.0.1:${s.env.RESPOND_UI_PORT}/namespaces/default/workflows/${id}`);
    const c = await s.client();
    const pending = await pendingFor(s, c, id, 'gate-update');

    const page = await browser.newPage();
    const openMetadata = async () => {
      await page.goto(ui);
      await page.getByText('User Metadata', { exact: true }).first().click({ timeout: 30_000 });
    };
    await openMetadata();
    await visibleText(page, pending.hash);
    await visibleText(page, 'approvals-test · incident UI-1');
    await visibleText(page, `respond approve ${id} --step gate-update --hash ${pending.hash}`);
    const workflowPage = await page.content();
    await page.screenshot({ path: join(s.dir, 'workflow.png'), fullPage: true });

    const query = encodeURIComponent(`RespondIncident="UI-1"`);
    const list = await browser.newPage();
    await list.goto(`http://127.0.0.1:${s.env.RESPOND_UI_PORT}/namespaces/default/workflows?query=${query}`);
    await visibleText(list, 'RespondIncident = "UI-1"');
    await visibleText(list, `RUNNING ${id}`);
    const listPage = await list.content();

    await c.workflow.getHandle(id).signal(approveSignal, { step: 'gate-update', hash: pending.hash, approver: 'alice' });
    await pendingFor(s, c, id, 'two-person');
    await openMetadata();
    const second = await pendingFor(s, c, id, 'two-person');
    await visibleText(page, second.hash);
    const afterSignal = await page.content();

    for (const html of [workflowPage, listPage, afterSignal]) expect(html).not.toContain(TOKEN);
    await s.cli(['reject', id, '--reason', 'ui test over', '--as', 'bob']);
  });

  it("filters by host and shows a host's workflow with its own steps, parked for the wave approval", async () => {
    const started = await s.cli(['start', join(ROOT, 'test', 'runbooks', 'host-ui.yaml'), '--incident', 'UI-2', '--set', `dir=${s.dir}`, '--json']);
    expect(started.code, started.stderr).toBe(0);
    const { id } = JSON.parse(started.stdout) as { id: string };
    const c = await s.client();
    const pending = await pendingFor(s, c, id, 'look');
    const base = `http://127.0.0.1:${s.env.RESPOND_UI_PORT}/namespaces/default/workflows`;

    const list = await browser.newPage();
    await list.goto(`${base}?query=${encodeURIComponent(`RespondHost="local" AND RespondIncident="UI-2"`)}`);
    await visibleText(list, `RUNNING ${id}/local`);

    const child = await browser.newPage();
    await child.goto(`${base}/${encodeURIComponent(`${id}/local`)}`);
    await child.getByText('User Metadata', { exact: true }).first().click({ timeout: 30_000 });
    // The UI typesets the apostrophe; match around it.
    await visibleText(child, 'Waiting for the wave');
    await visibleText(child, 's approval of look');
    await visibleText(child, `approve the run ${id}`);

    const parent = await browser.newPage();
    await parent.goto(`${base}/${id}`);
    await parent.getByText('User Metadata', { exact: true }).first().click({ timeout: 30_000 });
    await visibleText(parent, pending.hash);
    await visibleText(parent, '1 parked');
    for (const html of [await list.content(), await child.content(), await parent.content()]) expect(html).not.toContain(TOKEN);
    await s.cli(['reject', id, '--reason', 'ui test over', '--as', 'bob']);
  });
});
