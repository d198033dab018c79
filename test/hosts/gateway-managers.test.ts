/**
 * Gateways respond did not start, as real processes started the ways people start them: nohup
 * from a shell, a supervisord program, a runit service, and a home-grown watchdog. Discovery
 * names the manager from /proc; stop and start go through that manager; a bare process is
 * adopted with its own environment; an unknown manager yields an instruction, not a kill.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, copyFileSync, cpSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { execa } from 'execa';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createOpenclawActivities } from '../../activities/openclaw/activities.js';
import { adoptedDir } from '../../activities/openclaw/gateway/managers/bare.js';
import { createFixtureHost, NEWER, OLDER, type FixtureHost } from '../fixtures/openclaw.js';
import { startSshd } from '../fixtures/sshd.js';
import { SshTransport } from '../../activities/hosts/transports/index.js';
import { ROOT } from '../helpers/sandbox.js';
import {
  launchNohup,
  launchPm2,
  launchRunit,
  launchSupervisord,
  launchUnknownWatchdog,
  waitClosed,
  waitListening,
  type Launched,
} from '../fixtures/gateway-launchers.js';

vi.setConfig({ testTimeout: 300_000 });

const acts = createOpenclawActivities();
let fx: FixtureHost;
let launched: Launched | undefined;
const outputs: string[] = [];
const apiKey = `sk-ant-api03-${randomBytes(24).toString('hex')}`;
let secretEnv: Record<string, string>;

/** Every activity result is kept, to scan for secret values at the end. */
async function seen<T>(p: Promise<T>): Promise<T> {
  const v = await p;
  outputs.push(JSON.stringify(v));
  return v;
}

function environOf(pid: number): Record<string, string> {
  const env: Record<string, string> = {};
  for (const kv of readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0')) {
    const i = kv.indexOf('=');
    if (i > 0) env[kv.slice(0, i)] = kv.slice(i + 1);
  }
  return env;
}

beforeAll(async () => {
  fx = await createFixtureHost({ name: 'adopt', version: OLDER, start: false });
  // Given the way a shell user gives them: in the environment of the command.
  secretEnv = { OPENCLAW_GATEWAY_TOKEN: fx.token, ANTHROPIC_API_KEY: apiKey };
});

afterEach(async () => {
  await launched?.stop();
  launched = undefined;
  // Whatever respond started (an adopted gateway) goes too.
  await acts.openclawGatewayStop({ host: fx.spec }).catch(() => undefined);
  await waitClosed(fx.spec.gatewayPort);
});

afterAll(async () => {
  await fx?.destroy();
});

