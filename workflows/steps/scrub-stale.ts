/**
 * `scrub-stale`: the old credential values a host keeps that respond never issued - earlier
 * gateway tokens and passwords in OpenClaw's config backups, device tokens in stores a newer
 * release migrated away from - hunted exactly wherever they went (default scope, home, log dir)
 * and scrubbed: each file copied to a 0700 quarantine with a manifest, then redacted in place.
 * The live config is never touched. Gated: it rewrites files. Run it after the rotation's revoke,
 * when no old value can still be live.
 */
import { proxyActivities } from '@temporalio/workflow';
import { z } from 'zod';
import type { SweepActivities } from '../../activities/sweep/activities.js';
import { parseDuration } from '../../lib/duration.js';
import { baseStep, durationText } from '../../lib/runbook/step-base.js';
import { hostEffect } from '../activity-options.js';
import type { HostStepKind } from './types.js';

const schema = baseStep
  .extend({
    kind: z.literal('scrub-stale'),
    timeout: durationText.default('15m'),
  })
  .strict();
export type ScrubStaleStep = z.infer<typeof schema>;

export const scrubStaleStep: HostStepKind<ScrubStaleStep> = {
  scope: 'host',
  schema,
  alwaysGated: true,
  describe: (step) => ({
    reads: 'openclaw.json.* backups beside the config (gateway.auth/remote token and password), devices/*.migrated and identity/*.migrated (device tokens)',
    stale: 'every value there the live config does not hold',
    action: "hunt each exactly in OpenClaw's default scope, the gateway user's home and the log dir; copy each file holding one to a 0700 quarantine dir with a manifest, then redact the value in place; never the live config",
    timeout: step.timeout,
  }),
  async run(step, ctx) {
    const timeoutMs = parseDuration(step.timeout);
    const { scrubStaleCopies } = proxyActivities<SweepActivities>(hostEffect(timeoutMs, `scrub stale copies on ${ctx.plan.host.name}`));
    const r = await scrubStaleCopies({ host: ctx.plan.host, label: `${ctx.workflowId}.${step.id}`.replace(/[^A-Za-z0-9._-]/g, '_'), timeoutMs });
    const files = r.scrubbed.length;
    return {
      summary: r.values.length === 0 ? 'no stale value kept in config backups or migrated stores' : `${r.values.length} stale value(s) (${[...new Set(r.values.map((v) => v.field))].join(', ')}); ${files} file(s) quarantined and redacted${r.manifest ? `; manifest ${r.manifest}` : ''}`,
      result: { ...r },
      changed: files > 0,
    };
  },
};
