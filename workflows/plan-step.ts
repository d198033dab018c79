/** The planned action of one step and its approval hash. Pure; the workflow and `respond plan` share it. */
import { actionHash } from '../lib/runbook/plan.js';
import type { RunbookSpec, StepSpec } from '../lib/runbook/schema.js';
import type { PlanContext, PlannedAction } from '../lib/runbook/step-base.js';
import { stepKinds } from './steps/index.js';
import type { StepKind } from './steps/types.js';

export interface PlannedStep {
  action: PlannedAction;
  hash: string;
  gated: boolean;
}

export function kindOf(step: StepSpec): StepKind<StepSpec> {
  // The registry is keyed by kind, so this lookup always matches the step's own type.
  return stepKinds[step.kind] as unknown as StepKind<StepSpec>;
}

export function planStep(spec: RunbookSpec, specSha256: string, step: StepSpec, ctx: PlanContext): PlannedStep {
  const kind = kindOf(step);
  const action: PlannedAction = {
    runbook: spec.name,
    specSha256,
    step: step.id,
    kind: step.kind,
    args: kind.describe(step, ctx),
  };
  return { action, hash: actionHash(action), gated: kind.alwaysGated || Boolean(step.approval) };
}
