/**
 * `upgrade-plan` and `upgrade`: move OpenClaw on inventory hosts to a fixed version.
 * `upgrade-plan` reads each host and shows current version, target and the exact commands;
 * `upgrade` is always gated and runs host by host in inventory order (canaries first), each host
 * rolled back to its previous version if any part of its upgrade fails. Hosts already at the
 * target are left alone, so a re-run changes nothing.
 */
import { ApplicationFailure, proxyActivities } from '@temporalio/workflow';
import { z } from 'zod';
import { renderForPlan } from '../../lib/runbook/plan.js';
import { baseStep, type PlanContext } from '../../lib/runbook/step-base.js';
import { renderTemplate } from '../../lib/template.js';
import type { OpenclawActivities } from '../../activities/openclaw/activities.js';
import { errorMessage, rollback, runUpgrade, type UpgradeOps } from '../../activities/openclaw/upgrade-flow.js';
import type { UpgradePlan } from '../../activities/openclaw/upgrade.js';
import type { HostSpec } from '../../lib/inventory/schema.js';
import { activities as platform } from '../activity-options.js';
import type { StepKind, StepRunContext } from './types.js';

const DEFAULT_MINIMUM = '2026.1.29';

const fields = {
  /** Inventory file on the worker. */
  inventory: z.string().min(1),
  /** `--hosts` expression: names, `tag:<tag>`, `all`. */
  hosts: z.string().min(1),
  /** Exact OpenClaw version (a tag such as `latest` is refused: the target must not move). */
  version: z.string().min(1),
  /** Targets below it are refused; checked on the worker, so it may come from a parameter. */
  minimumVersion: z.string().min(1).default(DEFAULT_MINIMUM),
};

const planSchema = baseStep.extend({ kind: z.literal('upgrade-plan'), ...fields }).strict();
const upgradeSchema = baseStep.extend({ kind: z.literal('upgrade'), ...fields }).strict();
export type UpgradePlanStep = z.infer<typeof planSchema>;
export type UpgradeStep = z.infer<typeof upgradeSchema>;

const quick = { startToCloseTimeout: '2m', retry: { initialInterval: '2s', maximumInterval: '30s', maximumAttempts: 5 } } as const;
const hostOps = proxyActivities<OpenclawActivities>(quick);
const longOps = proxyActivities<OpenclawActivities>({
  startToCloseTimeout: '20m',
  // Installs and gateway start-up heartbeat; a dead worker is noticed within a minute.
  heartbeatTimeout: '1m',
  retry: { initialInterval: '5s', maximumInterval: '1m', maximumAttempts: 3 },
});

/** Each host's current version and commands, as the run's latest upgrade-plan step found them. */
function discovered(ctx: PlanContext): UpgradePlan[] | undefined {
  const found = Object.values(ctx.earlier ?? {}).filter((e) => e.kind === 'upgrade-plan');
  return found[found.length - 1]?.result.plans as UpgradePlan[] | undefined;
}

function describe(step: UpgradePlanStep | UpgradeStep, ctx: PlanContext): Record<string, unknown> {
  const version = renderForPlan(step.version, ctx);
  const plans = step.kind === 'upgrade' ? discovered(ctx) : undefined;
  return {
    inventory: renderForPlan(step.inventory, ctx),
    hosts: renderForPlan(step.hosts, ctx),
    version,
    minimumVersion: renderForPlan(step.minimumVersion, ctx),
    ...(step.kind === 'upgrade'
      ? {
          perHost: ['stop gateway', `npm install openclaw@${version} (in the host's prefix, or -g)`, 'start gateway', 'verify version and token'],
          onFailure: 'reinstall the previous version, restart, verify (recorded in the audit log)',
        }
      : {}),
    ...(plans
      ? {
          current: plans.map((p) => `${p.host}: ${p.current} -> ${p.target} (${p.action}${p.gatewayLive ? '' : ', gateway down'})`),
          commands: Object.fromEntries(plans.map((p) => [p.host, p.commands])),
        }
      : {}),
  };
}

async function targets(step: UpgradePlanStep | UpgradeStep, ctx: StepRunContext) {
  const r = (t: string) => renderTemplate(t, ctx.plan);
  const hosts = await hostOps.openclawInventoryHosts({ inventory: r(step.inventory), hosts: r(step.hosts) });
  return { hosts, version: r(step.version), minimumVersion: r(step.minimumVersion) };
}

function opsFor(host: HostSpec, step: UpgradeStep, version: string, minimumVersion: string, ctx: StepRunContext): UpgradeOps {
  let seq = 0;
  return {
    plan: () => hostOps.openclawUpgradePlan({ host, target: version, minimumVersion }),
    // The runbook's gate on this step already approved it.
    approve: async () => {},
    stop: () => hostOps.openclawGatewayStop({ host }),
    install: (v) => longOps.openclawInstall({ host, version: v }),
    start: () => longOps.openclawGatewayStart({ host }),
    verify: (v) => hostOps.openclawVerify({ host, version: v }),
    record: (event, details) =>
      platform.appendAudit({
        id: `${ctx.workflowId}/${step.id}/${host.name}/${event}/${seq++}`,
        event,
        runbook: ctx.plan.runbook,
        step: step.id,
        host: host.name,
        actor: 'respond',
        result: details,
        ts: new Date().toISOString(),
        workflowId: ctx.workflowId,
        incident: ctx.plan.incident,
      }),
  };
}

export const upgradePlanStep: StepKind<UpgradePlanStep> = {
  schema: planSchema,
  alwaysGated: false,
  describe,
  async run(step, ctx) {
    const { hosts, version, minimumVersion } = await targets(step, ctx);
    const plans: UpgradePlan[] = [];
    for (const host of hosts) {
      plans.push(await hostOps.openclawUpgradePlan({ host, target: version, minimumVersion }));
    }
    return {
      summary: plans.map((p) => (p.action === 'none' ? `${p.host} already ${p.current}` : `${p.host} ${p.current} -> ${p.target}`)).join('; '),
      result: { plans },
    };
  },
};

export const upgradeStep: StepKind<UpgradeStep> = {
  schema: upgradeSchema,
  alwaysGated: true,
  describe,
  async run(step, ctx) {
    const { hosts, version, minimumVersion } = await targets(step, ctx);
    const changed: Array<{ ops: UpgradeOps; plan: UpgradePlan }> = [];
    const lines: string[] = [];
    for (const host of hosts) {
      const ops = opsFor(host, step, version, minimumVersion, ctx);
      try {
        const outcome = await runUpgrade(ops);
        if (outcome.changed) changed.push({ ops, plan: outcome.plan });
        lines.push(outcome.changed ? `${host.name} ${outcome.plan.current} -> ${version}` : `${host.name} unchanged at ${version}`);
      } catch (err) {
        // This host rolled itself back; hosts done before it stay upgraded unless a later step's
        // failure triggers this step's compensation.
        throw ApplicationFailure.nonRetryable(
          `step ${step.id}: ${host.name}: ${errorMessage(err)} (rolled back; done before it: ${lines.join(', ') || 'none'})`,
          'UpgradeFailed',
        );
      }
    }
    return {
      summary: lines.join('; '),
      result: { hosts: lines },
      compensation: changed.length
        ? {
            description: `roll ${changed.map((c) => c.plan.host).join(', ')} back to their previous versions`,
            run: async () => {
              for (const c of [...changed].reverse()) {
                const ok = await rollback(c.ops, c.plan, new Error('a later step failed'));
                if (!ok) throw new Error(`rollback of ${c.plan.host} to ${c.plan.current} failed`);
              }
            },
          }
        : undefined,
    };
  },
};
