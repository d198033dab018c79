/** `approval`: a checkpoint that does nothing but wait for people to say go. */
import { z } from 'zod';
import { renderForPlan } from '../../lib/runbook/plan.js';
import { baseStep } from '../../lib/runbook/step-base.js';
import type { StepKind } from './types.js';

const schema = baseStep.extend({ kind: z.literal('approval'), message: z.string().min(1) }).strict();
export type ApprovalStep = z.infer<typeof schema>;

export const approvalStep: StepKind<ApprovalStep> = {
  schema,
  scope: 'runbook',
  alwaysGated: true,
  describe: (step, ctx) => ({ message: renderForPlan(step.message, ctx) }),
  async run() {
    return { summary: 'approved' };
  },
};
