/** The contract every step kind module fulfils. */
import type { z } from 'zod';
import type { PlanContext } from '../../lib/runbook/step-base.js';

export interface StepRunContext {
  workflowId: string;
  plan: PlanContext;
  /** Secret name -> reference (`env:NAME`, `file:PATH`), resolved only inside activities. */
  secretRefs: Record<string, string>;
}

/** Undo for a completed step, run in reverse order when a later step fails. */
export interface Compensation {
  description: string;
  run(): Promise<void>;
}

export interface StepOutcome {
  /** One line for the status table, the UI and the audit log. Never a secret. */
  summary: string;
  result?: Record<string, unknown>;
  compensation?: Compensation;
}

export interface StepKind<S extends { id: string; kind: string }> {
  schema: z.ZodType<S, z.ZodTypeDef, unknown>;
  /** Steps of this kind wait for approval even without an `approval:` key. */
  alwaysGated: boolean;
  /** The exact action, with secrets as fingerprints: what an approver sees and what the hash covers. Pure. */
  describe(step: S, ctx: PlanContext): Record<string, unknown>;
  run(step: S, ctx: StepRunContext): Promise<StepOutcome>;
}
