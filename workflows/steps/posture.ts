/**
 * `posture`: every posture check (lib/posture/checks/) on one host, read-only and never gated.
 * The result is each check's status, summary, evidence and fix: what `respond posture` prints,
 * what `posture-record` keeps and what `harden` reads to decide what to fix.
 */
import { proxyActivities } from '@temporalio/workflow';
import { z } from 'zod';
import type { PostureActivities } from '../../activities/posture/activities.js';
import { parseDuration } from '../../lib/duration.js';
import { baseStep, durationText } from '../../lib/runbook/step-base.js';
import { renderForPlan } from '../../lib/runbook/plan.js';
import { renderTemplate } from '../../lib/template.js';
import { hostEffect } from '../activity-options.js';
import type { HostStepKind } from './types.js';

const schema = baseStep
  .extend({
    kind: z.literal('posture'),
    /** Posture settings file on the worker (thresholds, egress allowlist); empty: defaults. */
    settings: z.string().default(''),
    /** Skills allowlist on the worker; empty: the settings' skillsAllowlist, else `skills` is unknown. */
    allowlist: z.string().default(''),
    /** Comma-separated check ids to leave out (e.g. openclaw-audit on a thousand small hosts). */
    skip: z.string().default(''),
    timeout: durationText.default('10m'),
  })
  .strict();
export type PostureStep = z.infer<typeof schema>;

export const postureStep: HostStepKind<PostureStep> = {
  scope: 'host',
  schema,
  alwaysGated: false,
  describe: (step, ctx) => ({
    reads: 'gateway facts, sockets, firewall, update settings, proxy and container config, skills, memory snapshots, rotation records (read-only)',
    settings: renderForPlan(step.settings, ctx),
    allowlist: renderForPlan(step.allowlist, ctx),
    skip: renderForPlan(step.skip, ctx),
    transport: ctx.host.transport.type,
  }),
  async run(step, ctx) {
    const { postureHost } = proxyActivities<PostureActivities>(hostEffect(parseDuration(step.timeout), `posture of ${ctx.plan.host.name}`));
    const skip = renderTemplate(step.skip, ctx.plan).split(',').map((s) => s.trim()).filter(Boolean);
    const r = await postureHost({ host: ctx.plan.host, settings: renderTemplate(step.settings, ctx.plan).trim(), allowlist: renderTemplate(step.allowlist, ctx.plan).trim(), skip });
    const count = (s: string) => r.checks.filter((c) => c.status === s).length;
    const failing = r.checks.filter((c) => c.status === 'fail').map((c) => c.id);
    return {
      summary: `${count('pass')} pass, ${count('warn')} warn, ${count('fail')} fail, ${count('unknown')} unknown${failing.length ? `: ${failing.join(', ')}` : ''}`,
      result: { ...r },
      changed: false,
    };
  },
};
