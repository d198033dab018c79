import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { WORKER_HOST } from '../../workflows/fleet/worker-host.js';
import { upgradePlanStep, upgradeStep } from '../../workflows/steps/upgrade.js';

const runbook = parse(readFileSync(new URL('../../runbooks/upgrade.yaml', import.meta.url), 'utf8'));
const base = { runbook: 'upgrade', incident: 'INC-1', params: { inventory: 'inv.yaml', hosts: 'tag:canary', version: '2026.9.6', minimumVersion: '2026.1.29' }, secretFingerprints: {} };
const ctx = { ...base, host: { ...WORKER_HOST, name: 'canary-1' }, hostEarlier: {} };
const plan = { host: 'canary-1', current: '2026.1.29', target: '2026.9.6', action: 'upgrade', gatewayLive: true, commands: ['stop', 'npm install openclaw@2026.9.6', 'start', 'verify'] };

describe('upgrade step kinds', () => {
  it('runbooks/upgrade.yaml steps validate against their kinds', () => {
    const [plan, upgrade] = runbook.steps;
    expect(upgradePlanStep.schema.parse(plan)).toMatchObject({ kind: 'upgrade-plan', id: 'plan' });
    expect(upgradeStep.schema.parse(upgrade)).toMatchObject({ kind: 'upgrade', id: 'upgrade' });
  });

  it("the upgrade is always gated and its planned action names target and rollback, and what the host's plan step found", () => {
    expect(upgradeStep.alwaysGated).toBe(true);
    const step = upgradeStep.schema.parse(runbook.steps[1]);
    const action = upgradeStep.describe(step, ctx);
    expect(action).toMatchObject({ version: '2026.9.6', minimumVersion: '2026.1.29' });
    expect(JSON.stringify(action)).toContain('npm install openclaw@2026.9.6');
    expect(action.onFailure).toMatch(/previous version/);
    // The host's own starting point is part of what is approved, and so of its action hash.
    const found = upgradeStep.describe(step, { ...ctx, hostEarlier: { plan: { kind: 'upgrade-plan', result: { plan } } } });
    expect(found).toMatchObject({ current: '2026.1.29 -> 2026.9.6 (upgrade)', commands: plan.commands });
    // The action leaves the host's name out, so hosts with identical actions group in a wave.
    expect(JSON.stringify(found)).not.toContain('canary-1');
  });

  it('rejects unknown fields in an upgrade step', () => {
    const r = upgradeStep.schema.safeParse({ ...runbook.steps[1], target: 'x' });
    expect(r.success).toBe(false);
  });
});
