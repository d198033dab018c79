/**
 * Rotation drills on Temporal Schedules, on a real OpenClaw gateway: `respond drill schedule`
 * creates the Schedule (quarterly, overlap skip), pause and unpause change what the Schedule
 * reports, a trigger runs the rotate runbook for real with its gates approved as the drill, and
 * `drill list` / `drill history` show the run, pass per step and the time to rotate.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTransport } from '../../activities/hosts/transports/index.js';
import { probeHostGateway } from '../../activities/openclaw/gateway-process.js';
import { openOpenclawHost } from '../../activities/openclaw/host.js';
import { QUARTERLY_CRON } from '../../lib/drill/schedule-spec.js';
import { createFixtureHost, NEWER, type FixtureHost } from '../fixtures/openclaw.js';
import { Sandbox } from '../helpers/sandbox.js';

vi.setConfig({ testTimeout: 900_000, hookTimeout: 600_000 });

let s: Sandbox;
let c: Client;
let fx: FixtureHost;
let inventory: string;

beforeAll(async () => {
  fx = await createFixtureHost({ name: 'drill-canary', version: NEWER, tags: ['canary'] });
  s = await Sandbox.create();
  expect((await s.cli(['list'])).code).toBe(0);
  c = await s.client();
  inventory = join(s.dir, 'drill.yaml');
  writeFileSync(inventory, JSON.stringify({ version: 1, hosts: [fx.spec] }, null, 2));
});

afterAll(async () => {
  await Promise.allSettled([s?.stop(), fx?.destroy()]);
});

interface DrillRow {
  name: string;
  paused: boolean;
  next: string | null;
  when: string;
  lastRun: { id: string; outcome: string } | null;
}

async function drills(): Promise<DrillRow[]> {
  const r = await s.cli(['drill', 'list', '--json']);
  expect(r.code, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as { drills: DrillRow[] }).drills;
}

describe('respond drill', () => {
  it('schedules a quarterly gateway-token drill, pauses and unpauses it, runs it once for real, and shows the result', async () => {
    const tokenFile = join(s.dir, 'drill', '{{host}}.token');
    const made = await s.cli(['drill', 'schedule', 'rotate', '--inventory', inventory, '--set', `tokenFile=${tokenFile}`, '--json']);
    expect(made.code, made.stderr).toBe(0);
    expect(JSON.parse(made.stdout)).toMatchObject({ name: 'rotate', scheduleId: 'respond-drill-rotate', verb: 'created', when: `cron ${QUARTERLY_CRON}`, paused: false });

    let [row] = await drills();
    expect(row).toMatchObject({ name: 'rotate', paused: false, when: `cron ${QUARTERLY_CRON}`, lastRun: null });
    // The next quarterly run: 03:00 UTC on the first of January, April, July or October.
    const next = new Date(row!.next!);
    expect([0, 3, 6, 9]).toContain(next.getUTCMonth());
    expect([next.getUTCDate(), next.getUTCHours(), next.getUTCMinutes()]).toEqual([1, 3, 0]);
    const described = await c.schedule.getHandle('respond-drill-rotate').describe();
    expect(described.state.note).toMatch(/^drill of runbook rotate \(sha256 [0-9a-f]{16}\) by .*; gates auto-approved as auto:drill:rotate$/);
    expect(described.policies.overlap).toBe('SKIP');

    expect((await s.cli(['drill', 'pause', 'rotate', '--note', 'change freeze'])).code).toBe(0);
    [row] = await drills();
    expect(row!.paused).toBe(true);
    expect((await c.schedule.getHandle('respond-drill-rotate').describe()).state.note).toBe('change freeze');
    expect((await s.cli(['drill', 'unpause', 'rotate'])).code).toBe(0);
    [row] = await drills();
    expect(row!.paused).toBe(false);

    expect((await s.cli(['drill', 'trigger', 'rotate'])).code).toBe(0);
    const runId = await s.waitFor('the triggered drill run', async () => {
      const last = (await c.schedule.getHandle('respond-drill-rotate').describe()).info.recentActions.at(-1);
      return last?.action.type === 'startWorkflow' ? last.action.workflow.workflowId : undefined;
    }, 120_000);
    expect(runId).toMatch(/^respond-rotate-drill-rotate-/);
    await c.workflow.getHandle(runId).result();

    // The drill rotated for real: the live gateway takes the new token and refuses the old one.
    const next2 = readFileSync(join(s.dir, 'drill', `${fx.spec.name}.token`), 'utf8').trim();
    const h = await openOpenclawHost(fx.spec, createTransport(fx.spec));
    try {
      expect((await probeHostGateway(h, next2)).token).toBe('accepted');
      expect((await probeHostGateway(h, fx.token)).token).toBe('rejected');
    } finally {
      await h.t.close();
    }
    // Every approval is recorded under the drill's auto-approval policy.
    const granted = s.audit().filter((e) => e.workflowId === runId && e.event === 'approval.granted');
    expect(granted.length).toBeGreaterThan(0);
    for (const e of granted) expect(e.actor).toBe('auto:drill:rotate');

    [row] = await drills();
    expect(row!.lastRun).toMatchObject({ id: runId, outcome: 'completed' });
    const hist = await s.cli(['drill', 'history', 'rotate', '--json']);
    expect(hist.code, hist.stderr).toBe(0);
    const { runs } = JSON.parse(hist.stdout) as { runs: Array<{ id: string; outcome: string; steps: Array<{ host?: string; step: string; state: string }>; timeToRotate: Array<{ host: string; credential: string; ms: number | null }>; approvals: Array<{ approver: string }> }> };
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ id: runId, outcome: 'completed' });
    const hostSteps = runs[0]!.steps.filter((x) => x.host === fx.spec.name);
    expect(hostSteps.find((x) => x.step === 'gateway-revoke')?.state).toBe('done');
    expect(hostSteps.filter((x) => x.state === 'failed')).toEqual([]);
    expect(runs[0]!.timeToRotate).toEqual([{ host: fx.spec.name, credential: 'gateway', ms: expect.any(Number), fingerprint: expect.stringMatching(/^sha256:/) }]);
    expect(runs[0]!.timeToRotate[0]!.ms).toBeGreaterThan(0);
    const text = await s.cli(['drill', 'history', 'rotate']);
    expect(text.stdout).toMatch(new RegExp(`${fx.spec.name} gateway: rotated in \\d+\\.\\d s`));
    console.log(`respond drill list:\n${(await s.cli(['drill', 'list'])).stdout}\nrespond drill history rotate:\n${text.stdout}`);

    expect((await s.cli(['drill', 'delete', 'rotate'])).code).toBe(0);
    expect(await drills()).toEqual([]);
    // No secret in anything printed.
    for (const v of [fx.token, next2]) for (const out of s.captured) expect(out).not.toContain(v);
  });

  it('refuses a bad schedule with one line naming the flag', async () => {
    const r = await s.cli(['drill', 'schedule', 'rotate', '--inventory', inventory, '--set', 'tokenFile=/tmp/x', '--cron', '0 3 * *']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('respond: --cron 0 3 * *: expected five fields (minute hour day-of-month month day-of-week), digits and * , / - only');
    const both = await s.cli(['drill', 'schedule', 'rotate', '--inventory', inventory, '--set', 'tokenFile=/tmp/x', '--cron', '0 3 * * *', '--every', 'quarter']);
    expect(both.stderr.trim()).toBe('respond: --cron and --every: give one of them');
  });
});
