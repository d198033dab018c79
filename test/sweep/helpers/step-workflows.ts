/**
 * Test-only workflows that run one sweep or scrub step through the real step-kind modules, so
 * the steps are exercised in the workflow sandbox before the runbook registry wires them in.
 */
import type { StepRunContext } from '../../../workflows/steps/types.js';
import { scrubStep } from '../../../workflows/steps/scrub.js';
import { sweepStep } from '../../../workflows/steps/sweep.js';

export async function sweepStepWorkflow(raw: unknown, ctx: StepRunContext) {
  const out = await sweepStep.run(sweepStep.schema.parse(raw), ctx);
  return { summary: out.summary, result: out.result };
}

export async function scrubStepWorkflow(raw: unknown, ctx: StepRunContext) {
  const out = await scrubStep.run(scrubStep.schema.parse(raw), ctx);
  return { summary: out.summary, result: out.result };
}
