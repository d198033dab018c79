/**
 * The gateway operations a host step uses inside a workflow: stop and start through the
 * activities (which go through whatever runs the gateway), and, where respond cannot act, a wait
 * for a person followed by respond's own check of the host, asked again until the host agrees.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { OpenclawActivities } from '../activities/openclaw/activities.js';
import type { ManualAction } from '../activities/openclaw/gateway/control.js';
import type { ManagerRef } from '../activities/openclaw/gateway/types.js';
import type { HostSpec } from '../lib/inventory/schema.js';
import { hostLong, hostQuick } from './activity-options.js';
import type { HostStepRunContext } from './steps/types.js';
import { errorMessage, type UpgradeOps } from './upgrade-flow.js';

const quick = proxyActivities<OpenclawActivities>(hostQuick);
const long = proxyActivities<OpenclawActivities>(hostLong);

export async function personDoes(ctx: HostStepRunContext, host: HostSpec, action: ManualAction): Promise<void> {
  let instruction = action.instruction;
  for (;;) {
    await ctx.awaitPerson({ action: action.action, instruction });
    try {
      await quick.openclawGatewayCheck({ host, check: action.check });
      return;
    } catch (err) {
      instruction = `${action.instruction}. After the last confirmation respond still saw: ${errorMessage(err)}`;
    }
  }
}

export function gatewayOps(ctx: HostStepRunContext): Pick<UpgradeOps, 'stop' | 'start' | 'manual' | 'record'> {
  const host = ctx.plan.host;
  return {
    stop: () => quick.openclawGatewayStop({ host }),
    start: (manager?: ManagerRef) => long.openclawGatewayStart({ host, ...(manager ? { manager } : {}) }),
    manual: (action) => personDoes(ctx, host, action),
    record: (event, details) => ctx.record(event, details),
  };
}
