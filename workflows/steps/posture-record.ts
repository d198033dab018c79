/**
 * `posture-record`: after a `posture` step, keep the run's results in respond's state and
 * compare them with the last run: what newly fails and what was fixed, per host and check.
 * Scheduled posture runs report their drift through this step's summary.
 */
import { proxyActivities } from '@temporalio/workflow';
import { z } from 'zod';
import type { PostureActivities } from '../../activities/posture/activities.js';
import { baseStep } from '../../lib/runbook/step-base.js';
import type { StepKind } from './types.js';

const schema = baseStep.extend({ kind: z.literal('posture-record'), of: z.string().default('posture') }).strict();
export type PostureRecordStep = z.infer<typeof schema>;

const { postureRecord } = proxyActivities<PostureActivities>({ startToCloseTimeout: '10m', retry: { initialInterval: '2s', maximumAttempts: 5 } });

export const postureRecordStep: StepKind<PostureRecordStep> = {
  schema,
  scope: 'runbook',
  alwaysGated: false,
  describe: (step) => ({ keeps: `each host's ${step.of} results in <state dir>/posture/`, compares: 'with the last posture run' }),
  async run(step, ctx) {
    const r = await postureRecord({ id: ctx.workflowId, step: step.of });
    const failing = Object.entries(r.failing).map(([id, hosts]) => `${id} on ${hosts.length}`);
    return {
      summary: `${r.hosts} host(s): ${r.counts.fail ?? 0} failing check(s)${failing.length ? ` (${failing.join(', ')})` : ''}; ${r.drift.line}`,
      result: { ...r },
    };
  },
};
