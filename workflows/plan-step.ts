/** The planned action of one step and its approval hash. Pure; the workflow and `respond plan` share it. */
import { plannedAction, type StepIdentity } from '../lib/runbook/plan.js';
import type { RunbookSpec, StepSpec } from './runbook-schema.js';
import type { PlanContext, PlannedAction } from '../lib/runbook/step-base.js';
import { stepKinds } from './steps/index.js';
import type { AnyStepKind, HostStepKind, StepKind } from './steps/types.js';

export interface PlannedStep {
  action: PlannedAction;
  hash: string;
  gated: boolean;
}

function anyKind(step: StepSpec): AnyStepKind<StepSpec> {
  // The registry is keyed by kind, so this lookup always matches the step's own type.
  return stepKinds[step.kind] as unknown as AnyStepKind<StepSpec>;
}

export function isHostStep(step: StepSpec): boolean {
  return anyKind(step).scope === 'host';
}

export function isGated(step: StepSpec): boolean {
  return anyKind(step).alwaysGated || Boolean(step.approval);
}

export function kindOf(step: StepSpec): StepKind<StepSpec> {
  const k = anyKind(step);
  if (k.scope !== 'runbook') throw new Error(`step ${step.id} (${step.kind}) acts on hosts; the fleet runs it`);
  return k;
}

export function hostKindOf(step: StepSpec): HostStepKind<StepSpec> {
  const k = anyKind(step);
  if (k.scope !== 'host') throw new Error(`step ${step.id} (${step.kind}) does not act on hosts`);
  return k;
}

export function planStep(spec: RunbookSpec, specSha256: string, step: StepSpec, ctx: PlanContext): PlannedStep {
  const { action, hash } = plannedAction(stepIdentity(spec, specSha256, step), kindOf(step).describe(step, ctx));
  return { action, hash, gated: isGated(step) };
}

export function stepIdentity(spec: RunbookSpec, specSha256: string, step: StepSpec): StepIdentity {
  return { runbook: spec.name, specSha256, step: step.id, kind: step.kind };
}

/** 1-based ordinal of the section of host steps that starts at `start`. */
export function sectionOrdinal(steps: readonly StepSpec[], start: number): number {
  let n = 0;
  for (let i = 0; i <= start; i++) if (isHostStep(steps[i]!) && (i === 0 || !isHostStep(steps[i - 1]!))) n++;
  return n;
}

/** Consecutive host-scoped steps form one section: each host runs all of them in one child workflow. */
export function sectionEnd(steps: readonly StepSpec[], start: number): number {
  let end = start;
  while (end < steps.length && isHostStep(steps[end]!)) end++;
  return end;
}

/** Gated steps that refuse auto-approval (`autoApprove: false` on the runbook or the step): `--auto-approve` and drills cannot run them. */
export function gatesRefusingAutoApprove(spec: { autoApprove?: boolean; steps: StepSpec[] }): StepSpec[] {
  return spec.autoApprove === false ? spec.steps.filter(isGated) : spec.steps.filter((s) => isGated(s) && s.autoApprove === false);
}
