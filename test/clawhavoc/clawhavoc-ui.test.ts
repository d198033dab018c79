/**
 * An approver who has only the Temporal web UI: in real Chromium, find the running clawhavoc run
 * by its search attributes, read its progress and the pending approval's hash from its current
 * details, and approve through the UI's own "Send a Signal" form. The run must move on, and no
 * page may show the gateway's token.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { RunbookStatus, StepStatus } from '../../workflows/definitions.js';
import { createFixtureHost, NEWER, type FixtureHost } from '../fixtures/openclaw.js';
import { launchChromium } from '../helpers/chromium.js';
import { ROOT, Sandbox } from '../helpers/sandbox.js';
import { frameTexts, sandboxCodecContext, visibleText } from '../helpers/web-ui.js';

vi.setConfig({ testTimeout: 600_000, hookTimeout: 600_000 });

/** Kept after the run (test-artifacts/ is ignored by git), for a person to look at. */
const SCREENSHOT = join(ROOT, 'test-artifacts', 'clawhavoc-ui-signal.png');
const INCIDENT = 'UI-HAVOC';
const ID = `respond-clawhavoc-${INCIDENT}`;
const UI_WAIT = 30_000;

let s: Sandbox;
let fx: FixtureHost;
let chromium: Browser;
/** Signed in to the codec server: summaries, details and inputs are encrypted. */
let browser: BrowserContext;
let since: string;

beforeAll(async () => {
  since = new Date().toISOString();
  // Already on the fixed release, so the first gate is not an upgrade.
  fx = await createFixtureHost({ name: 'ui-havoc', version: NEWER });
  // Open DMs and an allow-all entry give contain edits to make, so contain is the first gate.
  const cfgPath = join(fx.stateDir, 'openclaw.json');
  const cfg = JSON.parse(readFileSync(cfgPath, 'utf8')) as Record<string, unknown>;
  cfg.channels = { telegram: { enabled: false, dmPolicy: 'open', allowFrom: ['*'] } };
  writeFileSync(cfgPath, JSON.stringify(cfg, null, 2) + '\n', { mode: 0o600 });
  s = await Sandbox.create();
  expect((await s.cli(['list'])).code).toBe(0);
  chromium = await launchChromium();
  browser = await sandboxCodecContext(chromium, s);
});

afterAll(async () => {
  await chromium?.close();
  await Promise.allSettled([s?.stop(), fx?.destroy()]);
});

/** `respond status --json`; its exit code is the run's outcome (a rejected run exits non-zero). */
async function status(): Promise<{ status: RunbookStatus; execution: string }> {
  const r = await s.cli(['status', ID, '--json']);
  expect(r.stdout.trimStart().startsWith('{'), r.stderr).toBe(true);
  return JSON.parse(r.stdout) as { status: RunbookStatus; execution: string };
}

async function hostSteps(): Promise<StepStatus[]> {
  const r = await s.cli(['status', ID, '--host', fx.spec.name, '--json']);
  expect(r.code, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as { host: { steps: StepStatus[] } }).host.steps;
}

/** Waits (a whole clawhavoc section on a loaded machine) until the run waits for approval of `step`. */
function pendingOf(step: string) {
  return s.waitFor(`approval of ${step}`, async () => {
    const p = (await status()).status.pending;
    return p?.step === step ? p : undefined;
  }, 300_000);
}

/** Everything a page holds, its frames' documents included, for the secret scan. */
async function everything(page: Page): Promise<string> {
  const docs = await Promise.all(page.frames().map((f) => f.content().catch(() => '')));
  return [...docs, ...(await frameTexts(page))].join('\n');
}

async function openCurrentDetails(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.getByText('User Metadata', { exact: true }).first().click({ timeout: UI_WAIT });
}

/**
 * The Signal name field: the UI offers the workflow's own signals (from its
 * __temporal_workflow_metadata query) in a dropdown with a "Custom" entry; older UIs, or a
 * workflow that does not answer the query, give a plain text field.
 */
async function chooseSignal(dialog: Locator, name: string): Promise<void> {
  const dropdown = dialog.getByTestId('signal-select-button');
  const plain = dialog.getByRole('textbox', { name: /Signal name/ });
  await dropdown.or(plain).first().waitFor({ timeout: UI_WAIT });
  if (await dropdown.isVisible()) {
    await dropdown.click();
    const offered = dialog.getByRole('option', { name, exact: true });
    const custom = dialog.getByRole('option', { name: /^Custom/ });
    await offered.or(custom).first().waitFor({ timeout: UI_WAIT });
    if (await offered.isVisible()) {
      await offered.click();
      return;
    }
    await custom.click();
  }
  await plain.fill(name, { timeout: UI_WAIT });
}

