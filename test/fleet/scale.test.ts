/**
 * A fleet larger than one workflow run should hold: a dry run over a generated inventory of
 * 1,200 hosts makes the parent continue as new, carries its compact state across, plans every
 * host exactly once, and keeps every history far from Temporal's limits.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { largestHistory, waitClosed } from '../helpers/fleet-runs.js';
import { statusOf } from '../helpers/runs.js';
import { Sandbox } from '../helpers/sandbox.js';
import { gatherRun } from '../../activities/report/write-report.js';

vi.setConfig({ testTimeout: 600_000 });

const HOSTS = 1200;
let s: Sandbox;

beforeAll(async () => {
  s = await Sandbox.create();
  expect((await s.cli(['list'])).code).toBe(0);
});
afterAll(async () => {
  await s?.stop();
});

describe('fleet at scale', () => {
  it(`plans ${HOSTS} hosts in a dry run across continue-as-new, each once, histories small`, async () => {
    const inventory = join(s.dir, 'inventory.yaml');
    const hosts = Array.from({ length: HOSTS }, (_, i) => ({
      name: `gw-${String(i).padStart(4, '0')}`,
      tags: i < 3 ? ['canary'] : [],
      transport: 'local',
      install: { method: 'npm' },
      stateDir: `/srv/tenants/gw-${i}/.openclaw`,
    }));
    writeFileSync(inventory, JSON.stringify({ version: 1, hosts }));
    const runbook = join(s.dir, 'scale.yaml');
    writeFileSync(
      runbook,
      [
        'name: scale',
        'params: { inventory: { default: x } }',
        "fleet: { inventory: '{{params.inventory}}', waves: [10%, 100%] }",
        'steps:',
        '  - { id: find, kind: sweep }',
        '  - { id: look, kind: sweep, approval: true }',
        '',
      ].join('\n'),
    );
    const r = await s.cli(['start', runbook, '--inventory', inventory, '--incident', 'SCALE-T', '--dry-run', '--detach', '--set', 'fleet.maxConcurrency=100']);
    expect(r.code, r.stderr).toBe(0);
    const c = await s.client();
    const id = 'respond-scale-SCALE-T';
    expect(await waitClosed(c, id)).toBe('COMPLETED');

    const st = await statusOf(c, id);
    expect(st.phase).toBe('completed');
    // Canaries, then 10% (120), then the rest in one wave.
    expect(st.fleet).toMatchObject({ total: HOSTS, waves: 3, counts: { done: HOSTS, failed: 0, skipped: 0, queued: 0 } });
    const runs = [];
    for await (const w of c.workflow.list({ query: `WorkflowId = '${id}'` })) runs.push(w.status.name);
    expect(runs.filter((x) => x === 'CONTINUED_AS_NEW').length).toBeGreaterThanOrEqual(1);
    const planned = s.audit().filter((e) => e.workflowId === id && e.event === 'host.planned');
    expect(planned).toHaveLength(HOSTS);
    expect(new Set(planned.map((e) => e.host)).size).toBe(HOSTS);
    expect(planned.find((e) => e.host === 'gw-0000')!.args).toMatchObject({ wave: 1 });
    expect(planned.find((e) => e.host === 'gw-0003')!.args).toMatchObject({ wave: 2 });
    // `respond list` shows the run once, not once per continued run, and no host workflows.
    const listed = JSON.parse((await s.cli(['list', '--json'])).stdout) as Array<{ id: string }>;
    expect(listed.map((x) => x.id)).toEqual([id]);
    // The report (and posture) find every host's child across the parent's continued runs.
    const gathered = await gatherRun(c, s.config.auditLogPath, id);
    expect(gathered.hosts).toHaveLength(HOSTS);
    const biggest = await largestHistory(c, 'SCALE-T');
    expect(biggest.runs).toBeGreaterThan(HOSTS);
    expect(biggest.events).toBeLessThan(10_000);
  });
});
