/**
 * `gateway`: stop, start or restart one host's gateway through whatever runs it (systemd,
 * supervisord, runit, pm2, a container, respond's pidfile), adopting a gateway started by hand.
 * Where no manager can be driven, the host waits for a person to do it and confirm. Gated, since
 * a stop drops every live session.
 */
import { proxyActivities } from '@temporalio/workflow';
import { z } from 'zod';
import type { OpenclawActivities } from '../../activities/openclaw/activities.js';
import { baseStep } from '../../lib/runbook/step-base.js';
import { hostQuick } from '../activity-options.js';
import { gatewayOps } from '../gateway-ops.js';
import { startGateway, stopGateway } from '../upgrade-flow.js';
import type { HostStepKind } from './types.js';

const schema = baseStep
  .extend({
    kind: z.literal('gateway'),
    action: z.enum(['stop', 'start', 'restart']),
  })
  .strict();
export type GatewayStep = z.infer<typeof schema>;

const quick = proxyActivities<OpenclawActivities>(hostQuick);

export const gatewayStep: HostStepKind<GatewayStep> = {
  scope: 'host',
  schema,
  alwaysGated: true,
  describe: (step) => ({
    action: step.action,
    how: 'through what runs the gateway (found on the host: service manager, supervisor, container, or respond adopting a bare process)',
    ...(step.action !== 'start' ? { effect: 'live sessions on the gateway drop' } : {}),
  }),
  async run(step, ctx) {
    const o = gatewayOps(ctx);
    const d = await quick.openclawGatewayDiscover({ host: ctx.plan.host });
    await ctx.record('gateway.found', { manager: d.manager, bind: d.bind });
    let manager = step.action === 'start' ? undefined : await stopGateway(o);
    if (step.action !== 'stop') {
      await startGateway(o, manager);
      manager = (await quick.openclawGatewayDiscover({ host: ctx.plan.host })).manager;
    }
    const kind = manager?.kind ?? d.manager.kind;
    return {
      summary: `${step.action}: ${step.action === 'stop' ? `stopped (was ${d.manager.kind})` : `running (${kind}${d.manager.kind !== kind ? `, was ${d.manager.kind}` : ''})`}`,
      result: { before: d.manager, after: manager ?? null },
      changed: true,
    };
  },
};
