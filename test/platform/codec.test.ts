/**
 * Payload encryption against the real dev server and worker: what the server stores and shows is
 * ciphertext, the codec server decodes only for a token holder, rotated keys keep old runs
 * readable, a run recorded before the codec was on still finishes, and the real web UI shows
 * decoded input once the operator signed in to the codec server.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, copyFileSync, mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AesGcmCodec } from '../../lib/codec/aes-gcm-codec.js';
import { tokenPath } from '../../lib/codec/token.js';
import { launchChromium } from '../helpers/chromium.js';
import { decodedPayloads, historyJson, pendingFor } from '../helpers/runs.js';
import { ROOT, Sandbox } from '../helpers/sandbox.js';
import { codecContext, frameTexts, sandboxUrls } from '../helpers/web-ui.js';

const DISTINCT = `codec-marker-${randomBytes(6).toString('hex')}`;
const PLAIN = `plain-marker-${randomBytes(6).toString('hex')}`;

describe('payload codec', () => {
  let s: Sandbox;
  let browser: Browser;
  const stateFile = (name: string) => join(s.config.stateDir, name);
  const codecUrl = () => `http://127.0.0.1:${s.env.RESPOND_CODEC_SERVER_PORT}`;
  const start = async (incident: string, marker: string, env: Record<string, string> = {}) => {
    const r = await s.cli(['start', 'example', '--incident', incident, '--set', `marker=${join(s.dir, marker)}`, '--json'], env);
    expect(r.code, r.stderr).toBe(0);
    return (JSON.parse(r.stdout) as { id: string }).id;
  };
  const workflowShow = async (id: string) => {
    const r = await execa(s.config.embedded.temporalBin, ['workflow', 'show', '-w', id, '--address', s.config.address, '--output', 'json'], { reject: false });
    expect(r.exitCode, r.stderr).toBe(0);
    return r.stdout;
  };
  const firstInput = (json: string) => {
    const events = (JSON.parse(json) as { events: { workflowExecutionStartedEventAttributes?: { input: { payloads: unknown[] } } }[] }).events;
    return events[0]!.workflowExecutionStartedEventAttributes!.input.payloads;
  };
  const approveAll = async (id: string, steps: string[]) => {
    const c = await s.client();
    for (const step of steps) {
      const p = await pendingFor(s, c, id, step);
      const r = await s.cli(['approve', id, '--step', step, '--hash', p.hash, '--as', 'alice']);
      expect(r.code, r.stderr).toBe(0);
    }
  };

  beforeAll(async () => {
    s = await Sandbox.create();
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await s?.stop();
  });

  it('finishes a run recorded with the codec off after the server comes back with it on', async () => {
    const id = await start('OFF-1', PLAIN, { RESPOND_CODEC: 'off' });
    const c = await s.client();
    await pendingFor(s, c, id, 'go-ahead');
    expect(firstInput(await workflowShow(id))).toEqual([expect.objectContaining({ metadata: expect.objectContaining({ encoding: Buffer.from('json/plain').toString('base64') }) })]);
    await s.cli(['server', '--stop']);
    await s.waitFor('daemon exit', () => (s.pids().daemon || s.pids().server ? undefined : true), 30_000);
    // Any command brings the daemon back, now with the codec on.
    expect((await s.cli(['status', id])).code).toBe(0);
    await approveAll(id, ['go-ahead', 'write-marker']);
    await s.waitFor('run OFF-1 completed', async () => {
      const r = await s.cli(['status', id]);
      return r.code === 0 && /completed/.test(r.stdout) ? true : undefined;
    });
    expect(readFileSync(join(s.dir, PLAIN), 'utf8')).toContain('respond OFF-1');
    expect(s.daemonLog()).toMatch(/codec server on/);
  });

  it('stores and shows only ciphertext; the keyring and token are 0600', async () => {
    const id = await start('ENC-1', DISTINCT);
    const c = await s.client();
    await pendingFor(s, c, id, 'go-ahead');
    const shown = await workflowShow(id);
    expect(decodedPayloads(shown)).not.toContain(DISTINCT);
    // The suite's secret scans read histories through the client's codec, so they see the plaintext.
    expect(await historyJson(c, id)).toContain(DISTINCT);
    expect(firstInput(shown)).toEqual([expect.objectContaining({ metadata: expect.objectContaining({ encoding: Buffer.from('binary/encrypted').toString('base64') }) })]);
    const status = await s.cli(['status', id]);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toContain('waiting-approval');

    const files = readdirSync(s.config.stateDir).filter((f) => f.startsWith('temporal.sqlite'));
    expect(files).toContain('temporal.sqlite');
    for (const f of files) expect(readFileSync(stateFile(f)).includes(Buffer.from(DISTINCT)), f).toBe(false);
    // The run recorded with the codec off is the control: the same scan finds its plain marker.
    expect(files.some((f) => readFileSync(stateFile(f)).includes(Buffer.from(PLAIN)))).toBe(true);

    for (const f of ['codec-keys.json', 'codec-server.token']) expect(statSync(stateFile(f)).mode & 0o777, f).toBe(0o600);
    const loose = join(s.dir, 'loose-keys.json');
    copyFileSync(stateFile('codec-keys.json'), loose);
    chmodSync(loose, 0o644);
    const refused = await s.cli(['codec', 'status'], { RESPOND_CODEC_KEYS_FILE: loose });
    expect(refused.code).toBe(2);
    expect(refused.stderr.trim().split('\n')).toEqual([expect.stringMatching(/readable by group or others/)]);
  });

  it('serves decode and encode only with the bearer token, CORS only for the UI origin', async () => {
    const id = 'respond-example-ENC-1';
    const payloads = firstInput(await workflowShow(id));
    const token = readFileSync(tokenPath(s.config.stateDir), 'utf8').trim();
    const post = (path: string, headers: Record<string, string>, body: unknown = { payloads }) =>
      fetch(`${codecUrl()}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) });

    expect((await post('/decode', {})).status).toBe(401);
    expect((await post('/decode', { Authorization: 'Bearer wrong' })).status).toBe(401);
    expect((await post('/decode', { Authorization: `Bearer ${token}x` })).status).toBe(401);
    const ok = await post('/decode', { Authorization: `Bearer ${token}`, 'X-Namespace': 'default' });
    expect(ok.status).toBe(200);
    const decoded = (await ok.json()) as { payloads: { metadata: Record<string, string>; data: string }[] };
    expect(Buffer.from(decoded.payloads[0]!.metadata.encoding!, 'base64').toString()).toBe('json/plain');
    expect(Buffer.from(decoded.payloads[0]!.data, 'base64').toString()).toContain(DISTINCT);

    const roundTrip = await post('/encode', { Authorization: `Bearer ${token}` }, decoded);
    const encoded = (await roundTrip.json()) as { payloads: { data: string }[] };
    expect(encoded.payloads[0]!.data).not.toBe((payloads[0] as { data: string }).data);

    // The temporal CLI, given the endpoint and the token, shows the plaintext; without the token it cannot.
    const show = (auth: string[]) =>
      execa(s.config.embedded.temporalBin, ['workflow', 'show', '-w', id, '--address', s.config.address, '--output', 'json', '--codec-endpoint', codecUrl(), ...auth], { reject: false });
    const withToken = await show(['--codec-auth', `Bearer ${token}`]);
    expect(withToken.exitCode, withToken.stderr).toBe(0);
    expect(decodedPayloads(withToken.stdout)).toContain(DISTINCT);
    const without = await show([]);
    expect(decodedPayloads(without.stdout)).not.toContain(DISTINCT);

    const uiOrigin = `http://127.0.0.1:${s.env.RESPOND_UI_PORT}`;
    const preflight = await fetch(`${codecUrl()}/decode`, {
      method: 'OPTIONS',
      headers: { Origin: uiOrigin, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type,x-namespace' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(uiOrigin);
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/X-Namespace/);
    const foreign = await post('/decode', { Authorization: `Bearer ${token}`, Origin: 'http://127.0.0.1:1' });
    expect(foreign.status).toBe(403);
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('keeps a run started before a key rotation readable', async () => {
    const a = await start('ROT-A', 'rot-a');
    const c = await s.client();
    await pendingFor(s, c, a, 'go-ahead');
    const before = JSON.parse((await s.cli(['codec', 'status', '--json'])).stdout) as { active: string };
    const rotated = await s.cli(['codec', 'rotate-key']);
    expect(rotated.code, rotated.stderr).toBe(0);
    const b = await start('ROT-B', 'rot-b');
    await pendingFor(s, c, b, 'go-ahead');

    const after = await s.cli(['codec', 'status', '--json']);
    const view = JSON.parse(after.stdout) as { active: string; keys: { id: string; active: boolean }[] };
    expect(view.keys.map((k) => k.id)).toEqual(expect.arrayContaining([before.active, view.active]));
    expect(view.active).not.toBe(before.active);
    const keyBytes = (JSON.parse(readFileSync(stateFile('codec-keys.json'), 'utf8')) as { keys: { key: string }[] }).keys.map((k) => k.key);
    for (const k of keyBytes) expect(after.stdout + rotated.stdout).not.toContain(k);

    const keyIdOf = async (id: string) => {
      const meta = (firstInput(await workflowShow(id))[0] as { metadata: Record<string, string> }).metadata;
      return Buffer.from(meta['encryption-key-id']!, 'base64').toString();
    };
    expect(await keyIdOf(a)).toBe(before.active);
    expect(await keyIdOf(b)).toBe(view.active);
    for (const id of [a, b]) {
      const st = await s.cli(['status', id]);
      expect(st.code, st.stderr).toBe(0);
      expect(st.stdout).toContain('waiting-approval');
    }
    // The worker picked up the new key without a restart: run A moves on past its gate.
    await approveAll(a, ['go-ahead']);
    await pendingFor(s, c, a, 'write-marker');
  });

  it('names the key id of a payload whose key is not in the keyring, and passes plain payloads through', async () => {
    const ring = (id: string) => () => ({ activeId: id, keys: new Map([[id, randomBytes(32)]]), created: new Map() });
    const plain = { metadata: { encoding: new TextEncoder().encode('json/plain') }, data: new TextEncoder().encode('"x"') };
    const encrypted = await new AesGcmCodec(ring('k-old')).encode([plain]);
    await expect(new AesGcmCodec(ring('k-new')).decode(encrypted)).rejects.toThrow('payload encrypted with key k-old, which is not in the codec keyring');
    expect(await new AesGcmCodec(ring('k-new')).decode([plain])).toEqual([plain]);
    const again = await new AesGcmCodec(ring('k-old')).encode([plain]);
    expect(Buffer.from(again[0]!.data!).subarray(0, 12)).not.toEqual(Buffer.from(encrypted[0]!.data!).subarray(0, 12));
  });

  it('shows decoded input in the real web UI after signing in to the codec server, and nothing without it', async () => {
    const id = 'respond-example-ENC-1';
    const token = readFileSync(tokenPath(s.config.stateDir), 'utf8').trim();
    const open = async (signIn: boolean) => {
      const context = await codecContext(browser, sandboxUrls(s.env), signIn ? token : undefined);
      const page = await context.newPage();
      const statuses: number[] = [];
      page.on('response', (r) => r.url().startsWith(`${codecUrl()}/decode`) && statuses.push(r.status()));
      await page.goto(`${sandboxUrls(s.env).ui}/namespaces/default/workflows/${id}`);
      return { context, page, statuses };
    };
    const seen = async (page: import('playwright-core').Page, text: string, ms: number) => {
      const deadline = Date.now() + ms;
      while (Date.now() < deadline) {
        if ((await frameTexts(page)).some((t) => t.includes(text))) return true;
        await page.waitForTimeout(250);
      }
      return false;
    };

    // The input's opening lines (the spec) and the encrypted summary are readable only decoded.
    const inputText = 'Check the local host, pause, and touch a marker file';
    const authorised = await open(true);
    expect(await seen(authorised.page, inputText, 30_000)).toBe(true);
    await authorised.page.getByText('User Metadata', { exact: true }).first().click({ timeout: 30_000 });
    expect(await seen(authorised.page, 'incident ENC-1', 30_000)).toBe(true);
    // Kept after the run (git-ignored): the decoded input as an operator sees it, and the stranger's view below.
    mkdirSync(join(ROOT, 'test-artifacts'), { recursive: true });
    await authorised.page.screenshot({ path: join(ROOT, 'test-artifacts', 'codec-ui-decoded.png'), fullPage: true });
    expect(authorised.statuses).toContain(200);
    expect(await authorised.page.content()).not.toContain(token);
    await authorised.context.close();

    const stranger = await open(false);
    await stranger.page.waitForTimeout(5_000);
    expect(await seen(stranger.page, 'Codec Server could not connect', 20_000)).toBe(true);
    expect(await seen(stranger.page, inputText, 1_000)).toBe(false);
    expect(stranger.statuses).toContain(401);
    expect(stranger.statuses).not.toContain(200);
    await stranger.page.screenshot({ path: join(ROOT, 'test-artifacts', 'codec-ui-no-token.png'), fullPage: true });
    await stranger.context.close();
  });
});
