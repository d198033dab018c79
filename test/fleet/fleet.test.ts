/**
 * The fleet model on the real embedded Temporal server and worker: one child workflow per host,
 * a canary wave, concurrency from the audit log, the error budget, wave approvals bound to every
 * host's action, and a worker SIGKILLed in the middle of a fleet.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { AuditEvent } from '../../activities/audit/audit-log.js';
import { hostStatusQuery, type PendingApproval } from '../../workflows/definitions.js';
import { historyJson, statusOf } from '../helpers/runs.js';
import { maybeRecordHistory } from '../helpers/histories.js';
import { Sandbox } from '../helpers/sandbox.js';
import { makeFleet, makeTemplate, unreachableHost, type FleetTemplate } from './helpers/fleet.js';

vi.setConfig({ testTimeout: 600_000 });

const SCRUB = join(import.meta.dirname, 'runbooks', 'fleet-scrub.yaml');
const SWEEP = join(import.meta.dirname, 'runbooks', 'fleet-sweep.yaml');
const NAMES = ['web-1', 'web-2', 'web-3', 'web-4', 'web-5', 'web-6'];
let root: string;
let s: Sandbox;
let c: Client;
let template: FleetTemplate;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'respond-fleet-'));
  // One real state dir; each test copies its own fleet from it, so every host holds this token.
  template = await makeTemplate(join(root, 'template'));
  // The daemon's worker inherits this environment: the reference resolves there and only there.
  s = await Sandbox.create({ FLEET_OLD_TOKEN: template.fixture.oldToken, RESPOND_QUARANTINE_DIR: join(root, 'quarantine') });
  expect((await s.cli(['list'])).code).toBe(0);
  c = await s.client();
});

afterAll(async () => {
  await s?.stop();
  // The fixtures hold (test-generated) secrets: leave nothing behind.
  if (root) rmSync(root, { recursive: true, force: true });
});

async function start(runbook: string, incident: string, inventory: string, extra: string[] = []) {
  const r = await s.cli(['start', runbook, '--incident', incident, '--inventory', inventory, '--json', ...extra]);
  expect(r.code, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as { id: string }).id;
}

async function pendingWave(id: string, step: string, notHash?: string): Promise<PendingApproval> {
  return s.waitFor(`wave approval of ${step}`, async () => {
    const st = await statusOf(c, id);
    return st.pending?.step === step && st.pending.hash !== notHash ? st.pending : undefined;
  }, 180_000);
}

async function ended(id: string) {
  return s.waitFor('run end', async () => {
    const d = await c.workflow.getHandle(id).describe();
    return d.status.name === 'RUNNING' ? undefined : d.status.name;
  }, 300_000);
}

function events(id: string): AuditEvent[] {
  return s.audit().filter((e) => e.workflowId === id);
}

/** The most (host, step) intervals open at once, from the audit log's step.started/step.completed. */
function maxOverlap(evs: AuditEvent[]): number {
  const marks: Array<[number, number]> = [];
  for (const e of evs) {
    if (!e.host) continue;
    if (e.event === 'step.started') marks.push([Date.parse(e.ts), 1]);
    if (e.event === 'step.completed' || e.event === 'step.failed') marks.push([Date.parse(e.ts), -1]);
  }
  marks.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let open = 0;
  let max = 0;
  for (const [, d] of marks) max = Math.max(max, (open += d));
  return max;
}

