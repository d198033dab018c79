/**
 * OpenClaw's own `openclaw fleet` for real: two tenant cells in rootful Podman containers, from
 * an image built here from the fixture's install. respond imports them as inventory hosts,
 * recognises each cell from its port (conmon holds it on the host) as an `openclaw-fleet` cell,
 * and stops and starts it through `openclaw fleet`, never behind the fleet's back.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createOpenclawActivities } from '../../activities/openclaw/activities.js';
import { parseInventory } from '../../lib/inventory/load.js';
import type { HostSpec } from '../../lib/inventory/schema.js';
import { Sandbox } from '../helpers/sandbox.js';
import { createFixtureHost, freePortBlock, NEWER, type FixtureHost } from '../fixtures/openclaw.js';
import { ensureCellImage, podmanEnv } from '../fixtures/podman.js';


vi.setConfig({ testTimeout: 600_000 });

const acts = createOpenclawActivities();
const TENANTS = ['acme', 'globex'];
let s: Sandbox;
let machine: FixtureHost;
let spec: HostSpec;
let image: string;
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

  it('no cell token appeared in respond output', () => {
    expect(tokens).toHaveLength(3);
    for (const t of tokens) {
      for (const o of [...outputs, ...s.captured]) expect(o).not.toContain(t);
    }
  });
});
