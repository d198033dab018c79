/**
 * `harden`: the config fixes respond can make safely, from this host's `posture` results earlier
 * in the run: bind to loopback, a token where none is set (delivered to `tokenFile` like a
 * rotated one), debug logging and dangerous switches off, the activity ledger on. Always gated:
 * the approval shows the exact key-by-key diff and its hash covers it. Applied through the host's
 * `openclaw config`, all or nothing; the gateway restarts through what runs it when a change
 * needs that (bind). Firewall, proxy and container fixes are listed for a person, never applied.
 */
import { proxyActivities } from '@temporalio/workflow';
import { z } from 'zod';
import type { PostureActivities } from '../../activities/posture/activities.js';
import { hardenPlan } from '../../lib/posture/harden-plan.js';
import type { CheckResult } from '../../lib/posture/types.js';
import { baseStep } from '../../lib/runbook/step-base.js';
import { hostEffect } from '../activity-options.js';
import { gatewayOps } from '../gateway-ops.js';
import { startGateway, stopGateway } from '../upgrade-flow.js';
import { hostPathFor, latestEarlier, type HostPlanContext, type HostStepKind } from './types.js';

const schema = baseStep
  .extend({
    kind: z.literal('harden'),
    /** The posture step whose results decide (default: the latest posture step of the run). */
    from: z.string().optional(),
    /** Worker path a new gateway token is delivered to (0600); `{{host}}` is the host's name. */
    tokenFile: z.string().default(''),
  })
  .strict();
export type HardenStep = z.infer<typeof schema>;

function tokenFileOf(step: HardenStep, ctx: HostPlanContext, host?: string): string {
  return hostPathFor(step.tokenFile, ctx, host).trim();
}

function planFor(step: HardenStep, ctx: HostPlanContext, host?: string) {
  const posture = latestEarlier(ctx, 'posture', step.from) as { checks?: CheckResult[] } | undefined;
  return hardenPlan(posture?.checks ?? [], { tokenFile: tokenFileOf(step, ctx, host) || undefined });
}

export const hardenStep: HostStepKind<HardenStep> = {
  scope: 'host',
  schema,
  alwaysGated: true,
  describe: (step, ctx) => {
    const p = planFor(step, ctx);
    return {
      config: p.changes.map((c) => `${c.key}: ${JSON.stringify(c.from)} -> ${c.secret ? String(c.to) : JSON.stringify(c.to)}`),
      restartGateway: p.restart && p.changes.some((c) => c.key === 'gateway.bind'),
      via: 'openclaw config set/unset on the host (a copy of the config is quarantined first; all or nothing)',
      notHere: p.notHere.map((n) => `${n.check}: ${n.why}`),
    };
  },
  async run(step, ctx) {
    const plan = planFor(step, ctx.plan, ctx.plan.host.name);
    if (plan.changes.length === 0) {
      return { summary: `nothing to change${plan.notHere.length ? `; left for others: ${plan.notHere.map((n) => n.check).join(', ')}` : ''}`, result: { applied: [], notHere: plan.notHere }, changed: false };
    }
    const { hardenApply } = proxyActivities<PostureActivities>(hostEffect(5 * 60_000, `harden ${ctx.plan.host.name}`));
    const tokenFile = tokenFileOf(step, ctx.plan, ctx.plan.host.name);
    const r = await hardenApply({ host: ctx.plan.host, changes: plan.changes, runId: ctx.workflowId, ...(tokenFile ? { tokenFile } : {}) });
    await ctx.record('harden.applied', { applied: r.applied, alreadyDone: r.alreadyDone, configCopy: r.configCopy, ...(r.token ? { token: r.token } : {}) });
    let restarted = false;
    if (plan.restart && r.applied.includes('gateway.bind')) {
      const o = gatewayOps(ctx);
      await startGateway(o, await stopGateway(o));
      restarted = true;
    }
    return {
      summary: `set ${r.applied.join(', ') || 'nothing new'}${r.alreadyDone.length ? ` (${r.alreadyDone.length} already done)` : ''}${restarted ? '; gateway restarted' : ''}${r.token ? `; new token ${r.token.fingerprint} delivered to ${r.token.deliveredTo}` : ''}`,
      result: { ...r, restarted, notHere: plan.notHere },
      changed: r.applied.length > 0,
    };
  },
};