describe('fleet runs', () => {
  it('runs the canary alone, then one approval for the rest, at most maxConcurrency hosts at once', async () => {
    const f = makeFleet(template, join(root, 'canary'), NAMES, ['web-1']);
    for (const h of f.hosts) expect(f.holding(h).length, h.name).toBeGreaterThan(0);
    const inventory = f.inventory();
    const id = await start(SCRUB, 'FLEET-1', inventory, ['--set', 'fleet.maxConcurrency=2']);
    expect(id).toBe('respond-fleet-scrub-FLEET-1');

    const wave1 = await pendingWave(id, 'scrub');
    expect(wave1.action.args).toMatchObject({ wave: '1/2', hostCount: 1 });
    expect((wave1.action.args.groups as Array<{ hosts: string[] }>)[0]!.hosts).toEqual(['web-1']);
    // Only the canary has started: no other host's child workflow exists yet.
    await expect(c.workflow.getHandle(`${id}/web-2`).describe()).rejects.toThrow();
    const host1 = await c.workflow.getHandle(`${id}/web-1`).query(hostStatusQuery);
    expect(host1).toMatchObject({ host: 'web-1', state: 'parked', wave: 1 });

    expect((await s.cli(['approve', id, '--step', 'scrub', '--hash', wave1.hash, '--as', 'alice'])).code).toBe(0);
    const wave2 = await pendingWave(id, 'scrub', wave1.hash);
    expect(wave2.action.args).toMatchObject({ wave: '2/2', hostCount: 5 });
    expect(wave2.leaves!.map((l) => l.host).sort()).toEqual(NAMES.slice(1));
    const mid = await s.cli(['status', id]);
    expect(mid.stdout).toMatch(/1 done, 5 parked/);
    expect((await s.cli(['approve', id, '--step', 'scrub', '--hash', wave2.hash, '--as', 'bob'])).code).toBe(0);
    expect(await ended(id)).toBe('COMPLETED');

    const evs = events(id);
    const canaryDone = Math.max(...evs.filter((e) => e.host === 'web-1' && e.event === 'step.completed').map((e) => Date.parse(e.ts)));
    const othersFirst = Math.min(...evs.filter((e) => e.host && e.host !== 'web-1' && e.event === 'step.started').map((e) => Date.parse(e.ts)));
    expect(canaryDone).toBeLessThanOrEqual(othersFirst);
    expect(maxOverlap(evs)).toBeLessThanOrEqual(2);
    const st = await statusOf(c, id);
    expect(st.fleet).toMatchObject({ total: 6, waves: 2, counts: { done: 6, failed: 0 }, maxConcurrency: 2, peakConcurrency: 2 });
    // Each host ran the scrub under its wave's approval, with its own action hash.
    const scrubbed = evs.filter((e) => e.event === 'step.started' && e.step === 'scrub');
    expect(scrubbed).toHaveLength(6);
    for (const e of scrubbed) {
      const wave = e.host === 'web-1' ? wave1 : wave2;
      expect(e.args).toMatchObject({ waveHash: wave.hash, merkleRoot: wave.merkleRoot });
      expect(wave.leaves!.find((l) => l.host === e.host)?.actionHash).toBe((e.args as { hash: string }).hash);
    }
    for (const h of f.hosts) expect(f.holding(h), h.name).toEqual([]);
    expect(await historyJson(c, id)).not.toContain(f.oldToken);
    for (const h of ["web-1", "web-2"]) expect(await historyJson(c, `${id}/${h}`)).not.toContain(f.oldToken);
    // The web UI's filter by host finds that host's workflow.
    const byHost = [];
    for await (const w of c.workflow.list({ query: `RespondHost = 'web-3' AND RespondIncident = 'FLEET-1'` })) byHost.push(w.workflowId);
    expect(byHost).toEqual([`${id}/web-3`]);
    await maybeRecordHistory(s, id, 'fleet-canary-test');
    await maybeRecordHistory(s, `${id}/web-1`, 'fleet-host-test');
  });
});

describe('fleet error budget', () => {
  it('maxErrors 1 with 2 unreachable hosts among 6: no new host after the budget trips; each host accounted for', async () => {
    const f = makeFleet(template, join(root, 'budget'), NAMES.slice(0, 4));
    const bad = [await unreachableHost('bad-1', join(root, 'key-1')), await unreachableHost('bad-2', join(root, 'key-2'))];
    const inventory = f.inventory(bad);
    const id = await start(SWEEP, 'FLEET-2', inventory, ['--set', 'fleet.maxErrors=1', '--set', 'fleet.maxConcurrency=2']);
    expect(await ended(id)).toBe('FAILED');
    const st = await statusOf(c, id);
    const n = st.fleet!.counts;
    expect(st.fleet).toMatchObject({ total: 6, tripped: true, counts: { failed: 2, running: 0, queued: 0 } });
    // Both bad hosts start first (2 at once); at most one healthy host can start in the moment
    // between the first failure (within budget) and the second (over it), and it finishes.
    expect(n.done + n.skipped).toBe(4);
    expect(n.skipped).toBeGreaterThanOrEqual(3);
    expect(st.fleet!.failed.map((x) => x.host).sort()).toEqual(['bad-1', 'bad-2']);
    for (const x of st.fleet!.failed) expect(x.reason).toMatch(/unreachable|connect|refused/i);
    const out = await s.cli(['status', id]);
    expect(out.code).toBe(1);
    expect(out.stdout).toContain(`2 failed, ${n.skipped} skipped`);
    expect(out.stdout).toMatch(/✖ bad-1: /);
    expect(out.stdout).toMatch(/✖ bad-2: /);
    expect(out.stdout).toMatch(/error budget exhausted: 2 host\(s\) failed, maxErrors 1/);
    // No host started after the budget tripped: only the ones counted done have a workflow, and they completed.
    let started = 0;
    for (const h of f.hosts) {
      const d = await c.workflow.getHandle(`${id}/${h.name}`).describe().catch(() => undefined);
      if (d) {
        started++;
        expect(d.status.name).toBe('COMPLETED');
      }
    }
    expect(started).toBe(n.done);
    const json = JSON.parse((await s.cli(['status', id, '--json'])).stdout) as { status: { fleet: { counts: Record<string, number> } } };
    expect(json.status.fleet.counts).toMatchObject({ failed: 2, skipped: n.skipped });
    await maybeRecordHistory(s, id, 'fleet-budget-test');
  });
});