describe('clawhavoc in the Temporal web UI', () => {
  it('finds the run by its search attributes, reads the approval from the page and approves it with the Send a Signal form', async () => {
    const inventory = join(s.dir, 'inventory.yaml');
    writeFileSync(inventory, JSON.stringify({ version: 1, hosts: [fx.spec] }, null, 2));
    const tokenFile = join(s.dir, 'tokens', `${fx.spec.name}.token`);
    const started = await s.cli(['start', 'clawhavoc', '--inventory', inventory, '--incident', INCIDENT, '--set', `version=${NEWER}`, '--set', `since=${since}`, '--set', `tokenFile=${tokenFile}`, '--json']);
    expect(started.code, started.stderr).toBe(0);
    const { id, ui } = JSON.parse(started.stdout) as { id: string; ui: string };
    expect(id).toBe(ID);
    const contain = await pendingOf('contain');
    const pages: string[] = [];
    const base = `http://127.0.0.1:${s.env.RESPOND_UI_PORT}/namespaces/default/workflows`;

    // The list, filtered as an on-call approver would: this runbook, this incident, running.
    const page = await browser.newPage();
    const query = `RespondRunbook="clawhavoc" AND RespondIncident="${INCIDENT}" AND ExecutionStatus="Running"`;
    await page.goto(`${base}?query=${encodeURIComponent(query)}`);
    await visibleText(page, `RespondIncident = "${INCIDENT}"`);
    await visibleText(page, `RUNNING ${id}`);
    pages.push(await everything(page));
    // The host's child workflow matches too; the run itself is the link named exactly by its id.
    await page.getByRole('link', { name: id, exact: true }).first().click({ timeout: UI_WAIT });
    await page.waitForURL((u) => u.pathname.includes(`/workflows/${id}/`), { timeout: UI_WAIT });
    // The run's input (the spec and its parameters) is on this first tab.
    await visibleText(page, '"name": "clawhavoc"');
    pages.push(await everything(page));

    // The hash to approve is read from the page, not from the client: it is what a person in the UI has.
    await page.getByText('User Metadata', { exact: true }).first().click({ timeout: UI_WAIT });
    await visibleText(page, 'Waiting for approval of contain');
    await visibleText(page, '1 open DM polic(ies)');
    await visibleText(page, '1 parked');
    let shown: { step: string; hash: string } | undefined;
    await s.waitFor('the signal input on the page', async () => {
      for (const text of await frameTexts(page)) {
        const m = text.replace(/\s+/g, '').match(/\{"step":"([^"]+)","hash":"([0-9a-f]{64})","approver":"<you>"\}/);
        if (m) shown = { step: m[1]!, hash: m[2]! };
      }
      return shown;
    }, UI_WAIT);
    expect(shown).toEqual({ step: 'contain', hash: contain.hash });
    pages.push(await everything(page));

    await page.getByRole('button', { name: 'More Actions' }).first().click({ timeout: UI_WAIT });
    await page.getByRole('menuitem', { name: 'Send a Signal' }).click({ timeout: UI_WAIT });
    const dialog = page.getByRole('dialog').filter({ hasText: 'Send a Signal' });
    await chooseSignal(dialog, 'approve');
    // The input is a CodeMirror editor: it takes keystrokes, not fill().
    const data = dialog.getByRole('textbox', { name: 'Data' });
    await data.click({ timeout: UI_WAIT });
    await page.keyboard.insertText(JSON.stringify({ step: shown!.step, hash: shown!.hash, approver: 'alice' }));
    // The editor pretty-prints on blur and the dialog grows: a click on Submit that blurs it
    // lands where the button was.
    await data.blur();
    await visibleText(page, `"approver": "alice"`);
    mkdirSync(join(ROOT, 'test-artifacts'), { recursive: true });
    await page.screenshot({ path: SCREENSHOT });
    console.log(`screenshot of the filled Send a Signal form: ${SCREENSHOT}`);
    pages.push(await everything(page));
    await dialog.getByRole('button', { name: 'Submit', exact: true }).click({ timeout: UI_WAIT });
    await dialog.waitFor({ state: 'hidden', timeout: UI_WAIT });

    // The run moved on: contain done on the host, approved by alice through the signal, and the
    // next gate waiting.
    const upgrade = await pendingOf('upgrade');
    const after = await status();
    expect(after.status.ignoredSignals).toEqual([]);
    expect((await hostSteps()).find((st) => st.id === 'contain')).toMatchObject({ state: 'done' });
    const granted = s.audit().filter((e) => e.workflowId === id && e.event === 'approval.granted');
    expect(granted).toEqual([expect.objectContaining({ step: 'contain', actor: 'alice', args: expect.objectContaining({ hash: contain.hash, via: 'signal' }) })]);
    const cfg = JSON.parse(readFileSync(join(fx.stateDir, 'openclaw.json'), 'utf8')) as { channels: { telegram: { dmPolicy: string; allowFrom: string[] } } };
    expect(cfg.channels.telegram).toMatchObject({ dmPolicy: 'disabled', allowFrom: [] });

    // And the page shows the next approval.
    await openCurrentDetails(page, ui);
    await visibleText(page, 'Waiting for approval of upgrade');
    await visibleText(page, upgrade.hash);
    pages.push(await everything(page));

    for (const p of pages) expect(p).not.toContain(fx.token);
    const rejected = await s.cli(['reject', id, '--reason', 'ui test over', '--as', 'bob']);
    expect(rejected.code, rejected.stderr).toBe(0);
    // Nothing may still act on the host when it is destroyed.
    const ended = await s.waitFor('the run to end', async () => {
      const st = await status();
      return st.execution !== 'RUNNING' ? st : undefined;
    }, 120_000);
    expect(ended.status.phase).toBe('rejected');
  });
});