describe('a gateway started with nohup from a shell', () => {
  it('is found from its socket, classified bare, its environment seen by name only, and respond reads its paths', async () => {
    launched = await launchNohup(fx, { env: secretEnv });
    const d = await seen(acts.openclawGatewayDiscover({ host: fx.spec }));
    expect(d.manager).toMatchObject({ kind: 'bare', via: 'detached', argv: 'reconstructed' });
    expect(d.bind).toBe('loopback');
    expect(d.listening.map((l) => l.address).sort()).toEqual(['127.0.0.1', '::1']);
    // 2026.1.29: the launcher (`openclaw`) owns the gateway child that holds the socket.
    expect(d.chain[0]!.comm).toMatch(/^openclaw-gatewa/);
    expect(d.gateway!.comm).toBe('openclaw');
    expect(d.gateway!.envKeys).toEqual(expect.arrayContaining(['ANTHROPIC_API_KEY', 'OPENCLAW_GATEWAY_TOKEN', 'HOME']));
    expect(d.seen).toMatchObject({ stateDir: fx.stateDir, home: fx.spec.env.HOME, user: 'root' });

    const facts = await seen(acts.openclawFacts({ host: fx.spec, audit: false }));
    expect(facts.pathsFrom).toBe('gateway-process');
    expect(facts.gateway.manager.kind).toBe('bare');
    expect(facts.gateway.liveBind).toBe('loopback');
    expect(facts.gateway.process?.envKeys).toContain('ANTHROPIC_API_KEY');
    expect(facts.gateway.token.verdict).toBe('accepted');

    // The same, as a person reads it.
    const inventory = join(fx.root, 'inventory.json');
    writeFileSync(inventory, JSON.stringify({ version: 1, hosts: [fx.spec] }));
    const cli = await execa('node', [join(ROOT, 'bin', 'respond.js'), 'facts', '--inventory', inventory], { reject: false });
    outputs.push(cli.stdout, cli.stderr);
    expect(cli.exitCode, cli.stderr).toBe(0);
    expect(cli.stdout).toMatch(/managed by a bare process \(pid \d+, started from detached; command line reconstructed\)/);
    expect(cli.stdout).toContain(`state dir  ${fx.stateDir}  (env, as the running gateway sees it)`);
    expect(cli.stdout).toMatch(/env names .*\bANTHROPIC_API_KEY\b/);
    expect(cli.stdout).toMatch(/live sockets (127\.0\.0\.1, ::1|::1, 127\.0\.0\.1) \(loopback\)/);
  });

  it('is adopted: stopped after its environment is kept on the host (0600), and started again with it under respond', async () => {
    launched = await launchNohup(fx, { env: secretEnv });
    const before = await seen(acts.openclawGatewayDiscover({ host: fx.spec }));
    const stop = await seen(acts.openclawGatewayStop({ host: fx.spec }));
    expect(stop).toMatchObject({ stopped: true, manager: { kind: 'bare', pid: before.gateway!.pid } });
    expect(stop.manual).toBeUndefined();
    await waitClosed(fx.spec.gatewayPort, 5_000);

    const dir = adoptedDir(fx.stateDir);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    for (const f of ['environ', 'adopted.json']) expect(statSync(join(dir, f)).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(dir, 'environ'), 'utf8')).toContain(`ANTHROPIC_API_KEY=${apiKey}`);

    // A retried stop (the worker died after it) finds nothing running and returns the same manager.
    const again = await seen(acts.openclawGatewayStop({ host: fx.spec }));
    expect(again).toMatchObject({ stopped: false, manager: { kind: 'bare' } });

    const start = await seen(acts.openclawGatewayStart({ host: fx.spec, manager: stop.manager }));
    expect(start).toMatchObject({ started: true, manager: { kind: 'respond' } });
    const after = await seen(acts.openclawGatewayDiscover({ host: fx.spec }));
    expect(after.manager.kind).toBe('respond');
    expect(after.gateway!.pid).not.toBe(before.gateway!.pid);
    expect(after.bind).toBe('loopback');
    expect(after.port).toBe(before.port);
    const env = environOf(after.gateway!.pid);
    expect(env.ANTHROPIC_API_KEY).toBe(apiKey);
    expect(env.OPENCLAW_GATEWAY_TOKEN).toBe(fx.token);
    expect(after.gateway!.cwd).toBe(before.gateway!.cwd);
    const facts = await seen(acts.openclawFacts({ host: fx.spec, audit: false }));
    expect(facts.gateway.token.verdict).toBe('accepted');
  });
});

describe('a 2026.9.6 gateway started with nohup, over SSH', () => {
  it('is one retitled process, adopted and started again with its environment, token accepted', async () => {
    const sshd = await startSshd();
    const nx = await createFixtureHost({ name: 'adopt-new', version: NEWER, start: false });
    const host = { ...nx.spec, transport: sshd.transport() };
    let l: Launched | undefined;
    try {
      l = await launchNohup(nx, { env: { ANTHROPIC_API_KEY: apiKey } });
      const d = await seen(acts.openclawGatewayDiscover({ host }));
      expect(d.manager).toMatchObject({ kind: 'bare', via: 'detached', argv: 'reconstructed' });
      // 2026.9.x: no launcher; the socket's owner is the gateway.
      expect(d.gateway!.pid).toBe(d.chain[0]!.pid);
      expect(d.gateway!.comm).toMatch(/^openclaw-gatewa/);
      const stop = await seen(acts.openclawGatewayStop({ host }));
      expect(stop).toMatchObject({ stopped: true, manager: { kind: 'bare' } });
      const start = await seen(acts.openclawGatewayStart({ host, manager: stop.manager }));
      expect(start).toMatchObject({ started: true, manager: { kind: 'respond' } });
      const facts = await seen(acts.openclawFacts({ host, audit: false }));
      expect(facts.gateway).toMatchObject({ live: true, liveBind: 'loopback', manager: { kind: 'respond' }, token: { verdict: 'accepted' } });
      expect(environOf(facts.gateway.process!.pid).ANTHROPIC_API_KEY).toBe(apiKey);
      for (const o of outputs) expect(o).not.toContain(nx.token);
    } finally {
      await l?.stop();
      await acts.openclawGatewayStop({ host: nx.spec }).catch(() => undefined);
      await new SshTransport(sshd.transport()).close();
      await Promise.allSettled([nx.destroy(), sshd.stop()]);
    }
  });
});

