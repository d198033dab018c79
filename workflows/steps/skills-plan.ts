/**
 * `skills-plan`: on one host, list every skill in every load root the host's OpenClaw uses, hash
 * each directory and judge it against the allowlist file (on the worker): allowed, unlisted,
 * hash mismatch or blocked. Read-only. A later `quarantine-skills` step moves the ones that are
 * not allowed. An empty `allowlist` skips the check (for runbooks where skills are optional).
 */
import { proxyActivities } from '@temporalio/workflow';
import { z } from 'zod';
import type { SkillsActivities } from '../../activities/skills/activities.js';
import { renderForPlan } from '../../lib/runbook/plan.js';
import { baseStep } from '../../lib/runbook/step-base.js';
import { renderTemplate } from '../../lib/template.js';
import { hostQuick } from '../activity-options.js';
import type { HostStepKind } from './types.js';

const schema = baseStep
  .extend({
    kind: z.literal('skills-plan'),
    /** The allowlist file on the worker (`allowed_skills`, `blocked_patterns`). */
    allowlist: z.string(),
  })
  .strict();
export type SkillsPlanStep = z.infer<typeof schema>;

const { skillsPlan } = proxyActivities<SkillsActivities>({ ...hostQuick, startToCloseTimeout: '5m' });

export const skillsPlanStep: HostStepKind<SkillsPlanStep> = {
  scope: 'host',
  schema,
  alwaysGated: false,
  describe: (step, ctx) => ({
    allowlist: renderForPlan(step.allowlist, ctx),
    reads: '<workspace>/skills, <workspace>/.agents/skills, ~/.agents/skills, <state dir>/skills, workshop skills, skills.load.extraDirs; and openclaw skills list',
  }),
  async run(step, ctx) {
    const allowlist = renderTemplate(step.allowlist, ctx.plan).trim();
    if (!allowlist) return { summary: 'no allowlist given: skills not checked', result: { plan: null }, changed: false };
    const plan = await skillsPlan({ host: ctx.plan.host, allowlist });
    const counts = plan.skills.reduce<Record<string, number>>((m, s) => ({ ...m, [s.status]: (m[s.status] ?? 0) + 1 }), {});
    const what = Object.entries(counts).map(([k, n]) => `${n} ${k}`).join(', ');
    const unlocated = plan.unlocated.length ? `; ${plan.unlocated.length} listed by openclaw but not found: ${plan.unlocated.map((u) => u.name).join(', ')}` : '';
    return {
      summary: `${plan.skills.length} skill(s)${what ? ` (${what})` : ''}; ${plan.packaged} shipped with the package${unlocated}`,
      result: { plan },
      changed: false,
    };
  },
};
