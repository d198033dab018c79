/**
 * `upgrade-plan` and `upgrade`, for one host: move OpenClaw to a fixed version. `upgrade-plan`
 * reads the host (current version, target, exact commands); `upgrade` is always gated, and its
 * planned action includes what `upgrade-plan` found on that host, so the wave's approval covers
 * each host's real starting point. A host whose upgrade fails is put back on its previous version.
 * A host already at the target is left alone, so a re-run changes nothing.
 */
import { ApplicationFailure, proxyActivities } from '@temporalio/workflow';
import { z } from 'zod';
import type { OpenclawActivities } from '../../activities/openclaw/activities.js';
import type { UpgradePlan } from '../../activities/openclaw/upgrade.js';
import { MINIMUM_SAFE_VERSION } from '../../lib/openclaw-version.js';
import { renderForPlan } from '../../lib/runbook/plan.js';
import { baseStep, type PlanContext } from '../../lib/runbook/step-base.js';
import { renderTemplate } from '../../lib/template.js';
import { hostLong, hostQuick } from '../activity-options.js';
import { gatewayOps } from '../gateway-ops.js';
import { errorMessage, rollback, runUpgrade, type UpgradeOps } from '../upgrade-flow.js';
import type { HostPlanContext, HostStepKind, HostStepRunContext } from './types.js';

const fields = {
  /** Exact OpenClaw version (a tag such as `latest` is refused: the target must not move). */
  version: z.string().min(1),
  /** Targets below it are refused; checked on the worker, so it may come from a parameter. */
  minimumVersion: z.string().min(1).default(MINIMUM_SAFE_VERSION),
};

const planSchema = baseStep.extend({ kind: z.literal('upgrade-plan'), ...fields }).strict();
const upgradeSchema = baseStep.extend({ kind: z.literal('upgrade'), ...fields }).strict();
export type UpgradePlanStep = z.infer<typeof planSchema>;
export type UpgradeStep = z.infer<typeof upgradeSchema>;

const hostOps = proxyActivities<OpenclawActivities>(hostQuick);
const longOps = proxyActivities<OpenclawActivities>(hostLong);

/** What this host's upgrade-plan step found, if the run had one before this step. */
function discovered(ctx: HostPlanContext): UpgradePlan | undefined {
  const found = Object.values(ctx.hostEarlier).filter((e) => e.kind === 'upgrade-plan');
  return found[found.length - 1]?.result.plan as UpgradePlan | undefined;
}

function target(step: UpgradePlanStep | UpgradeStep, ctx: PlanContext) {
  return { version: renderTemplate(step.version, ctx), minimumVersion: renderTemplate(step.minimumVersion, ctx) };
}

function opsFor(step: UpgradeStep, ctx: HostStepRunContext): UpgradeOps {
  const host = ctx.plan.host;
  const { version, minimumVersion } = target(step, ctx.plan);
  return {
    plan: () => hostOps.openclawUpgradePlan({ host, target: version, minimumVersion }),
    // The wave's approval of this step already covered this host's action.
    approve: async (fresh) => {
      const approved = discovered(ctx.plan);
      const managerDrifted = approved?.manager !== undefined && approved.manager.kind !== fresh.manager?.kind;
      if (approved && (approved.current !== fresh.current || approved.action !== fresh.action || managerDrifted)) {
        throw ApplicationFailure.nonRetryable(
          `host changed since the approved plan (was ${approved.current}, ${approved.action}, gateway ${approved.manager?.kind ?? '?'}; now ${fresh.current}, ${fresh.action}, gateway ${fresh.manager?.kind ?? '?'}); re-plan and approve again`,
          'HostDrifted',
        );
      }
    },
    ...gatewayOps(ctx),
    install: (v) => longOps.openclawInstall({ host, version: v }),
    verify: (v) => hostOps.openclawVerify({ host, version: v }),
  };
}

export const upgradePlanStep: HostStepKind<UpgradePlanStep> = {
  scope: 'host',
  schema: planSchema,
  alwaysGated: false,
  describe: (step, ctx) => ({ version: renderForPlan(step.version, ctx), minimumVersion: renderForPlan(step.minimumVersion, ctx) }),
  async run(step, ctx) {
    const { version, minimumVersion } = target(step, ctx.plan);
    const plan = await hostOps.openclawUpgradePlan({ host: ctx.plan.host, target: version, minimumVersion });
    return {
      summary: plan.action === 'none' ? `already ${plan.current}` : `${plan.current} -> ${plan.target}${plan.gatewayLive ? '' : ' (gateway down)'}`,
      result: { plan },
      changed: false,
    };
  },
};

export const upgradeStep: HostStepKind<UpgradeStep> = {
  scope: 'host',
  schema: upgradeSchema,
  alwaysGated: true,
  describe(step, ctx) {
    const version = renderForPlan(step.version, ctx);
    const plan = discovered(ctx);
    return {
      version,
      minimumVersion: renderForPlan(step.minimumVersion, ctx),
      steps: ['stop gateway', `npm install openclaw@${version} (in the host's prefix, or -g)`, 'start gateway', 'verify version and token'],
      onFailure: 'reinstall the previous version, restart, verify (recorded in the audit log)',
      ...(plan ? { current: `${plan.current} -> ${plan.target} (${plan.action}${plan.gatewayLive ? '' : ', gateway down'})`, commands: plan.commands } : {}),
    };
  },
  async run(step, ctx) {
    const outcome = await runUpgrade(opsFor(step, ctx)).catch((err: unknown) => {
      throw ApplicationFailure.nonRetryable(`${errorMessage(err)} (rolled back)`, 'UpgradeFailed');
    });
    return {
      summary: outcome.changed ? `${outcome.plan.current} -> ${outcome.plan.target}` : `unchanged at ${outcome.plan.current}`,
      result: { plan: outcome.plan, changed: outcome.changed },
      changed: outcome.changed,
    };
  },
  async undo(step, outcome, ctx) {
    const plan = outcome.result?.plan as UpgradePlan;
    const ok = await rollback(opsFor(step, ctx), plan, new Error('a later step on this host failed'));
    if (!ok) throw new Error(`rollback to ${plan.current} failed`);
  },
};
