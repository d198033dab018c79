/**
 * Internet scale, in dry-run mode on the embedded default: a generated inventory of 20,000 hosts,
 * a runbook of host-scoped steps (a sweep and a gated scrub), one child workflow per host. Reports
 * the wall time and the largest history of any run in it (the parent continues as new, so each of
 * its runs stays small). Prints JSON.
 * Usage: npm run bench:fleet-scale [-- --hosts 20000 --concurrency 200]
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Sandbox } from '../test/helpers/sandbox.js';
import { largestHistory, waitClosed } from '../test/helpers/fleet-runs.js';
import { arg } from './args.js';

const n = Number(arg('--hosts', '20000'));
const concurrency = Number(arg('--concurrency', '200'));

const root = mkdtempSync(join(tmpdir(), 'respond-bench-scale-'));
const runbook = join(root, 'scale.yaml');
writeFileSync(
  runbook,
  [
    'name: scale',
    'params:',
    '  inventory: { default: inventory.yaml }',
    'secrets:',
    '  old: { ref: env:HOME }',
    'fleet:',
    "  inventory: '{{params.inventory}}'",
    '  canary: 10',
    '  waves: [1%, 10%, 100%]',
    'steps:',
    "  - { id: find, kind: sweep, hunt: ['{{secrets.old}}'] }",
    "  - { id: scrub, kind: scrub, hunt: ['{{secrets.old}}'] }",
    '',
  ].join('\n'),
);
const inventory = join(root, 'inventory.yaml');
const hosts = Array.from({ length: n }, (_, i) => {
  const name = `gw-${String(i).padStart(5, '0')}`;
  return { name, tags: i % 50 === 0 ? ['canary'] : [], transport: 'local', install: { method: 'npm' }, stateDir: `/srv/tenants/${name}/.openclaw` };
});
writeFileSync(inventory, JSON.stringify({ version: 1, hosts }));

const s = await Sandbox.create();
try {
  if ((await s.cli(['list'])).code !== 0) throw new Error('embedded server did not start');
  const c = await s.client();
  const incident = `SCALE-${n}`;
  const t0 = Date.now();
  const r = await s.cli(['start', runbook, '--inventory', inventory, '--incident', incident, '--dry-run', '--detach', '--set', `fleet.maxConcurrency=${concurrency}`]);
  if (r.code !== 0) throw new Error(`start failed: ${r.stderr}`);
  const outcome = await waitClosed(c, `respond-scale-${incident}`);
  const wallMs = Date.now() - t0;
  if (outcome !== 'COMPLETED') throw new Error(`run ended ${outcome}`);
  const hist = await largestHistory(c, incident);
  const parentRuns = [];
  for await (const w of c.workflow.list({ query: `WorkflowId = 'respond-scale-${incident}'` })) parentRuns.push(w.historyLength);
  console.log(
    JSON.stringify(
      {
        bench: 'fleet-scale',
        hosts: n,
        mode: 'dry-run',
        maxConcurrency: concurrency,
        wallMs,
        hostsPerSec: Number(((n * 1000) / wallMs).toFixed(1)),
        workflows: hist.runs,
        largestHistory: { events: hist.events, bytes: hist.bytes, workflowId: hist.workflowId },
        parentRuns: { count: parentRuns.length, largestEvents: Math.max(...parentRuns) },
        // Every host's dry-run record reached the audit log exactly once.
        plannedRecords: new Set(s.audit().filter((e) => e.incident === incident && e.event === 'host.planned').map((e) => e.host)).size,
      },
      null,
      2,
    ),
  );
} finally {
  await s.stop();
  rmSync(root, { recursive: true, force: true });
}
process.exit(0);
