/**
 * `quarantine-skills`: move every skill the host's `skills-plan` found not allowed (unlisted,
 * hash mismatch, blocked) out of the load path into a 0700 quarantine dir with a manifest, then
 * confirm with the host's own `openclaw skills list` that they are gone. Always gated; the
 * approval lists each skill, why, where it is and its hash. Nothing is deleted
 * (`respond skills restore` puts one back), so there is no undo step.
 */
import { ApplicationFailure, proxyActivities } from '@temporalio/workflow';
import { z } from 'zod';
import type { SkillsActivities } from '../../activities/skills/activities.js';
import type { SkillsPlan } from '../../activities/skills/plan.js';
import { parseDuration } from '../../lib/duration.js';
import { baseStep, durationText } from '../../lib/runbook/step-base.js';
import { hostEffect } from '../activity-options.js';
import { latestEarlier, type HostPlanContext, type HostStepKind } from './types.js';

const schema = baseStep
  .extend({
    kind: z.literal('quarantine-skills'),
    /** The `skills-plan` step whose findings this acts on (default: the latest one on the host). */
    plan: z.string().optional(),
    timeout: durationText.default('10m'),
  })
  .strict();
export type QuarantineSkillsStep = z.infer<typeof schema>;

function planned(step: QuarantineSkillsStep, ctx: HostPlanContext): { ran: boolean; plan: SkillsPlan | null } {
  const last = latestEarlier(ctx, 'skills-plan', step.plan);
  return { ran: last !== undefined, plan: (last?.plan as SkillsPlan | null | undefined) ?? null };
}

function toMove(plan: SkillsPlan | null) {
  return (plan?.skills ?? []).filter((s) => s.status !== 'allowed');
}

export const quarantineSkillsStep: HostStepKind<QuarantineSkillsStep> = {
  scope: 'host',
  schema,
  alwaysGated: true,
  describe(step, ctx) {
    const action = "move each skill that is not allowed into a 0700 quarantine dir with a manifest (never deleted), then confirm with the host's openclaw skills list";
    const { ran, plan } = planned(step, ctx);
    if (!ran) return { action, plan: step.plan ?? 'the latest skills-plan step on the host' };
    if (!plan) return { action, skills: 'no allowlist given: nothing to move' };
    return {
      action,
      allowlist: plan.allowlist,
      move: toMove(plan).map((s) => ({ skill: s.name, status: s.status, why: s.reason, dir: s.dir, source: s.source, sha256: s.sha256.slice(0, 16), loaded: s.loaded })),
      keep: plan.skills.filter((s) => s.status === 'allowed').map((s) => s.name),
    };
  },
  gateHere: (step, ctx) => {
    const { ran, plan } = planned(step, ctx);
    return !ran || toMove(plan).length > 0;
  },
  async run(step, ctx) {
    const { ran, plan } = planned(step, ctx.plan);
    if (!ran) throw ApplicationFailure.nonRetryable(`step ${step.id}: no skills-plan step ran on ${ctx.plan.host.name} before it`, 'StepFailed');
    const skills = toMove(plan);
    if (skills.length === 0) return { summary: plan ? 'every skill is allowed: nothing to move' : 'skills not checked', result: { moved: [] }, changed: false };
    const { skillsQuarantine } = proxyActivities<SkillsActivities>(hostEffect(parseDuration(step.timeout), `quarantine skills on ${ctx.plan.host.name}`));
    const r = await skillsQuarantine({
      host: ctx.plan.host,
      skills: skills.map(({ name, dir, source, sha256, status }) => ({ name, dir, source, sha256, status })),
      label: `${ctx.workflowId}.${step.id}`.replace(/[^A-Za-z0-9._-]/g, '_'),
      incident: ctx.plan.incident,
    });
    return {
      summary: `${r.moved.length} skill(s) moved to ${r.quarantineDir} (${r.moved.map((m) => m.name).join(', ')}); openclaw skills list no longer shows them`,
      result: { ...r },
      changed: true,
    };
  },
};
