/**
 * `contain-plan` and `contain`: the first moves of OpenClaw's incident-response guide. The plan
 * (read-only) reports the gateway's bind, auth mode, Tailscale mode, open DM policies and `"*"`
 * allow entries, and the config edits that close them. `contain` (always gated; the approval
 * shows each edit, before and after) writes them, the original config copied to quarantine
 * first. The edits take effect at the gateway's next start or reload (in clawhavoc, the upgrade
 * that follows restarts it).
 */
import { ApplicationFailure, proxyActivities } from '@temporalio/workflow';
import { z } from 'zod';
import type { ContainActivities } from '../../activities/contain/activities.js';
import type { ContainPlan } from '../../activities/contain/contain.js';
import { baseStep } from '../../lib/runbook/step-base.js';
import { hostEffect, hostQuick } from '../activity-options.js';
import { latestEarlier, type HostPlanContext, type HostStepKind } from './types.js';

const planSchema = baseStep.extend({ kind: z.literal('contain-plan') }).strict();
export type ContainPlanStep = z.infer<typeof planSchema>;

const applySchema = baseStep
  .extend({
    kind: z.literal('contain'),
    /** The `contain-plan` step whose edits this writes (default: the latest one on the host). */
    plan: z.string().optional(),
  })
  .strict();
export type ContainStep = z.infer<typeof applySchema>;

const { containPlan } = proxyActivities<ContainActivities>({ ...hostQuick, startToCloseTimeout: '2m' });

function planned(step: ContainStep, ctx: HostPlanContext): ContainPlan | undefined {
  return latestEarlier(ctx, 'contain-plan', step.plan)?.plan as ContainPlan | undefined;
}

export const containPlanStep: HostStepKind<ContainPlanStep> = {
  scope: 'host',
  schema: planSchema,
  alwaysGated: false,
  describe: () => ({ reads: "the host's OpenClaw config: gateway.bind, gateway.auth.mode, gateway.tailscale.mode, channels' dmPolicy and allow lists" }),
  async run(_step, ctx) {
    const plan = await containPlan({ host: ctx.plan.host });
    const e = plan.exposure;
    return {
      summary: `bind ${e.bind}, auth ${e.authMode}, tailscale ${e.tailscale}; ${e.openDms.length} open DM polic(ies), ${e.wildcards.length} "*" allow list(s); ${plan.edits.length} edit(s) to contain`,
      result: { plan },
      changed: false,
    };
  },
};

export const containStep: HostStepKind<ContainStep> = {
  scope: 'host',
  schema: applySchema,
  alwaysGated: true,
  describe(step, ctx) {
    const plan = planned(step, ctx);
    const action = 'copy the config to a 0700 quarantine dir, then write each edit and check nothing is left exposed';
    if (!plan) return { action, plan: step.plan ?? 'the latest contain-plan step on the host' };
    return {
      action,
      config: plan.configPath,
      edits: plan.edits.map((e) => `${e.path}: ${JSON.stringify(e.before)} -> ${JSON.stringify(e.after)} (${e.why})`),
      takesEffect: "at the gateway's next start or config reload",
    };
  },
  gateHere: (step, ctx) => (planned(step, ctx)?.edits.length ?? 1) > 0,
  async run(step, ctx) {
    const plan = planned(step, ctx.plan);
    if (!plan) throw ApplicationFailure.nonRetryable(`step ${step.id}: no contain-plan step ran on ${ctx.plan.host.name} before it`, 'StepFailed');
    if (plan.edits.length === 0) return { summary: 'nothing exposed: no edit', result: { applied: [] }, changed: false };
    const { containApply } = proxyActivities<ContainActivities>(hostEffect(120_000, `contain ${ctx.plan.host.name}`));
    const r = await containApply({ host: ctx.plan.host, edits: plan.edits, label: `${ctx.workflowId}.${step.id}`.replace(/[^A-Za-z0-9._-]/g, '_') });
    return {
      summary: `${r.applied.length} edit(s) written (${r.applied.map((e) => e.path).join(', ')}); original config in ${r.quarantinedConfig ?? 'place'}`,
      result: { ...r },
      changed: r.applied.length > 0,
    };
  },
};
