import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { upgradePlanStep, upgradeStep } from '../../workflows/steps/upgrade.js';

const runbook = parse(readFileSync(new URL('../../runbooks/upgrade.yaml', import.meta.url), 'utf8'));
const ctx = { runbook: 'upgrade', incident: 'INC-1', params: { inventory: 'inv.yaml', hosts: 'tag:canary', version: '2026.9.6', minimumVersion: '2026.1.29' }, secretFingerprints: {} };

describe('upgrade step kinds', () => {
  it('runbooks/upgrade.yaml steps validate against their kinds', () => {
    const [plan, upgrade] = runbook.steps;
    expect(upgradePlanStep.schema.parse(plan)).toMatchObject({ kind: 'upgrade-plan', id: 'plan' });
    expect(upgradeStep.schema.parse(upgrade)).toMatchObject({ kind: 'upgrade', id: 'upgrade' });
  });

  it('the upgrade is always gated and its planned action names target, hosts and rollback', () => {
    expect(upgradeStep.alwaysGated).toBe(true);
    const action = upgradeStep.describe(upgradeStep.schema.parse(runbook.steps[1]), ctx);
    expect(action).toMatchObject({ hosts: 'tag:canary', version: '2026.9.6', minimumVersion: '2026.1.29', inventory: 'inv.yaml' });
    expect(JSON.stringify(action)).toContain('npm install openclaw@2026.9.6');
    expect(action.onFailure).toMatch(/previous version/);
  });

  it('rejects unknown fields in an upgrade step', () => {
    const r = upgradeStep.schema.safeParse({ ...runbook.steps[1], target: 'x' });
    expect(r.success).toBe(false);
  });
});
