/**
 * `evidence`: before the response changes a host, copy its config, the session transcripts and
 * gateway logs touched since the incident began, and its workspaces' memory files and skills
 * into a 0700 evidence dir with a manifest; count the hardening guide's signals over those lines
 * (shell tool calls, base64, archives, credential-file reads, outbound destinations, denied
 * calls) and read the gateway's activity ledger where the release has one. Not gated: it changes
 * nothing the agent uses. The summary holds counts and times only.
 */
import { proxyActivities } from '@temporalio/workflow';
import { z } from 'zod';
import type { EvidenceActivities } from '../../activities/evidence/activities.js';
import { parseDuration } from '../../lib/duration.js';
import { renderForPlan } from '../../lib/runbook/plan.js';
import { baseStep, durationText } from '../../lib/runbook/step-base.js';
import { renderTemplate } from '../../lib/template.js';
import { hostEffect } from '../activity-options.js';
import type { HostStepKind } from './types.js';

const schema = baseStep
  .extend({
    kind: z.literal('evidence'),
    /** When the incident began (ISO 8601): the window for logs, transcripts and the ledger. */
    since: z.string(),
    timeout: durationText.default('15m'),
  })
  .strict();
export type EvidenceStep = z.infer<typeof schema>;

export const evidenceStep: HostStepKind<EvidenceStep> = {
  scope: 'host',
  schema,
  alwaysGated: false,
  describe: (step, ctx) => ({
    since: renderForPlan(step.since, ctx),
    copies: 'config, session transcripts and gateway logs changed since then, workspaces memory files and skills (tgz), into a 0700 evidence dir with a manifest',
    counts: 'shell tool calls, base64, archive creation, credential-file reads, outbound destinations, denied tool calls; openclaw audit where available',
  }),
  async run(step, ctx) {
    const { evidenceCollect } = proxyActivities<EvidenceActivities>(hostEffect(parseDuration(step.timeout), `preserve evidence on ${ctx.plan.host.name}`));
    const r = await evidenceCollect({
      host: ctx.plan.host,
      since: renderTemplate(step.since, ctx.plan).trim(),
      label: `${ctx.workflowId}.${step.id}`.replace(/[^A-Za-z0-9._-]/g, '_'),
    });
    const seen = r.signals.filter((s) => s.count > 0).map((s) => `${s.id} ${s.count}${s.first ? ` (${s.first}..${s.last})` : ''}`);
    const ledger = r.ledger.available ? `ledger ${r.ledger.entries} tool action(s)` : `no activity ledger (${r.ledger.reason})`;
    return {
      summary: `${r.files.length} file(s) preserved in ${r.dir}; signals: ${seen.join(', ') || 'none'}; ${ledger}`,
      result: { ...r },
      changed: false,
    };
  },
};
