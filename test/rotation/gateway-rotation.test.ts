/**
 * Gateway-token rotation through `runbooks/rotate.yaml` on real OpenClaw gateways, a real
 * Temporal dev server and worker: unattended on 2026.9.6 (local), and over a real sshd on
 * 2026.1.29 with approvals given by hand and the worker SIGKILLed after create and after set.
 * Proof is the live gateway's own WebSocket handshake and HTTP bearer check.
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SshTransport } from '../../activities/hosts/transports/index.js';
import { createTransport } from '../../activities/hosts/transports/index.js';
import { probeHostGateway } from '../../activities/openclaw/gateway-process.js';
import { openOpenclawHost } from '../../activities/openclaw/host.js';
import { RotationVault, rotationDir } from '../../activities/rotation/vault.js';
import type { HostSpec } from '../../lib/inventory/schema.js';
import { fingerprint } from '../../lib/secrets.js';
import { connectAsDevice, deviceTokenAuth, pairDevice } from '../fixtures/device-client.js';
import { createFixtureHost, NEWER, OLDER, type FixtureHost } from '../fixtures/openclaw.js';
import { startSshd, type SshdFixture } from '../fixtures/sshd.js';
import { maybeRecordHistory } from '../helpers/histories.js';
import { historyJson, pendingFor, statusOf } from '../helpers/runs.js';
import { ROOT, Sandbox } from '../helpers/sandbox.js';

vi.setConfig({ testTimeout: 900_000, hookTimeout: 600_000 });

let s: Sandbox;
let c: Client;
let sshd: SshdFixture;
let local: FixtureHost;
let remote: FixtureHost;
let failing: FixtureHost;
let client: FixtureHost;
const issued: string[] = [];

beforeAll(async () => {
  sshd = await startSshd();
  [local, remote, failing, client] = await Promise.all([
    createFixtureHost({ name: 'gw-new', version: NEWER }),
    createFixtureHost({ name: 'gw-old', version: OLDER }),
    createFixtureHost({ name: 'gw-down', version: NEWER }),
    // An operator's laptop: its OpenClaw talks to gw-new in remote mode, with gw-new's token.
    createFixtureHost({ name: 'laptop', version: NEWER, start: false }),
  ]);
  writeFileSync(
    join(client.stateDir, 'openclaw.json'),
    JSON.stringify({ gateway: { mode: 'remote', remote: { url: `ws://127.0.0.1:${local.spec.gatewayPort}`, token: local.token } }, discovery: { mdns: { mode: 'off' } } }, null, 2) + '\n',
    { mode: 0o600 },
  );
  s = await Sandbox.create();
  expect((await s.cli(['list'])).code).toBe(0);
  c = await s.client();
});

afterAll(async () => {
  if (sshd) await new SshTransport(sshd.transport()).close();
  await Promise.allSettled([s?.stop(), local?.destroy(), remote?.destroy(), failing?.destroy(), client?.destroy(), sshd?.stop()]);
});

function inventoryFor(name: string, hosts: HostSpec[]): string {
  const file = join(s.dir, `${name}.yaml`);
  writeFileSync(file, JSON.stringify({ version: 1, hosts }, null, 2));
  return file;
}

/** Copies of the token where real hosts leave them: shell history, an env file, a log line. */
function plantCopies(fx: FixtureHost): string[] {
  const home = fx.spec.env.HOME!;
  const files = [join(home, '.bash_history'), join(home, 'gateway.env'), join(fx.root, 'logs', 'debug-2026-11-30.log')];
  mkdirSync(join(fx.root, 'logs'), { recursive: true });
  appendFileSync(files[0]!, `ls\nexport OPENCLAW_GATEWAY_TOKEN=${fx.token}\nopenclaw status\n`);
  writeFileSync(files[1]!, `OPENCLAW_GATEWAY_TOKEN=${fx.token}\nOPENCLAW_DISABLE_BONJOUR=1\n`);
  writeFileSync(files[2]!, `{"level":"debug","msg":"connect","auth":"${fx.token}"}\n`);
  return files;
}

async function verdicts(host: HostSpec, tokens: string[]) {
  const h = await openOpenclawHost(host, createTransport(host));
  try {
    const out: string[] = [];
    for (const t of tokens) out.push((await probeHostGateway(h, t)).token);
    return out;
  } finally {
    await h.t.close();
  }
}