describe('wave approval hash', () => {
  it("changes when one host's action changes; the old hash is refused; plan --host proves inclusion", async () => {
    const f = makeFleet(template, join(root, 'hash'), NAMES);
    const a = f.inventory();
    const b = f.inventory([], (name) => (name === 'web-3' ? { configPath: join(f.hosts[2]!.stateDir, 'openclaw.json') } : {}));
    const sets = ['--set', 'fleet.canary=none', '--incident', 'FLEET-3'];
    const planOf = async (inv: string, more: string[] = []) => {
      const r = await s.cli(['plan', SCRUB, '--inventory', inv, '--json', ...sets, ...more]);
      expect(r.code, r.stderr).toBe(0);
      return JSON.parse(r.stdout) as { steps: Array<{ step: string; hash?: string; fleet?: { host?: { proof?: { verified: boolean; root: string } } } }> };
    };
    const hashA = (await planOf(a)).steps.find((x) => x.step === 'scrub')!.hash!;
    const hashB = (await planOf(b)).steps.find((x) => x.step === 'scrub')!.hash!;
    expect(hashA).toMatch(/^[0-9a-f]{64}$/);
    expect(hashB).not.toBe(hashA);

    const id = await start(SCRUB, 'FLEET-3', b, ['--set', 'fleet.canary=none']);
    const pending = await pendingWave(id, 'scrub');
    // The run computes the same hash as the plan, over the same six host actions.
    expect(pending.hash).toBe(hashB);
    expect(pending.action.args).toMatchObject({ hostCount: 6, distinctActions: 6 });
    const stale = await s.cli(['approve', id, '--step', 'scrub', '--hash', hashA, '--as', 'alice']);
    expect(stale.code).toBe(4);
    expect(stale.stderr).toMatch(/hash does not match/);

    const proof = (await planOf(b, ['--host', 'web-3'])).steps.find((x) => x.step === 'scrub')!.fleet!.host!.proof!;
    expect(proof.verified).toBe(true);
    expect(proof.root).toBe(pending.merkleRoot);
    const hostView = await s.cli(['status', id, '--host', 'web-3']);
    expect(hostView.code, hostView.stderr).toBe(0);
    expect(hostView.stdout).toMatch(/inclusion verified/);

    expect((await s.cli(['approve', id, '--step', 'scrub', '--hash', hashB, '--as', 'alice'])).code).toBe(0);
    expect(await ended(id)).toBe('COMPLETED');
  });
});

describe('fleet durability', () => {
  it('a worker SIGKILLed mid-fleet: every host finishes and no host scrubs twice; --auto-approve records auto:<actor>', async () => {
    const f = makeFleet(template, join(root, 'kill'), NAMES);
    const id = await start(SCRUB, 'FLEET-4', f.inventory(), ['--set', 'fleet.canary=none', '--set', 'fleet.maxConcurrency=2', '--auto-approve']);
    await s.waitFor('some hosts done, some not', async () => {
      const st = await statusOf(c, id).catch(() => undefined);
      const n = st?.fleet?.counts;
      return n && n.done >= 1 && n.done <= 4 ? true : undefined;
    }, 180_000);
    const before = s.pids().worker!;
    process.kill(before, 'SIGKILL');
    await s.waitFor('worker restarted', () => (s.pids().worker && s.pids().worker !== before ? true : undefined), 60_000);
    expect(await ended(id)).toBe('COMPLETED');

    const evs = events(id);
    for (const h of NAMES) {
      for (const step of ['find', 'scrub', 'prove-gone']) {
        expect(evs.filter((e) => e.host === h && e.step === step && e.event === 'step.completed'), `${h} ${step}`).toHaveLength(1);
      }
    }
    // One quarantine per host, each original copied once.
    const quarantines = readdirSync(join(root, 'quarantine')).filter((d) => d.includes('FLEET-4'));
    expect(quarantines).toHaveLength(6);
    for (const h of f.hosts) expect(f.holding(h), h.name).toEqual([]);
    const granted = evs.filter((e) => e.event === 'approval.granted');
    expect(granted.length).toBeGreaterThan(0);
    for (const g of granted) expect(g.actor).toBe('auto:tester');
    for (const out of s.captured) expect(out).not.toContain(template.fixture.oldToken);
    expect(s.daemonLog()).not.toContain(template.fixture.oldToken);
  });
});
