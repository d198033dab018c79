/**
 * Test-only workflows that run one sweep or scrub step on the worker's own machine through the
 * real step-kind modules, in the workflow sandbox, without the fleet around them.
 */
import { WORKER_HOST } from '../../../workflows/fleet/worker-host.js';
import type { HostStepRunContext, StepRunContext } from '../../../workflows/steps/types.js';
import { scrubStep } from '../../../workflows/steps/scrub.js';
import { sweepStep } from '../../../workflows/steps/sweep.js';

function onWorker(ctx: StepRunContext): HostStepRunContext {
  return { ...ctx, plan: { ...ctx.plan, host: WORKER_HOST, hostEarlier: {} }, record: async () => {} };
}

export async function sweepStepWorkflow(raw: unknown, ctx: StepRunContext) {
  const out = await sweepStep.run(sweepStep.schema.parse(raw), onWorker(ctx));
  return { summary: out.summary, result: out.result };
}

export async function scrubStepWorkflow(raw: unknown, ctx: StepRunContext) {
  const out = await scrubStep.run(scrubStep.schema.parse(raw), onWorker(ctx));
  return { summary: out.summary, result: out.result };
}
