/**
 * OpenClaw's own `openclaw fleet` for real: two tenant cells in rootful Podman containers, from
 * an image built here from the fixture's install. respond imports them as inventory hosts,
 * recognises each cell from its port (conmon holds it on the host) as an `openclaw-fleet` cell,
 * and stops and starts it through `openclaw fleet`, never behind the fleet's back.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Client } from '@temporalio/client';
import { createTransport } from '../../activities/hosts/transports/index.js';
import { createOpenclawActivities } from '../../activities/openclaw/activities.js';
import { probeHostGateway } from '../../activities/openclaw/gateway-process.js';
import { openOpenclawHost } from '../../activities/openclaw/host.js';
import { createRotationActivities } from '../../activities/rotation/activities.js';
import { recreateWithNewToken, recreateWithToken } from '../../activities/rotation/providers/openclaw-fleet-cell.js';
import { RotationVault, rotationDir } from '../../activities/rotation/vault.js';
import { fingerprint } from '../../lib/secrets.js';
import { parseInventory } from '../../lib/inventory/load.js';
import type { HostSpec } from '../../lib/inventory/schema.js';
import { historyJson } from '../helpers/runs.js';
import { ROOT, Sandbox } from '../helpers/sandbox.js';
import { createFixtureHost, freePortBlock, NEWER, type FixtureHost } from '../fixtures/openclaw.js';
import { ensureCellImage, podmanEnv } from '../fixtures/podman.js';
import { containerCheck } from '../../lib/posture/checks/container.js';
import { gatewayFacts, runCheck } from '../posture/inputs.js';


vi.setConfig({ testTimeout: 600_000 });

const acts = createOpenclawActivities();
const TENANTS = ['acme', 'globex'];
let s: Sandbox;
let machine: FixtureHost;
let spec: HostSpec;
let image: string;
let c: Client;
const tokens: string[] = [];
const outputs: string[] = [];

async function fleet(args: string[], reject = true) {
  return execa(spec.node, [join(machine.prefix, 'node_modules', 'openclaw', 'openclaw.mjs'), 'fleet', ...args], {
    env: { ...process.env, ...spec.env },
    reject,
  });
}

async function waitHealthy(port: number): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`no healthy gateway on ${port}`);
}

async function verdicts(host: HostSpec, values: string[]): Promise<string[]> {
  const h = await openOpenclawHost(host, createTransport(host));
  try {
    const out: string[] = [];
    for (const v of values) out.push((await probeHostGateway(h, v)).token);
    return out;
  } finally {
    await h.t.close();
  }
}

async function settled(host: HostSpec, values: string[], want: string[]): Promise<string[]> {
  const deadline = Date.now() + 30_000;
  let got = await verdicts(host, values);
  while (JSON.stringify(got) !== JSON.stringify(want) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 500));
    got = await verdicts(host, values);
  }
  return got;
}

/** A history's JSON with every base64 payload decoded beside it, so a scan sees what they hold. */
async function cellState(tenant: string): Promise<string> {
  const r = await fleet(['status', tenant, '--json']);
  return (JSON.parse(r.stdout) as { container: { state: string } }).container.state;
}

beforeAll(async () => {
  image = await ensureCellImage(NEWER);
  machine = await createFixtureHost({ name: 'fleet-machine', version: NEWER, start: false });
  spec = { ...machine.spec, env: { ...machine.spec.env, ...(await podmanEnv()) } };
  for (const tenant of TENANTS) {
    const port = await freePortBlock(1);
    const r = await fleet(['create', tenant, '--runtime', 'podman', '--image', image, '--port', String(port), '--json']);
    // The create result is the one place the fleet prints a cell's token.
    tokens.push((JSON.parse(r.stdout.slice(r.stdout.indexOf('{'))) as { token: string }).token);
  }
  s = await Sandbox.create();
  expect((await s.cli(['list'])).code).toBe(0);
  c = await s.client();
});

afterAll(async () => {
  for (const tenant of TENANTS) if (machine) await fleet(['rm', tenant, '--purge-data', '--force'], false);
  await Promise.allSettled([s?.stop(), machine?.destroy()]);
});

