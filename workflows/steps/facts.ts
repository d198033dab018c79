/**
 * `facts`: read one host's OpenClaw state (package and version, Node, state dir, gateway bind,
 * port, auth mode, liveness, whether its own token is accepted, and optionally
 * `openclaw security audit`). Read-only; the result keeps what later steps and people need.
 */
import { proxyActivities } from '@temporalio/workflow';
import { z } from 'zod';
import type { OpenclawActivities } from '../../activities/openclaw/activities.js';
import { baseStep } from '../../lib/runbook/step-base.js';
import { hostQuick } from '../activity-options.js';
import type { HostStepKind } from './types.js';

const schema = baseStep
  .extend({
    kind: z.literal('facts'),
    /** Also run `openclaw security audit --json` (a few seconds per host). */
    audit: z.boolean().default(false),
  })
  .strict();
export type FactsStep = z.infer<typeof schema>;

// The security audit can take a while on a slow host.
const { openclawFacts } = proxyActivities<OpenclawActivities>({ ...hostQuick, startToCloseTimeout: '3m' });

export const factsStep: HostStepKind<FactsStep> = {
  scope: 'host',
  schema,
  alwaysGated: false,
  describe: (step, ctx) => ({
    reads: ['installed package and version', 'node version', 'state dir and config (secrets as fingerprints)', 'gateway liveness and token check'],
    audit: step.audit,
    transport: ctx.host.transport.type,
  }),
  async run(step, ctx) {
    const f = await openclawFacts({ host: ctx.plan.host, audit: step.audit });
    const g = f.gateway;
    const version = f.openclaw.version ? `${f.openclaw.package}@${f.openclaw.version}` : 'openclaw not installed';
    const audit = f.audit.summary ? `; audit ${f.audit.summary.critical ?? 0} critical, ${f.audit.summary.warn ?? 0} warn` : '';
    return {
      summary: `${version}; gateway ${g.live ? `live on ${g.bind}:${g.port} (${g.manager.kind}), token ${g.token.verdict}` : 'down'}${audit}`,
      result: {
        openclaw: f.openclaw,
        node: f.node,
        stateDir: f.stateDir,
        gateway: {
          bind: g.bind,
          port: g.port,
          authMode: g.authMode,
          live: g.live,
          token: g.token.verdict,
          tokenFingerprint: g.tokenFingerprint,
          manager: g.manager,
          liveBind: g.liveBind,
          ...(g.process ? { pid: g.process.pid, user: g.process.user } : {}),
        },
        audit: f.audit.summary,
      },
      changed: false,
    };
  },
};
