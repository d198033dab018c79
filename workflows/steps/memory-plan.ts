/**
 * `memory-plan`: on one host, choose the clean baseline (the last snapshot before `since`, or
 * an explicit commit or tag) and list every memory file that differs from it, with a redacted
 * diff. Read-only. A later `restore-memory` step shows this in its approval and restores
 * exactly this, or refuses if the host changed since.
 */
import { proxyActivities } from '@temporalio/workflow';
import { z } from 'zod';
import type { MemoryActivities } from '../../activities/memory/activities.js';
import { renderForPlan } from '../../lib/runbook/plan.js';
import { baseStep } from '../../lib/runbook/step-base.js';
import { renderTemplate } from '../../lib/template.js';
import { hostQuick } from '../activity-options.js';
import type { HostStepKind } from './types.js';

const schema = baseStep
  .extend({
    kind: z.literal('memory-plan'),
    /** ISO time the incident began: the last snapshot before it is the baseline. */
    since: z.string().optional(),
    /** Or a commit or tag of the backup repository. Wins over `since`. */
    baseline: z.string().optional(),
  })
  .strict()
  .refine((s) => s.since !== undefined || s.baseline !== undefined, 'memory-plan needs since or baseline');
export type MemoryPlanStep = z.infer<typeof schema>;

const { memoryPlan } = proxyActivities<MemoryActivities>({ ...hostQuick, startToCloseTimeout: '5m' });

/** An empty parameter (`--set baseline=`) means "not given". */
function given(v: string | undefined, ctx: Parameters<typeof renderTemplate>[1]): string | undefined {
  const r = v === undefined ? undefined : renderTemplate(v, ctx).trim();
  return r ? r : undefined;
}

export const memoryPlanStep: HostStepKind<MemoryPlanStep> = {
  scope: 'host',
  schema,
  alwaysGated: false,
  describe: (step, ctx) => ({
    since: step.since === undefined ? undefined : renderForPlan(step.since, ctx),
    baseline: step.baseline === undefined ? undefined : renderForPlan(step.baseline, ctx),
    reads: 'the backup repository and the live memory files',
  }),
  async run(step, ctx) {
    const plan = await memoryPlan({ host: ctx.plan.host, since: given(step.since, ctx.plan), ref: given(step.baseline, ctx.plan) });
    const counts = plan.changes.reduce<Record<string, number>>((m, c) => ({ ...m, [c.kind]: (m[c.kind] ?? 0) + 1 }), {});
    const what = Object.entries(counts).map(([k, n]) => `${n} ${k}`).join(', ');
    const flagged = plan.changes.reduce((n, c) => n + (c.findings?.length ?? 0), 0) + (plan.suspiciousUnchanged ?? []).reduce((n, u) => n + u.findings.length, 0);
    return {
      summary: `baseline ${plan.baseline.commit.slice(0, 12)} (${plan.baseline.at}): ${what || 'no changes'}; ${plan.unchanged} unchanged${flagged ? `; ${flagged} suspicious line(s) flagged` : ''}`,
      result: { plan },
      changed: false,
    };
  },
};