describe('openclaw fleet cells', () => {
  let cells: HostSpec[] = [];

  it('respond inventory import writes one host per cell, tenant as name and tag', async () => {
    const inv = join(s.dir, 'machine.yaml');
    writeFileSync(inv, JSON.stringify({ version: 1, hosts: [spec] }, null, 2));
    const out = join(s.dir, 'cells.yaml');
    const r = await s.cli(['inventory', 'import', '--openclaw-fleet', '--inventory', inv, '--host', 'fleet-machine', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/fleet-machine: 2 fleet cells \(acme:\d+, globex:\d+\)/);
    cells = parseInventory(readFileSync(out, 'utf8'), out).hosts;
    expect(cells.map((h) => h.name)).toEqual(TENANTS);
    for (const h of cells) {
      expect(h.tags).toEqual([h.name, 'openclaw-fleet', 'cells-of-fleet-machine']);
      expect(h.stateDir).toBe(join(machine.stateDir, 'fleet', 'cells', h.name));
    }
    const again = await s.cli(['inventory', 'import', '--openclaw-fleet', '--inventory', inv, '--host', 'fleet-machine', '--out', out]);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(/exists; add --merge/);
  });

  it('a cell is found from its port as an openclaw-fleet cell of the machine', async () => {
    const acme = cells.find((h) => h.name === 'acme')!;
    const d = await acts.openclawGatewayDiscover({ host: acme });
    outputs.push(JSON.stringify(d));
    expect(d.manager).toEqual({ kind: 'openclaw-fleet', runtime: 'podman', tenant: 'acme', container: 'openclaw-cell-acme', ownerStateDir: machine.stateDir });
    // On the host, the runtime's conmon holds the published loopback port.
    expect(d.chain[0]!.comm).toBe('conmon');
    expect(d.bind).toBe('loopback');
    const facts = await acts.openclawFacts({ host: acme, audit: false });
    outputs.push(JSON.stringify(facts));
    expect(facts).toMatchObject({ pathsFrom: 'session', stateDir: acme.stateDir, gateway: { live: true, manager: { kind: 'openclaw-fleet' } } });
    // A cell is upgraded by the fleet, with an image: the plan says how instead of npm-installing.
    const plan = await acts.openclawUpgradePlan({ host: acme, target: NEWER }).catch((e: Error) => e);
    expect(String(plan)).toContain('upgrade it with `openclaw fleet upgrade acme --image <image of openclaw 2026.9.6>`');
  });

  it('posture: a cell holds to the security profile openclaw fleet promises for it', async () => {
    const acme = cells.find((h) => h.name === 'acme')!;
    const d = await acts.openclawGatewayDiscover({ host: acme });
    const r = await runCheck(containerCheck, gatewayFacts({ port: acme.gatewayPort, live: true, manager: d.manager, listening: d.listening.map((l) => l.address) }));
    outputs.push(JSON.stringify(r));
    const subjects = r.evidence.subjects as Array<{ source: string; hardening: Record<string, unknown>; failing: Array<{ item: string; severity: string }> }>;
    expect(subjects[0]!.source).toBe('podman container openclaw-cell-acme (openclaw fleet cell: its security profile)');
    // docs/cli/fleet.md: --cap-drop=ALL, no-new-privileges, --pids-limit 512, --memory 2g, 127.0.0.1 publishing.
    expect(subjects[0]!.hardening).toMatchObject({ allCapsDropped: true, noNewPrivileges: true, pidsLimit: 512, memory: '2048m', privileged: false, socketMounts: [] });
    expect((subjects[0]!.hardening.ports as Array<{ hostIp: string }>).every((p) => p.hostIp === '127.0.0.1')).toBe(true);
    expect(subjects[0]!.failing.filter((f) => f.severity === 'fail'), r.summary).toEqual([]);
    expect(['pass', 'warn']).toContain(r.status);
  });

  it('stop and start go through openclaw fleet, and the cell comes back', async () => {
    const globex = cells.find((h) => h.name === 'globex')!;
    const stop = await acts.openclawGatewayStop({ host: globex });
    outputs.push(JSON.stringify(stop));
    expect(stop).toMatchObject({ stopped: true, manager: { kind: 'openclaw-fleet', tenant: 'globex' } });
    expect(await cellState('globex')).toBe('exited');
    // The other tenant is untouched.
    expect(await cellState('acme')).toBe('running');

    const start = await acts.openclawGatewayStart({ host: globex, manager: stop.manager });
    outputs.push(JSON.stringify(start));
    expect(start).toMatchObject({ started: true, manager: { kind: 'openclaw-fleet', tenant: 'globex' } });
    expect(await cellState('globex')).toBe('running');
    const health = await fetch(`http://127.0.0.1:${globex.gatewayPort}/healthz`);
    expect(health.status).toBe(200);
  });

  it('a plain container (not a fleet cell) is restarted with its runtime, stop then start', async () => {
    const port = await freePortBlock(1);
    const token = `plain-${Date.now()}-${Math.random().toString(36).slice(2)}`;
    tokens.push(token);
    await execa('podman', ['run', '-d', '--name', 'respond-test-plain', '-e', `OPENCLAW_GATEWAY_TOKEN=${token}`, '-p', `127.0.0.1:${port}:18789`, image,
      'node', 'dist/index.js', 'gateway', '--bind', 'lan', '--port', '18789', '--allow-unconfigured'], { env: { ...process.env, ...spec.env } });
    try {
      const host: HostSpec = { ...spec, name: 'plain', gatewayPort: port, stateDir: join(s.dir, 'plain-state') };
      await waitHealthy(port);
      const d = await acts.openclawGatewayDiscover({ host });
      outputs.push(JSON.stringify(d));
      expect(d.manager).toEqual({ kind: 'docker', runtime: 'podman', container: 'respond-test-plain', pid: null });
      const plan = await acts.openclawUpgradePlan({ host, target: NEWER }).catch((e: Error) => e);
      expect(String(plan)).toMatch(/runs in podman container respond-test-plain; upgrade its image to openclaw 2026.9.6 instead/);
      const stop = await acts.openclawGatewayStop({ host });
      expect(stop).toMatchObject({ stopped: true, manager: { kind: 'docker', container: 'respond-test-plain' } });
      const state = async () => (await execa('podman', ['inspect', '--format', '{{.State.Status}}', 'respond-test-plain'], { env: { ...process.env, ...spec.env } })).stdout.trim();
      expect(await state()).toBe('exited');
      const start = await acts.openclawGatewayStart({ host, manager: stop.manager });
      outputs.push(JSON.stringify([stop, start]));
      expect(start.started).toBe(true);
      expect(await state()).toBe('running');
    } finally {
      await execa('podman', ['rm', '-f', 'respond-test-plain'], { env: { ...process.env, ...spec.env }, reject: false });
    }
  });

  it('rotate runbook on cell acme: the fleet recreates the container with a new token (state and port kept), old refused, globex untouched', async () => {
    const [acme, globex] = [cells.find((h) => h.name === 'acme')!, cells.find((h) => h.name === 'globex')!];
    const [oldAcme, oldGlobex] = [tokens[0]!, tokens[1]!];
    const dataDir = join(machine.stateDir, 'fleet', 'cells', 'acme');
    const marker = join(dataDir, 'workspace', 'respond-marker.md');
    mkdirSync(join(dataDir, 'workspace'), { recursive: true });
    writeFileSync(marker, 'tenant state that must survive the rotation\n');
    const inv = join(s.dir, 'cells-inventory.yaml');
    writeFileSync(inv, JSON.stringify({ version: 1, hosts: cells }, null, 2));
    const tokenFile = join(s.dir, 'tokens', '{{host}}.token');
    const plan = await s.cli(['plan', join(ROOT, 'runbooks', 'rotate.yaml'), '--inventory', inv, '--set', 'hosts=acme', '--set', `tokenFile=${tokenFile}`, '--json']);
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toMatch(/recreate the container of openclaw fleet cell acme \(state and port kept\)/);

    const began = Date.now();
    const r = await s.cli(['start', join(ROOT, 'runbooks', 'rotate.yaml'), '--inventory', inv, '--incident', 'CELL-1', '--set', 'hosts=acme', '--set', `tokenFile=${tokenFile}`, '--auto-approve', '--wait']);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const id = 'respond-rotate-CELL-1';
    const rec = new RotationVault(rotationDir(join(s.dir, 'state'))).all().find((x) => x.incident === 'CELL-1')!;
    const approved = s.audit().find((e) => e.workflowId === id && e.event === 'approval.granted' && e.step === 'gateway-set');
    const at = Date.parse(((approved?.args as { at?: string } | undefined)?.at ?? approved?.ts)!);
    console.log(`rotate (fleet cell acme): ${Date.now() - began} ms start to completion; cut-over approval -> old token rejected on the cell's loopback port: ${Date.parse(rec.times.tested!) - at} ms (cell recreated ${Date.parse(rec.times.installed!) - at} ms)`);

    const file = join(s.dir, 'tokens', 'acme.token');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const next = readFileSync(file, 'utf8').trim();
    tokens.push(next);
    expect(next).not.toBe(oldAcme);
    expect(await verdicts(acme, [next, oldAcme])).toEqual(['accepted', 'rejected']);
    // The other tenant is untouched: same container, its token still works.
    expect(await verdicts(globex, [oldGlobex])).toEqual(['accepted']);
    // The tenant's state and port survived the new container.
    expect(readFileSync(marker, 'utf8')).toContain('must survive');
    const st = JSON.parse((await fleet(['status', 'acme', '--json'])).stdout) as { port: number; container: { state: string }; dataDir: string };
    expect(st).toMatchObject({ port: acme.gatewayPort, dataDir, container: { state: 'running' } });
    expect(existsSync(join(machine.stateDir, 'fleet', 'respond', 'acme.recreate.json'))).toBe(false);
    expect(rec).toMatchObject({ state: 'finished', newAtInstall: expect.stringContaining('openclaw fleet create'), fingerprints: { old: fingerprint(oldAcme), new: fingerprint(next) } });
    expect(rec.values).toBeUndefined();

    // Payloads decoded: the new token's fingerprint is in the history, neither value is.
    const history = (await historyJson(c, id)) + (await historyJson(c, `${id}/acme`));
    expect(history).toContain(fingerprint(next));
    const auditText = readFileSync(s.config.auditLogPath, 'utf8');
    for (const v of [oldAcme, next]) {
      expect(history).not.toContain(v);
      expect(auditText).not.toContain(v);
      expect(s.daemonLog()).not.toContain(v);
      for (const o of s.captured) expect(o).not.toContain(v);
    }
  });

  it('a retry after the worker died mid-set finds the cell already recreated and does not rotate again; the old token goes back off the command line', async () => {
    const globex = cells.find((h) => h.name === 'globex')!;
    const old = tokens[1]!;
    const rot = createRotationActivities({ stateDir: join(s.dir, 'direct') });
    const created = await rot.rotationCreate({ host: globex, credential: 'gateway', runKey: 'direct-run/globex', incident: 'CELL-2', overlapMs: 0 });
    expect(created).toMatchObject({ state: 'pending', fingerprints: { old: fingerprint(old), new: '' } });
    // The first attempt recreated the cell, then its worker died before the vault heard of the token.
    const h = await openOpenclawHost(globex, createTransport(globex));
    let first: string;
    try {
      first = (await recreateWithNewToken(h, { value: old })).value;
    } finally {
      await h.t.close();
    }
    tokens.push(first);
    const containerId = async () => (await execa('podman', ['inspect', '--format', '{{.Id}}', 'openclaw-cell-globex'], { env: { ...process.env, ...spec.env } })).stdout.trim();
    const before = await containerId();
    const tokenFile = join(s.dir, 'tokens', 'globex-direct.token');
    const set = await rot.rotationSet({ host: globex, key: created.key, tokenFile });
    expect(await containerId()).toBe(before);
    expect(set).toMatchObject({ state: 'promoted', fingerprints: { new: fingerprint(first) } });
    expect(readFileSync(tokenFile, 'utf8').trim()).toBe(first);
    expect(await verdicts(globex, [first, old])).toEqual(['accepted', 'rejected']);

    // The way a failed test is undone: the cell recreated with a known value, which never shows on a command line.
    const seen: string[] = [];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
          try {
            const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
            if (cmd.includes(old)) seen.push(cmd.replace(/\0/g, ' '));
          } catch {}
        }
        await new Promise((res) => setTimeout(res, 25));
      }
    })();
    const back = await openOpenclawHost(globex, createTransport(globex));
    try {
      await recreateWithToken(back, { value: old });
    } finally {
      sampling = false;
      await sampler;
      await back.t.close();
    }
    expect(seen).toEqual([]);
    // /healthz answers a moment before the handshake does: the step's own test polls likewise.
    expect(await settled(globex, [old, first], ['accepted', 'rejected'])).toEqual(['accepted', 'rejected']);
    await rot.rotationFinish({ key: created.key });
  });

  it('no cell token appeared in respond output', () => {
    expect(tokens.length).toBeGreaterThanOrEqual(3);
    for (const t of tokens) {
      for (const o of [...outputs, ...s.captured]) expect(o).not.toContain(t);
    }
  });
});