describe('a gateway run by a service account', () => {
  it('is adopted by a root respond and started again as that account, never as root', async () => {
    const user = 'respond-test-gw';
    await execa('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', user], { reject: false });
    const uid = Number((await execa('id', ['-u', user])).stdout);
    const gid = Number((await execa('id', ['-g', user])).stdout);
    const ox = await createFixtureHost({ name: 'svc-account', version: OLDER, start: false });
    let l: Launched | undefined;
    try {
      // The account can reach the install and owns its state, home and temp dirs, as on a real host.
      chmodSync(ox.root, 0o755);
      const node = join(ox.root, 'node');
      copyFileSync(ox.spec.node, node);
      chmodSync(node, 0o755);
      ox.spec.node = node;
      mkdirSync(join(ox.root, 'logs'), { recursive: true });
      await execa('chown', ['-R', `${uid}:${gid}`, ox.stateDir, join(ox.root, 'home'), join(ox.root, 'tmp'), join(ox.root, 'logs')]);
      l = await launchNohup(ox, { as: { uid, gid } });
      const d = await seen(acts.openclawGatewayDiscover({ host: ox.spec }));
      expect(d.manager.kind).toBe('bare');
      expect(d.gateway).toMatchObject({ uid, user });
      const stop = await seen(acts.openclawGatewayStop({ host: ox.spec }));
      expect(stop.stopped).toBe(true);
      const start = await seen(acts.openclawGatewayStart({ host: ox.spec, manager: stop.manager }));
      expect(start.started).toBe(true);
      const after = await seen(acts.openclawGatewayDiscover({ host: ox.spec }));
      expect(after.gateway).toMatchObject({ uid, user });
      expect(readFileSync(`/proc/${after.gateway!.pid}/status`, 'utf8')).toMatch(new RegExp(`\\nGid:\\t${gid}\\t`));
      const facts = await seen(acts.openclawFacts({ host: ox.spec, audit: false }));
      expect(facts.gateway.token.verdict).toBe('accepted');
    } finally {
      await l?.stop();
      await acts.openclawGatewayStop({ host: ox.spec }).catch(() => undefined);
      await ox.destroy();
      await execa('userdel', [user], { reject: false });
    }
  });
});

describe('a gateway running under another HOME than respond\'s session', () => {
  it("is read where it really keeps its state: its own HOME's ~/.openclaw, not the session's OPENCLAW_STATE_DIR", async () => {
    const otherHome = join(fx.root, 'other-home');
    mkdirSync(otherHome, { recursive: true });
    cpSync(fx.stateDir, join(otherHome, '.openclaw'), { recursive: true });
    launched = await launchNohup(fx, { env: { HOME: otherHome }, unset: ['OPENCLAW_STATE_DIR'] });
    // respond's own session still has OPENCLAW_STATE_DIR pointing at the first state dir.
    expect(fx.spec.env.OPENCLAW_STATE_DIR).toBe(fx.stateDir);
    const facts = await seen(acts.openclawFacts({ host: fx.spec, audit: false }));
    expect(facts).toMatchObject({ pathsFrom: 'gateway-process', stateDir: join(otherHome, '.openclaw'), stateDirSource: 'default' });
    expect(facts.configPath).toBe(join(otherHome, '.openclaw', 'openclaw.json'));
    expect(facts.gateway.token.verdict).toBe('accepted');
  });
});

