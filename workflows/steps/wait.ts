/** `wait`: a durable timer; survives worker and server restarts. */
import { sleep } from '@temporalio/workflow';
import { z } from 'zod';
import { parseDuration } from '../../lib/duration.js';
import { baseStep, durationText } from '../../lib/runbook/step-base.js';
import type { StepKind } from './types.js';

const schema = baseStep.extend({ kind: z.literal('wait'), duration: durationText }).strict();
export type WaitStep = z.infer<typeof schema>;

export const waitStep: StepKind<WaitStep> = {
  schema,
  scope: 'runbook',
  alwaysGated: false,
  describe: (step) => ({ duration: step.duration }),
  async run(step) {
    await sleep(parseDuration(step.duration));
    return { summary: `waited ${step.duration}` };
  },
};
