import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bundledRunbooksDir } from '../../lib/runbook/load.js';
import { planRunbook } from '../../cli/commands/plan.js';

const REQUIRED: Record<string, string[]> = { upgrade: ['version=2026.9.6'] };
const names = readdirSync(bundledRunbooksDir())
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => f.replace(/\.yaml$/, ''));

describe('bundled runbooks', () => {
  it('ships the example, upgrade and sweep runbooks', () => {
    expect(names).toEqual(expect.arrayContaining(['example', 'upgrade', 'sweep-rotated-token']));
  });

  it.each(names)('%s loads, validates and plans with a hash for every step', async (name) => {
    const plan = await planRunbook(name, REQUIRED[name] ?? [], 'INC-1');
    expect(plan.runbook).toBe(name);
    expect(plan.steps.length).toBeGreaterThan(0);
    for (const step of plan.steps) expect(step.hash).toMatch(/^[0-9a-f]{64}$/);
    // Risky work is gated in every shipped runbook.
    expect(plan.steps.some((s) => s.gated)).toBe(true);
  });
});
