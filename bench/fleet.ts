/**
 * Fleet fan-out on the embedded default: 10, 100 and 1,000 hosts on the local transport, each a
 * real OpenClaw state dir (copied from one the real CLI made) in its own home, with live gateways
 * on two of them. The runbook reads each host's facts and sweeps its scope, gates auto-approved.
 * Beside it, in the same run, a plain sequential script doing the same per-host work with the same
 * library calls. Prints JSON.
 * Usage: npm run bench:fleet [-- --sizes 10,100,1000 --concurrency 25]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { createOpenclawActivities } from '../activities/openclaw/activities.js';
import { createSweepActivities, defaultSweepDeps } from '../activities/sweep/activities.js';
import type { HostSpec } from '../lib/inventory/schema.js';
import { createFixtureHost, ensureOpenclaw, NEWER, type FixtureHost } from '../test/fixtures/openclaw.js';
import { ensureNode24 } from '../test/fixtures/node24.js';
import { makeFleet, makeTemplate } from '../test/fleet/helpers/fleet.js';
import { Sandbox } from '../test/helpers/sandbox.js';
import { largestHistory, waitClosed } from '../test/helpers/fleet-runs.js';
import { arg } from './args.js';

const sizes = arg('--sizes', '10,100,1000').split(',').map(Number);
const concurrency = Number(arg('--concurrency', '25'));

const root = mkdtempSync(join(tmpdir(), 'respond-bench-fleet-'));
const runbook = join(root, 'fleet-bench.yaml');
writeFileSync(
  runbook,
  [
    'name: fleet-bench',
    'params:',
    '  inventory: { default: inventory.yaml }',
    'fleet:',
    "  inventory: '{{params.inventory}}'",
    '  canary: none',
    'steps:',
    '  - { id: facts, kind: facts }',
    // OpenClaw's own secrets audit is left out, as facts leave out its security audit: the bench measures orchestration.
    '  - { id: sweep, kind: sweep, openclawAudit: false }',
    '',
  ].join('\n'),
);

const node = await ensureNode24();
const prefix = await ensureOpenclaw(NEWER);
const template = await makeTemplate(join(root, 'template'));
const live: FixtureHost[] = [];
for (const name of ['live-1', 'live-2']) live.push(await createFixtureHost({ name, version: NEWER, start: true }));

function hostsFor(n: number, dir: string): HostSpec[] {
  const out: HostSpec[] = live.slice(0, Math.min(2, n)).map((h) => h.spec);
  const names = Array.from({ length: n - out.length }, (_, i) => `host-${String(i + out.length).padStart(4, '0')}`);
  for (const h of makeFleet(template, dir, names).hosts) {
    out.push({
      name: h.name,
      tags: [],
      transport: { type: 'local' },
      install: { method: 'npm', prefix, npm: 'npm' },
      node,
      stateDir: h.stateDir,
      gatewayPort: 18789,
      env: { HOME: h.home, TMPDIR: join(h.root, 'tmp') },
    });
  }
  return out;
}

async function script(hosts: HostSpec[]): Promise<number> {
  const oc = createOpenclawActivities();
  const sw = createSweepActivities(defaultSweepDeps());
  const t0 = Date.now();
  for (const host of hosts) {
    await oc.openclawFacts({ host, audit: false });
    await sw.sweepHost({ host, openclawAudit: false });
  }
  return Date.now() - t0;
}

function peakRss(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

async function fleetRun(s: Sandbox, c: Client, hosts: HostSpec[], dir: string) {
  const inventory = join(dir, 'inventory.yaml');
  writeFileSync(inventory, JSON.stringify({ version: 1, hosts }));
  const incident = `BENCH-${hosts.length}-${Date.now()}`;
  const t0 = Date.now();
  const r = await s.cli(['start', runbook, '--inventory', inventory, '--incident', incident, '--auto-approve', '--detach', '--set', `fleet.maxConcurrency=${concurrency}`]);
  if (r.code !== 0) throw new Error(`start failed: ${r.stderr}`);
  const id = `respond-fleet-bench-${incident}`;
  const outcome = await waitClosed(c, id);
  const wallMs = Date.now() - t0;
  if (outcome !== 'COMPLETED') throw new Error(`fleet run ended ${outcome}`);
  // Orchestration per host: the host workflow's life minus the time its steps ran.
  const steps = new Map<string, number>();
  const startedAt = new Map<string, number>();
  for (const e of s.audit().filter((x) => x.incident === incident && x.host)) {
    const k = `${e.host}/${e.step}`;
    if (e.event === 'step.started') startedAt.set(k, Date.parse(e.ts));
    if (e.event === 'step.completed') steps.set(e.host!, (steps.get(e.host!) ?? 0) + Date.parse(e.ts) - startedAt.get(k)!);
  }
  let overhead = 0;
  let counted = 0;
  for await (const w of c.workflow.list({ query: `RespondIncident = '${incident}' AND WorkflowType = 'hostWorkflow'` })) {
    if (!w.closeTime) continue;
    const host = w.workflowId.slice(id.length + 1);
    overhead += w.closeTime.getTime() - w.startTime.getTime() - (steps.get(host) ?? 0);
    counted++;
  }
  const hist = await largestHistory(c, incident);
  return { wallMs, perHostMs: Math.round(wallMs / hosts.length), orchestrationMsPerHost: Math.round(overhead / Math.max(1, counted)), hostsCounted: counted, largestHistory: hist };
}

const s = await Sandbox.create();
const results: unknown[] = [];
try {
  if ((await s.cli(['list'])).code !== 0) throw new Error('embedded server did not start');
  const c = await s.client();
  for (const n of sizes) {
    const dir = join(root, `n${n}`);
    execFileSync('mkdir', ['-p', dir]);
    const hosts = hostsFor(n, dir);
    const fleet = await fleetRun(s, c, hosts, dir);
    const scriptMs = await script(hosts);
    results.push({
      hosts: n,
      maxConcurrency: concurrency,
      fleet,
      plainScript: { wallMs: scriptMs, perHostMs: Math.round(scriptMs / n) },
      speedup: Number((scriptMs / fleet.wallMs).toFixed(2)),
      peakWorkerRssBytes: peakRss(s.pids().worker!),
    });
    rmSync(dir, { recursive: true, force: true });
  }
} finally {
  await s.stop();
  await Promise.allSettled(live.map((h) => h.destroy()));
  rmSync(root, { recursive: true, force: true });
}
console.log(JSON.stringify({ bench: 'fleet', machine: { cores: (await import('node:os')).cpus().length }, results }, null, 2));
process.exit(0);
