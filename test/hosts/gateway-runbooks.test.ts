/**
 * Gateways in the wild through real runbooks, on a real Temporal dev server and worker:
 * `upgrade` adopts a gateway someone left running in tmux on a host reached over a real sshd and
 * brings it back on the new version; `restart-gateway` on a gateway under a watchdog respond does
 * not know waits for a person, checks what they say, and goes on.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SshTransport } from '../../activities/hosts/transports/index.js';
import { createOpenclawActivities } from '../../activities/openclaw/activities.js';
import type { HostSpec } from '../../lib/inventory/schema.js';
import { hostStatusQuery, hostWorkflowId } from '../../workflows/definitions.js';
import { ROOT, Sandbox } from '../helpers/sandbox.js';
import { historyJson, pendingFor } from '../helpers/runs.js';
import { createFixtureHost, NEWER, OLDER, type FixtureHost } from '../fixtures/openclaw.js';
import { launchTmux, launchUnknownWatchdog, waitClosed, type Launched } from '../fixtures/gateway-launchers.js';
import { startSshd, type SshdFixture } from '../fixtures/sshd.js';

vi.setConfig({ testTimeout: 900_000 });

let s: Sandbox;
let c: Client;
let sshd: SshdFixture;
let tmuxHost: FixtureHost;
let wdHost: FixtureHost;
const launched: Launched[] = [];
const acts = createOpenclawActivities();
const apiKey = `sk-ant-api03-${randomBytes(24).toString('hex')}`;

beforeAll(async () => {
  sshd = await startSshd();
  [tmuxHost, wdHost] = await Promise.all([
    createFixtureHost({ name: 'tmux-host', version: OLDER, start: false }),
    createFixtureHost({ name: 'watchdog-host', version: OLDER, start: false }),
  ]);
  s = await Sandbox.create();
  // Any command brings up the embedded server and worker.
  expect((await s.cli(['list'])).code).toBe(0);
  c = await s.client();
});

afterAll(async () => {
  for (const l of launched) await l.stop().catch(() => undefined);
  for (const fx of [tmuxHost, wdHost]) if (fx) await acts.openclawGatewayStop({ host: fx.spec }).catch(() => undefined);
  if (sshd) await new SshTransport(sshd.transport()).close();
  await Promise.allSettled([s?.stop(), tmuxHost?.destroy(), wdHost?.destroy(), sshd?.stop()]);
});

function inventoryFor(name: string, hosts: HostSpec[]): string {
  const file = join(s.dir, `${name}.yaml`);
  writeFileSync(file, JSON.stringify({ version: 1, hosts }, null, 2));
  return file;
}

function environOf(pid: number): Record<string, string> {
  return Object.fromEntries(
    readFileSync(`/proc/${pid}/environ`, 'utf8')
      .split('\0')
      .filter((kv) => kv.includes('='))
      .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
  );
}

async function start(runbook: string, inventory: string, incident: string, extra: string[] = []): Promise<string> {
  const r = await s.cli(['start', join(ROOT, 'runbooks', `${runbook}.yaml`), '--incident', incident, '--json', '--inventory', inventory, ...extra]);
  expect(r.code, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as { id: string }).id;
}

async function approve(id: string, step: string) {
  const pending = await pendingFor(s, c, id, step);
  const r = await s.cli(['approve', id, '--hash', pending.hash, '--as', 'tester']);
  expect(r.code, r.stderr).toBe(0);
  return pending;
}

describe('upgrade of a gateway someone started in tmux, over SSH', () => {
  it('adopts it and brings it back on the new version with the same port, bind, token and environment', async () => {
    const fx = tmuxHost;
    launched.push(await launchTmux(fx, { env: { ANTHROPIC_API_KEY: apiKey } }));
    const host = { ...fx.spec, transport: sshd.transport() };
    const before = await acts.openclawGatewayDiscover({ host });
    expect(before.manager).toMatchObject({ kind: 'bare', via: 'tmux' });

    const began = Date.now();
    const id = await start('upgrade', inventoryFor('tmux', [host]), 'WILD-1', ['--set', `version=${NEWER}`]);
    const pending = await approve(id, 'upgrade');
    // The approver saw how the gateway would be stopped and started again.
    const [group] = pending.action.args.groups as Array<{ action: { commands: string[] } }>;
    expect(group!.action.commands.join('\n')).toMatch(/a bare process \(pid \d+, started from tmux; command line reconstructed\)/);
    expect(group!.action.commands.join('\n')).toMatch(/supervised by respond's pidfile from then on/);
    const result = await c.workflow.getHandle(id).result().then(() => 'completed', (e: Error) => `failed: ${e.message}`);
    expect(result).toBe('completed');
    console.log(`adopt-stop-upgrade-start over ssh: ${Date.now() - began} ms (run start to completion, including approval)`);

    const facts = await acts.openclawFacts({ host, audit: false });
    expect(facts.openclaw.version).toBe(NEWER);
    expect(facts.gateway).toMatchObject({ live: true, port: before.port, liveBind: 'loopback', manager: { kind: 'respond' }, token: { verdict: 'accepted' } });
    const env = environOf(facts.gateway.process!.pid);
    expect(env.ANTHROPIC_API_KEY).toBe(apiKey);
    expect(env.HOME).toBe(fx.spec.env.HOME);

    const events = s.audit().filter((e) => e.workflowId === id).map((e) => e.event);
    expect(events).toEqual(expect.arrayContaining(['upgrade.start', 'upgrade.done']));
    const history = await historyJson(c, id);
    for (const secret of [fx.token, apiKey]) {
      expect(history).not.toContain(secret);
      for (const out of s.captured) expect(out).not.toContain(secret);
    }
  });
});

describe('restart of a gateway under a watchdog respond does not know', () => {
  it('waits for a person to stop it and to start it, checks each, and finishes', async () => {
    const fx = wdHost;
    const wd = await launchUnknownWatchdog(fx, { env: { ANTHROPIC_API_KEY: apiKey } });
    launched.push(wd);
    const id = await start('restart-gateway', inventoryFor('watchdog', [fx.spec]), 'WILD-2');
    await approve(id, 'restart');
    const hostId = hostWorkflowId(id, fx.spec.name);
    const waiting = (action: string) =>
      s.waitFor(`a person asked to ${action}`, async () => {
        const h = await c.workflow.getHandle(hostId).query(hostStatusQuery);
        return h.waiting?.action === action ? h.waiting : undefined;
      });

    const stopAsk = await waiting('stop');
    expect(stopAsk.instruction).toMatch(/a person must stop the gateway on watchdog-host .*started by python3/);
    const st = await s.cli(['status', id]);
    expect(st.stdout).toContain(`watchdog-host waits for a person (step restart`);
    expect(st.stdout).toContain(`respond confirm ${id} --host watchdog-host`);

    // Confirmed too early: respond checks, sees the gateway still up, and asks again.
    expect((await s.cli(['confirm', id, '--host', fx.spec.name, '--as', 'alice'])).code).toBe(0);
    const again = await s.waitFor('asked again', async () => {
      const h = await c.workflow.getHandle(hostId).query(hostStatusQuery);
      return h.waiting?.instruction.includes('still saw') ? h.waiting : undefined;
    });
    expect(again.instruction).toMatch(/still held by unknown manager/);

    // The person stops the watchdog and its gateway, then confirms.
    await wd.stop();
    await waitClosed(fx.spec.gatewayPort);
    const done = await s.cli(['confirm', id, '--host', fx.spec.name, '--as', 'alice', '--note', 'stopped keep-gateway-up']);
    expect(done.code, done.stderr).toBe(0);

    const startAsk = await waiting('start');
    expect(startAsk.instruction).toMatch(/a person must start the gateway on watchdog-host again/);
    launched.push(await launchUnknownWatchdog(fx, { env: { ANTHROPIC_API_KEY: apiKey } }));
    expect((await s.cli(['confirm', id, '--host', fx.spec.name, '--as', 'alice'])).code).toBe(0);

    const result = await c.workflow.getHandle(id).result().then(() => 'completed', (e: Error) => `failed: ${e.message}`);
    expect(result).toBe('completed');
    const audit = s.audit().filter((e) => e.host === fx.spec.name);
    expect(audit.filter((e) => e.event === 'person.confirmed').map((e) => e.actor)).toEqual(['alice', 'alice', 'alice']);
    expect(audit.map((e) => e.event)).toEqual(expect.arrayContaining(['gateway.manual.waiting', 'gateway.manual.confirmed']));
    const nobody = await s.cli(['confirm', id, '--host', fx.spec.name]);
    expect(nobody.code).not.toBe(0);
    expect(nobody.stderr).toMatch(/not waiting for a person/);
    const history = await historyJson(c, id);
    expect(history).not.toContain(apiKey);
    expect(history).not.toContain(fx.token);
  });
});