function filesHolding(dir: string, value: string, skip: string): string[] {
  try {
    return execFileSync('grep', ['-rlF', '--exclude-dir', skip, value, dir], { encoding: 'utf8' }).split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

async function start(inventory: string, incident: string, extra: string[]) {
  return s.cli(['start', join(ROOT, 'runbooks', 'rotate.yaml'), '--inventory', inventory, '--incident', incident, ...extra]);
}

/** From the approval of the cut-over to the proof that the live gateway refuses the old token (audit and vault times). */
function cutOver(id: string): string {
  const approved = s.audit().find((e) => e.workflowId === id && e.event === 'approval.granted' && e.step === 'gateway-set');
  const rec = new RotationVault(rotationDir(join(s.dir, 'state'))).all().find((r) => r.run.startsWith(`${id}/`));
  const at = (approved?.args as { at?: string } | undefined)?.at ?? approved?.ts;
  return `cut-over approval -> old token rejected on the live gateway: ${Date.parse(rec!.times.tested!) - Date.parse(at!)} ms (install ${Date.parse(rec!.times.installed!) - Date.parse(at!)} ms)`;
}

function assertNoSecretAnywhere(values: string[], history: string) {
  const auditText = readFileSync(s.config.auditLogPath, 'utf8');
  for (const v of values) {
    expect(history).not.toContain(v);
    expect(auditText).not.toContain(v);
    expect(s.daemonLog()).not.toContain(v);
    for (const out of s.captured) expect(out).not.toContain(v);
  }
}

describe('rotate runbook: gateway token', () => {
  it('unattended on a local 2026.9.6 gateway: new accepted, old rejected, stale copies quarantined', async () => {
    const fx = local;
    const planted = plantCopies(fx);
    const device = await pairDevice(fx.spec.gatewayPort, NEWER, fx.token);
    issued.push(device.deviceToken);
    const tokenFile = join(s.dir, 'tokens', 'gw-new.token');
    appendFileSync(join(client.spec.env.HOME!, '.bash_history'), `openclaw config set gateway.remote.token ${fx.token}\n`);
    const inv = inventoryFor('local', [fx.spec, { ...client.spec, clientOf: fx.spec.name }]);
    const began = Date.now();
    const r = await start(inv, 'ROT-1', ['--set', `hosts=${fx.spec.name}`, '--set', 'credentials=gateway', '--set', `tokenFile=${tokenFile}`, '--auto-approve', '--wait']);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    console.log(`rotate (local, ${NEWER}): ${Date.now() - began} ms, start to completion; ${cutOver('respond-rotate-ROT-1')}`);

    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
    const next = readFileSync(tokenFile, 'utf8').trim();
    issued.push(next);
    expect(next).not.toBe(fx.token);
    expect(await verdicts(fx.spec, [next, fx.token])).toEqual(['accepted', 'rejected']);
    // The paired device's token, which a gateway-token change alone leaves valid, is refused too.
    // The remote client follows: its config holds the new token and its own CLI reaches the gateway.
    const laptopConfig = JSON.parse(readFileSync(join(client.stateDir, 'openclaw.json'), 'utf8'));
    expect(laptopConfig.gateway.remote.token).toBe(next);
    const health = await execa(client.spec.node, [join(client.prefix, 'node_modules', 'openclaw', 'openclaw.mjs'), 'gateway', 'call', 'health', '--json'], { env: { ...process.env, ...client.spec.env }, reject: false });
    expect(health.exitCode, health.stderr).toBe(0);
    for (const dir of [client.spec.env.HOME!, client.stateDir]) expect(filesHolding(dir, fx.token, 'quarantine')).toEqual([]);
    const stale = await connectAsDevice(device.url, device.id, deviceTokenAuth(NEWER, device.deviceToken));
    expect(stale).toMatchObject({ accepted: false, code: 'AUTH_DEVICE_TOKEN_MISMATCH' });

    // No copy of the old token is left outside respond's quarantine.
    for (const dir of [fx.spec.env.HOME!, fx.stateDir, join(fx.root, 'logs')]) expect(filesHolding(dir, fx.token, 'quarantine')).toEqual([]);
    for (const f of planted) expect(readFileSync(f, 'utf8')).not.toContain(fx.token);
    const bakFiles = readdirSync(fx.stateDir).filter((f) => f.startsWith('openclaw.json.bak'));
    for (const b of bakFiles) expect(readFileSync(join(fx.stateDir, b), 'utf8')).not.toContain(fx.token);

    // The vault kept the values only while needed.
    const recs = new RotationVault(rotationDir(join(s.dir, 'state'))).all().filter((x) => x.incident === 'ROT-1');
    expect(recs).toHaveLength(1);
    expect(recs[0]).toMatchObject({ state: 'finished', fingerprints: { old: fingerprint(fx.token), new: fingerprint(next) } });
    expect(recs[0]!.values).toBeUndefined();
    expect(recs[0]!.notes.join('\n')).toMatch(/1 paired-device token\(s\) issued before the cut-over revoked: cli operator/);

    const creds = await s.cli(['credentials', '--inventory', inv, '--json']);
    expect(creds.code, creds.stderr).toBe(0);
    const [row, laptopRow] = JSON.parse(creds.stdout) as Array<Record<string, any>>;
    expect(row).toMatchObject({ host: fx.spec.name, credential: 'gateway', fingerprint: fingerprint(next), sinceFrom: 'rotation-record', ageDays: 0 });
    expect(laptopRow).toMatchObject({ host: 'laptop', provider: `openclaw-gateway (gateway.remote of ${fx.spec.name})`, fingerprint: fingerprint(next), sinceFrom: 'rotation-record' });
    expect(row!.lastRotation).toMatchObject({ state: 'finished', incident: 'ROT-1', old: fingerprint(fx.token) });
    console.log(`respond credentials after the rotation:\n${(await s.cli(['credentials', '--inventory', inv])).stdout}`);

    const id = 'respond-rotate-ROT-1';
    const events = s.audit().filter((e) => e.host === fx.spec.name).map((e) => e.event);
    expect(events).toEqual(expect.arrayContaining(['rotation.created', 'rotation.promoted', 'rotation.revoked', 'rotation.scrubbed']));
    assertNoSecretAnywhere([fx.token, next, device.deviceToken], (await historyJson(c, id)) + (await historyJson(c, `${id}/${fx.spec.name}`)));
  });

  it('over SSH on 2026.1.29, approved by hand, the worker SIGKILLed after create and after set: one new token, the old one refused after a restart', async () => {
    const fx = remote;
    plantCopies(fx);
    const device = await pairDevice(fx.spec.gatewayPort, OLDER, fx.token);
    issued.push(device.deviceToken);
    const host: HostSpec = { ...fx.spec, transport: sshd.transport() };
    const inv = inventoryFor('remote', [host]);
    const tokenFile = join(s.dir, 'tokens', '{{host}}.token');
    // --auto-approve, yet this version needs a restart for the rotation to take: a person must approve.
    const r = await start(inv, 'ROT-2', ['--set', `hosts=${host.name}`, '--set', `tokenFile=${tokenFile}`, '--auto-approve', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const { id } = JSON.parse(r.stdout) as { id: string };

    const killWorker = async () => {
      const victim = s.pids().worker!;
      process.kill(victim, 'SIGKILL');
      await s.waitFor('a new worker', () => (s.pids().worker && s.pids().worker !== victim ? true : undefined));
    };
    const approve = async (step: string) => {
      const p = await pendingFor(s, c, id, step);
      const a = await s.cli(['approve', id, '--hash', p.hash, '--as', 'alice']);
      expect(a.code, a.stderr).toBe(0);
      return p;
    };

    // After create: the gate shows both fingerprints; the worker dies while the run waits.
    const setGate = await pendingFor(s, c, id, 'gateway-set');
    const [group] = setGate.action.args.groups as Array<{ action: Record<string, unknown> }>;
    expect(group!.action).toMatchObject({ old: fingerprint(fx.token), overlap: expect.stringMatching(/cut-over/), explicitApproval: true });
    expect(setGate.action.args.explicitApproval).toBe(true);
    await new Promise((res) => setTimeout(res, 1500));
    expect((await statusOf(c, id)).pending).toMatchObject({ step: 'gateway-set', approvals: [] });
    await killWorker();
    const approvedAt = Date.now();
    await approve('gateway-set');

    // After set: the new token is live and the old one refused over the handshake.
    const revokeGate = await pendingFor(s, c, id, 'gateway-revoke');
    const next = readFileSync(join(s.dir, 'tokens', `${host.name}.token`), 'utf8').trim();
    issued.push(next);
    expect(await verdicts(host, [next, fx.token])).toEqual(['accepted', 'rejected']);
    void approvedAt;
    const [rg] = revokeGate.action.args.groups as Array<{ action: Record<string, unknown> }>;
    expect(rg!.action.warnings).toEqual(expect.arrayContaining([expect.stringMatching(/^CVE-2026-43585/)]));
    await killWorker();
    await approve('gateway-revoke');
    const result = await c.workflow.getHandle(id).result().then(() => 'completed', (e: Error) => `failed: ${e.message}`);
    expect(result).toBe('completed');
    console.log(`over ssh, ${OLDER}: ${cutOver(id)}`);
    await maybeRecordHistory(s, `${id}/${host.name}`, 'rotate-host-test');

    // Exactly one rotation record, and the live gateway accepts the token it issued.
    const recs = new RotationVault(rotationDir(join(s.dir, 'state'))).all().filter((x) => x.incident === 'ROT-2');
    expect(recs).toHaveLength(1);
    expect(recs[0]!.fingerprints.new).toBe(fingerprint(next));
    expect(await verdicts(host, [next, fx.token])).toEqual(['accepted', 'rejected']);
    expect(await connectAsDevice(device.url, device.id, deviceTokenAuth(OLDER, device.deviceToken))).toMatchObject({ accepted: false });
    // 2026.1.x pairs its own CLI as a device too: that token, minted under the old one, went as well.
    expect(recs[0]!.notes.join('\n')).toMatch(/paired-device token\(s\) issued before the cut-over revoked: .*cli operator/);
    const events = s.audit().filter((e) => e.workflowId === id).map((e) => e.event);
    expect(events).toEqual(expect.arrayContaining(['rotation.restart', 'rotation.revoked', 'approval.granted']));
    for (const dir of [fx.spec.env.HOME!, fx.stateDir, join(fx.root, 'logs')]) expect(filesHolding(dir, fx.token, 'quarantine')).toEqual([]);
    assertNoSecretAnywhere([fx.token, next, device.deviceToken], (await historyJson(c, id)) + (await historyJson(c, `${id}/${host.name}`)));
  });

  it('a new token that fails its test leaves the old one in place and working', async () => {
    const fx = failing;
    const inv = inventoryFor('down', [fx.spec]);
    const r = await start(inv, 'ROT-3', ['--set', `hosts=${fx.spec.name}`, '--set', `tokenFile=${join(s.dir, 'tokens', 'down.token')}`, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const { id } = JSON.parse(r.stdout) as { id: string };
    const p = await pendingFor(s, c, id, 'gateway-set');
    // The gateway goes down before the cut-over: the new token cannot be proven.
    await fx.stop();
    expect((await s.cli(['approve', id, '--hash', p.hash, '--as', 'alice'])).code).toBe(0);
    const result = await c.workflow.getHandle(id).result().then(() => 'completed', (e: Error) => `failed: ${e.message}`);
    expect(result).toMatch(/failed/);
    const st = await statusOf(c, id);
    expect(JSON.stringify(st)).toMatch(/failed its test.*old one was put back/);
    const config = readFileSync(join(fx.stateDir, 'openclaw.json'), 'utf8');
    expect(config).toContain(fx.token);
    const recs = new RotationVault(rotationDir(join(s.dir, 'state'))).all().filter((x) => x.incident === 'ROT-3');
    expect(recs[0]).toMatchObject({ state: 'abandoned' });
    expect(recs[0]!.values).toBeUndefined();
    // Back up, the gateway takes the old token.
    const h = await openOpenclawHost(fx.spec, createTransport(fx.spec));
    const { startGateway } = await import('../../activities/openclaw/gateway/control.js');
    await startGateway(h);
    expect((await probeHostGateway(h, fx.token)).token).toBe('accepted');
    await h.t.close();
    const undelivered = readFileSync(join(s.dir, 'tokens', 'down.token'), 'utf8').trim();
    assertNoSecretAnywhere([fx.token, undelivered, ...issued], await historyJson(c, id));
  });

  it('a remote client that cannot be reached at the cut-over puts the old token back on the gateway, and the run says so', async () => {
    const fx = local;
    const current = readFileSync(join(s.dir, 'tokens', 'gw-new.token'), 'utf8').trim();
    expect(await verdicts(fx.spec, [current])).toEqual(['accepted']);
    // The client's machine is off the network: its sshd port answers nothing.
    const away: HostSpec = { ...client.spec, name: 'laptop-away', clientOf: fx.spec.name, transport: { ...sshd.transport(), port: 1 } };
    const inv = inventoryFor('away', [fx.spec, away]);
    const r = await start(inv, 'ROT-4', ['--set', `hosts=${fx.spec.name}`, '--set', `tokenFile=${join(s.dir, 'tokens', 'away.token')}`, '--auto-approve', '--wait']);
    expect(r.code).not.toBe(0);
    expect(r.stdout + r.stderr).toMatch(/client laptop-away of gw-new could not take the new token .*the old token was put back on the gateway and its clients/);
    expect(await verdicts(fx.spec, [current])).toEqual(['accepted']);
    const recs = new RotationVault(rotationDir(join(s.dir, 'state'))).all().filter((x) => x.incident === 'ROT-4');
    expect(recs[0]).toMatchObject({ state: 'abandoned' });
    const undelivered = readFileSync(join(s.dir, 'tokens', 'away.token'), 'utf8').trim();
    expect(await verdicts(fx.spec, [undelivered])).toEqual(['rejected']);
    assertNoSecretAnywhere([current, undelivered], await historyJson(c, 'respond-rotate-ROT-4'));
  });
});