describe('a gateway under a process supervisor', () => {
  it('supervisord: found as its program, restarted with supervisorctl, and still supervised afterwards', async () => {
    const sup = await launchSupervisord(fx, { env: secretEnv });
    launched = sup;
    const d = await seen(acts.openclawGatewayDiscover({ host: fx.spec }));
    expect(d.manager).toEqual({ kind: 'supervised-other', supervisor: 'supervisord', name: 'openclaw-gateway', control: sup.conf, pid: d.gateway!.pid });
    const stop = await seen(acts.openclawGatewayStop({ host: fx.spec }));
    expect(stop.stopped).toBe(true);
    expect(await sup.ctl('status', 'openclaw-gateway')).toMatch(/STOPPED/);
    // Stopped through the supervisor, it stays down (a kill behind its back would be restarted).
    await new Promise((r) => setTimeout(r, 4_000));
    await waitClosed(fx.spec.gatewayPort, 1_000);

    const start = await seen(acts.openclawGatewayStart({ host: fx.spec, manager: stop.manager }));
    expect(start.started).toBe(true);
    expect(await sup.ctl('status', 'openclaw-gateway')).toMatch(/RUNNING/);
    const after = await seen(acts.openclawGatewayDiscover({ host: fx.spec }));
    expect(after.manager).toMatchObject({ kind: 'supervised-other', supervisor: 'supervisord' });
    expect(after.gateway!.pid).not.toBe(d.gateway!.pid);
  });

  it('runit: found as its service, restarted with sv, and still supervised afterwards', async () => {
    const rs = await launchRunit(fx, { env: secretEnv });
    launched = rs;
    const d = await seen(acts.openclawGatewayDiscover({ host: fx.spec }));
    expect(d.manager).toEqual({ kind: 'supervised-other', supervisor: 'runit', name: 'openclaw-gateway', control: rs.serviceDir, pid: d.gateway!.pid });
    const stop = await seen(acts.openclawGatewayStop({ host: fx.spec }));
    expect(stop.stopped).toBe(true);
    const start = await seen(acts.openclawGatewayStart({ host: fx.spec, manager: stop.manager }));
    expect(start.started).toBe(true);
    const after = await seen(acts.openclawGatewayDiscover({ host: fx.spec }));
    expect(after.manager).toMatchObject({ kind: 'supervised-other', supervisor: 'runit', control: rs.serviceDir });
    expect(after.chain.map((p) => p.comm)).toContain('runsv');
    expect(after.gateway!.pid).not.toBe(d.gateway!.pid);
  });
});

describe('a gateway under pm2', () => {
  it('is found as its pm2 process, restarted with pm2 stop and start, and still under pm2', async () => {
    const p = await launchPm2(fx, { env: secretEnv });
    launched = p;
    // pm2 is on the PATH of respond's session on the host, as after `npm install -g pm2`.
    const host = { ...fx.spec, env: { ...fx.spec.env, PATH: p.path } };
    const d = await seen(acts.openclawGatewayDiscover({ host }));
    expect(d.manager).toEqual({ kind: 'supervised-other', supervisor: 'pm2', name: '0', control: join(fx.root, 'pm2'), pid: d.gateway!.pid });
    expect(d.chain.at(-1)!.comm).toMatch(/^PM2 v/);
    const stop = await seen(acts.openclawGatewayStop({ host }));
    expect(stop.stopped).toBe(true);
    expect(await p.pm2('jlist')).toMatch(/"status":"stopped"/);
    const start = await seen(acts.openclawGatewayStart({ host, manager: stop.manager }));
    expect(start.started).toBe(true);
    expect(await p.pm2('jlist')).toMatch(/"status":"online"/);
    const after = await seen(acts.openclawGatewayDiscover({ host }));
    expect(after.manager).toMatchObject({ kind: 'supervised-other', supervisor: 'pm2' });
    expect(after.gateway!.pid).not.toBe(d.gateway!.pid);
  });
});

describe('a gateway under a manager respond does not know', () => {
  it('is not killed: stop and the upgrade plan say what a person must do', async () => {
    const wd = await launchUnknownWatchdog(fx, { env: secretEnv });
    launched = wd;
    const d = await seen(acts.openclawGatewayDiscover({ host: fx.spec }));
    expect(d.manager).toMatchObject({ kind: 'unknown', pid: d.gateway!.pid });
    expect((d.manager as { reason: string }).reason).toMatch(/started by python3 \(pid \d+\)/);

    const stop = await seen(acts.openclawGatewayStop({ host: fx.spec }));
    expect(stop).toMatchObject({ stopped: false, manual: { action: 'stop', check: 'port-closed' } });
    expect(stop.manual!.instruction).toMatch(/a person must stop the gateway on adopt \(port \d+, pid \d+; unknown manager/);
    // Untouched: the same gateway process still serves the port.
    await waitListening(fx.spec.gatewayPort, 1_000);
    expect((await acts.openclawGatewayDiscover({ host: fx.spec })).gateway!.pid).toBe(d.gateway!.pid);
    await expect(acts.openclawGatewayCheck({ host: fx.spec, check: 'port-closed' })).rejects.toThrow(/still held by unknown manager/);

    const plan = await seen(acts.openclawUpgradePlan({ host: fx.spec, target: '2026.9.6' }));
    expect(plan).toMatchObject({ manual: true, manager: { kind: 'unknown' } });
    expect(plan.commands[0]).toMatch(/a person must stop the gateway/);
  });
});

describe('secrets', () => {
  it('no activity result carried the token or the API key from the gateway environment', () => {
    expect(outputs.length).toBeGreaterThan(10);
    for (const o of outputs) {
      expect(o).not.toContain(fx.token);
      expect(o).not.toContain(apiKey);
    }
  });
});
