/**
 * `scrub`: on one host, every file that still holds a rotated credential gets a verified copy in
 * an owner-only quarantine dir with a manifest, then the value is redacted in place. Always
 * behind an approval: it rewrites files the operator owns. No undo: restoring the originals
 * would put the rotated secret back; the quarantine and manifest are the way back by hand.
 */
import { proxyActivities } from '@temporalio/workflow';
import { z } from 'zod';
import { parseDuration } from '../../lib/duration.js';
import { renderForPlan } from '../../lib/runbook/plan.js';
import { baseStep } from '../../lib/runbook/step-base.js';
import { renderTemplate } from '../../lib/template.js';
import type { SweepActivities } from '../../activities/sweep/activities.js';
import type { ScrubResult } from '../../activities/sweep/scrub.js';
import { hostEffect } from '../activity-options.js';
import { huntRefs, scopeOf, sweepFields } from './sweep.js';
import type { HostStepKind } from './types.js';

const schema = baseStep
  .extend({
    kind: z.literal('scrub'),
    ...sweepFields,
    hunt: sweepFields.hunt.refine((h) => h.length > 0, 'scrub needs at least one {{secrets.NAME}} to hunt'),
  })
  .strict();

export type ScrubStep = z.infer<typeof schema>;

export const scrubStep: HostStepKind<ScrubStep> = {
  scope: 'host',
  schema,
  alwaysGated: true,
  describe: (step, ctx) => ({
    ...scopeOf(step, ctx),
    hunt: step.hunt.map((h) => renderForPlan(h, ctx)),
    action: 'copy each file holding a hunted value to a 0700 quarantine dir with a manifest, then redact the value in place',
    timeout: step.timeout,
  }),
  async run(step, ctx) {
    const timeoutMs = parseDuration(step.timeout);
    const { scrubHost } = proxyActivities<SweepActivities>(hostEffect(timeoutMs, `scrub ${step.id} on ${ctx.plan.host.name}`));
    const render = (p: string) => renderTemplate(p, ctx.plan);
    const res = await scrubHost({
      host: ctx.plan.host,
      roots: step.paths?.map(render),
      extraPaths: step.extraPaths?.map(render),
      hunt: huntRefs(step.hunt, ctx.secretRefs),
      // The host's workflow id and the step id name the quarantine dir, so an activity retry reuses it.
      label: `${ctx.workflowId}.${step.id}`.replace(/[^A-Za-z0-9._-]/g, '_'),
      timeoutMs,
    });
    return {
      summary: `${res.scrubbed.length} file(s) quarantined and redacted; manifest ${res.manifest}`,
      changed: res.scrubbed.length > 0,
      result: scrubResult(res),
    };
  },
};

/** What a scrub leaves in history: where the quarantine is and what moved there, by fingerprint. */
export function scrubResult(res: ScrubResult): Record<string, unknown> {
  return {
    host: res.host,
    quarantineDir: res.quarantineDir,
    manifest: res.manifest,
    scrubbed: res.scrubbed.map(({ path, quarantinedAs, sha256, replacements }) => ({ path, quarantinedAs, sha256, replacements })),
    untouched: res.untouched,
  };
}
