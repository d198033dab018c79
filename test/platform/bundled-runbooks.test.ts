import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bundledRunbooksDir } from '../../cli/load-runbook.js';
import { planRunbook } from '../../cli/commands/plan.js';

const TOKEN_FILE = 'tokenFile=/var/lib/respond/tokens/{{host}}.token';
const REQUIRED: Record<string, string[]> = {
  upgrade: ['version=2026.9.6'],
  rotate: [TOKEN_FILE],
  'restore-memory': ['since=2026-11-30T08:00:00Z'],
  clawhavoc: ['version=2026.9.6', 'since=2026-11-30T08:00:00Z', TOKEN_FILE],
};
// Runbooks over an inventory: each starts with the canary wave.
const FLEET = ['upgrade', 'restart-gateway', 'rotate', 'restore-memory', 'clawhavoc', 'snapshot', 'posture', 'harden'];
// Read-only on the hosts, so nothing to gate.
const READ_ONLY = ['snapshot', 'posture'];
const names = readdirSync(bundledRunbooksDir())
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => f.replace(/\.yaml$/, ''));

// Runbooks with a fleet plan over an inventory: two local hosts, one a canary.
const dir = mkdtempSync(join(tmpdir(), 'respond-bundled-'));
const inventory = join(dir, 'inventory.yaml');
writeFileSync(
  inventory,
  ['version: 1', 'hosts:', '  - {name: web-1, tags: [canary], transport: local, install: {method: npm}}', '  - {name: web-2, transport: local, install: {method: npm}}', ''].join('\n'),
);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('bundled runbooks', () => {
  it('ships the example, upgrade and sweep runbooks', () => {
    expect(names).toEqual(expect.arrayContaining(['example', 'upgrade', 'sweep-rotated-token', 'snapshot', 'restore-memory', 'clawhavoc', 'posture', 'harden']));
  });

  it.each(names)('%s loads, validates and plans every step (a hash per gate, per wave for host steps)', async (name) => {
    const withInventory = FLEET.includes(name);
    const plan = await planRunbook(name, REQUIRED[name] ?? [], 'INC-1', withInventory ? inventory : undefined);
    expect(plan.runbook).toBe(name);
    expect(plan.steps.length).toBeGreaterThan(0);
    for (const step of plan.steps) {
      if (step.fleet) {
        // One wave per canary group, then the rest; every host is planned.
        expect(step.fleet.waves.reduce((n, w) => n + w.hostCount, 0)).toBe(withInventory ? 2 : 1);
        if (step.gated) for (const w of step.fleet.waves) expect(w.hash).toMatch(/^[0-9a-f]{64}$/);
      } else {
        expect(step.hash).toMatch(/^[0-9a-f]{64}$/);
      }
    }
    if (withInventory) expect(plan.steps[0]!.fleet!.waves.map((w) => w.hosts)).toEqual([['web-1'], ['web-2']]);
    // Risky work is gated in every shipped runbook that changes anything.
    expect(plan.steps.some((s) => s.gated)).toBe(!READ_ONLY.includes(name));
  });
});
