/**
 * runbooks/upgrade.yaml end to end on a real Temporal dev server and a real worker, against an
 * OpenClaw host reached over a real sshd: plan, gate, upgrade; then a failing target whose
 * rollback is recorded in the audit log.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SshTransport } from '../../activities/hosts/transports/index.js';
import { createOpenclawActivities } from '../../activities/openclaw/activities.js';
import type { HostSpec } from '../../lib/inventory/schema.js';
import { ROOT, Sandbox } from '../helpers/sandbox.js';
import { historyJson, pendingFor, statusOf } from '../helpers/runs.js';
import { maybeRecordHistory } from '../helpers/histories.js';
import { createFixtureHost, NEWER, OLDER, type FixtureHost } from '../fixtures/openclaw.js';
import { startSshd, type SshdFixture } from '../fixtures/sshd.js';

vi.setConfig({ testTimeout: 900_000 });

let s: Sandbox;
let c: Client;
let sshd: SshdFixture;
let fx: FixtureHost;
let inventory: string;
let host: HostSpec;
const acts = createOpenclawActivities();

beforeAll(async () => {
  sshd = await startSshd();
  fx = await createFixtureHost({ name: 'canary-1', version: OLDER, tags: ['canary'] });
  host = { ...fx.spec, transport: sshd.transport() };
  s = await Sandbox.create();
  inventory = join(s.dir, 'inventory.yaml');
  writeFileSync(inventory, JSON.stringify({ version: 1, hosts: [host] }, null, 2));
  expect((await s.cli(['list'])).code).toBe(0);
  c = await s.client();
});

afterAll(async () => {
  if (sshd) await new SshTransport(sshd.transport()).close();
  await Promise.allSettled([s?.stop(), fx?.destroy(), sshd?.stop()]);
});

async function runTo(version: string, incident: string) {
  const started = await s.cli([
    'start', join(ROOT, 'runbooks', 'upgrade.yaml'), '--incident', incident, '--json',
    '--inventory', inventory, '--set', 'hosts=tag:canary', '--set', `version=${version}`,
  ]);
  expect(started.code, started.stderr).toBe(0);
  const { id } = JSON.parse(started.stdout) as { id: string };
  const pending = await pendingFor(s, c, id, 'upgrade');
  const st = await statusOf(c, id);
  const approved = await s.cli(['approve', id, '--hash', pending.hash, '--as', 'tester']);
  expect(approved.code, approved.stderr).toBe(0);
  const result = await c.workflow.getHandle(id).result().then(() => 'completed', (e: Error) => `failed: ${e.message}`);
  return { id, pending, plan: st.steps.find((x) => x.id === 'plan'), result, final: await statusOf(c, id) };
}

describe('upgrade runbook', () => {
  it('plans, waits for approval, upgrades the canary over SSH', async () => {
    const r = await runTo(NEWER, 'UP-1');
    // One host: the run shows the host's own step summaries.
    expect(r.plan?.summary).toBe(`${OLDER} -> ${NEWER}`);
    // The approver approves, by hash, what the plan step found on the host, not only the parameters.
    const [group] = r.pending.action.args.groups as Array<{ hosts: string[]; action: { current: string; commands: string[] } }>;
    expect(group!.hosts).toEqual(['canary-1']);
    expect(group!.action.current).toBe(`${OLDER} -> ${NEWER} (upgrade)`);
    expect(group!.action.commands.join('\n')).toContain(`openclaw@${NEWER}`);
    expect(r.result).toBe('completed');
    expect(r.final.steps.find((x) => x.id === 'upgrade')?.summary).toBe(`${OLDER} -> ${NEWER}`);
    const facts = await acts.openclawFacts({ host, audit: false });
    expect(facts).toMatchObject({ openclaw: { version: NEWER }, gateway: { live: true, token: { verdict: 'accepted' } } });
    expect(s.audit().map((e) => e.event)).toEqual(expect.arrayContaining(['upgrade.start', 'upgrade.done']));
    expect(await historyJson(c, r.id)).not.toContain(fx.token);
    await maybeRecordHistory(s, r.id, 'upgrade-test');
  });

  it('a target that cannot install fails the run, and the rollback is in the audit log', async () => {
    const r = await runTo('2026.99.1', 'UP-2');
    expect(r.result).toMatch(/^failed/);
    const events = s.audit().filter((e) => e.workflowId === r.id).map((e) => e.event);
    expect(events).toEqual(expect.arrayContaining(['upgrade.start', 'upgrade.compensate.start', 'upgrade.compensate.done', 'step.failed']));
    const facts = await acts.openclawFacts({ host, audit: false });
    expect(facts).toMatchObject({ openclaw: { version: NEWER }, gateway: { live: true, token: { verdict: 'accepted' } } });
    expect(await historyJson(c, r.id)).not.toContain(fx.token);
    for (const out of s.captured) expect(out).not.toContain(fx.token);
  });
});
