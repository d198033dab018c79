/**
 * `respond posture` at 10, 100 and 1,000 local hosts: real OpenClaw state dirs and homes copied
 * from one fixture host (2026.9.6, seeded by `openclaw setup`), each host with its own HOME and
 * OPENCLAW_STATE_DIR, gateways down. Beside each size, a plain sequential script running the same
 * host-side commands (bench/posture-plain.sh). The large sizes leave out the two checks that
 * start the host's OpenClaw CLI (openclaw-audit, skills: several CPU-seconds each); the 10-host
 * run has every check. Prints JSON.
 * Usage: npm run bench:posture [-- --sizes 10,100,1000 --concurrency 50]
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { probeScript } from '../activities/posture/probe.js';
import { rgPath } from '@vscode/ripgrep';
import { POSTURE_CHECKS } from '../lib/posture/checks/index.js';
import type { HostSpec } from '../lib/inventory/schema.js';
import { setupWorkspace } from '../test/fixtures/memory.js';
import { createFixtureHost, NEWER } from '../test/fixtures/openclaw.js';
import { Sandbox } from '../test/helpers/sandbox.js';
import { arg } from './args.js';

const sizes = arg('--sizes', '10,100,1000').split(',').map(Number);
const concurrency = Number(arg('--concurrency', '50'));
const root = mkdtempSync(join(tmpdir(), 'respond-bench-posture-'));
const template = await createFixtureHost({ name: 'posture-template', version: NEWER, start: false });
await setupWorkspace(template, NEWER);
const s = await Sandbox.create();
const out: Record<string, unknown>[] = [];
try {
  if ((await s.cli(['list'])).code !== 0) throw new Error('embedded server did not start');
  const specs: HostSpec[] = [];
  const lines: string[] = [];
  for (let i = 0; i < Math.max(...sizes); i++) {
    const name = `pg-${String(i).padStart(4, '0')}`;
    const dir = join(root, 'hosts', name);
    const home = join(dir, 'home');
    const state = join(dir, 'state');
    mkdirSync(dir, { recursive: true });
    cpSync(template.spec.env.HOME!, home, { recursive: true });
    cpSync(template.stateDir, state, { recursive: true });
    specs.push({ ...template.spec, name, gatewayPort: 40000 + i, env: { ...template.spec.env, HOME: home, OPENCLAW_STATE_DIR: state } });
    lines.push(`${home} ${state} ${40000 + i}`);
  }
  const probes = join(root, 'probes.sh');
  writeFileSync(probes, probeScript(Object.assign({}, ...POSTURE_CHECKS.map((c) => c.probes)) as Record<string, string>, '@@bench', 20));
  const pattern = join(root, 'pattern');
  writeFileSync(pattern, `${template.token}\n`, { mode: 0o600 });

  for (const n of sizes) {
    const inventory = join(root, `inventory-${n}.yaml`);
    writeFileSync(inventory, JSON.stringify({ version: 1, hosts: specs.slice(0, n) }));
    const skip = n > 10 ? 'openclaw-audit,skills' : '';
    const t0 = Date.now();
    const r = await s.cli(['posture', '--inventory', inventory, '--json', '--incident', `BENCH-${n}`, ...(skip ? ['--skip', skip] : []), '--concurrency', String(concurrency)]);
    const wallMs = Date.now() - t0;
    const parsed = JSON.parse(r.stdout) as { hosts: Array<{ checks: unknown[] }>; failedHosts: unknown[] };
    const listFile = join(root, `hosts-${n}.txt`);
    writeFileSync(listFile, `${lines.slice(0, n).join('\n')}\n`);
    const p0 = Date.now();
    // The 10-host run has every check: the plain script then runs the host CLI commands too.
    const cli = skip ? {} : { OPENCLAW_CLI: `${template.spec.node} ${join(template.prefix, 'node_modules', 'openclaw', 'openclaw.mjs')}` };
    await execa('bash', [join(import.meta.dirname, 'posture-plain.sh'), probes, pattern], { inputFile: listFile, env: { RG: rgPath, ...cli } });
    const plainMs = Date.now() - p0;
    if (parsed.hosts.length !== n) throw new Error(`posture of ${n} hosts reported ${parsed.hosts.length}`);
    out.push({
      hosts: n,
      checked: parsed.hosts.length,
      notChecked: parsed.failedHosts.length,
      checksPerHost: parsed.hosts[0]?.checks.length ?? 0,
      skipped: skip || 'none',
      wallMs,
      perHostMs: Math.round(wallMs / n),
      plainScriptMs: plainMs,
      plainPerHostMs: Math.round(plainMs / n),
    });
  }
  console.log(JSON.stringify({ bench: 'posture', maxConcurrency: concurrency, loadavg: (await import('node:os')).loadavg().map((x) => Number(x.toFixed(2))), runs: out }, null, 2));
} finally {
  await s.stop();
  await template.destroy();
  rmSync(root, { recursive: true, force: true });
}
