/**
 * What every step has, whatever its kind. Step kinds extend `baseStep` with their own fields
 * (see workflows/steps/). Pure: imported by the workflow sandbox and the CLI alike.
 */
import { z } from 'zod';
import { DURATION_PATTERN } from '../duration.js';

export const durationText = z
  .string()
  .regex(DURATION_PATTERN, 'expected a duration such as 30s, 15m, 2h or 1d');

export const approverName = z.string().regex(/^[\w.@-]+$/, 'approver names are letters, digits, . _ @ -');

export const approvalPolicy = z
  .object({
    minApprovals: z.number().int().min(1).max(10).optional(),
    approvers: z.array(approverName).optional(),
    timeout: durationText.optional(),
    onTimeout: z.enum(['abort', 'escalate']).optional(),
    escalateTo: z.array(approverName).optional(),
  })
  .strict();
export type ApprovalPolicy = z.infer<typeof approvalPolicy>;

export const baseStep = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'step ids are lower-case letters, digits and -'),
  description: z.string().optional(),
  /** `true` for the runbook's default policy, or a policy of its own. */
  approval: z.union([z.literal(true), approvalPolicy]).optional(),
  /** `false`: this step's gate refuses `--auto-approve`; a person must approve it. */
  autoApprove: z.boolean().optional(),
});

/** Everything an approval is about, with secrets already replaced by fingerprints. Hashed. */
export interface PlannedAction {
  runbook: string;
  specSha256: string;
  step: string;
  kind: string;
  args: Record<string, unknown>;
}

export interface PlanContext {
  runbook: string;
  incident: string;
  params: Record<string, string | number | boolean>;
  /** name -> "sha256:..." fingerprint of the value the reference currently resolves to. */
  secretFingerprints: Record<string, string>;
  /**
   * What earlier steps of this run found (step id -> kind and result), so a gate can show and
   * hash what the run discovered, e.g. each host's current version. Empty in `respond plan`.
   */
  earlier?: Record<string, { kind: string; result: Record<string, unknown> }>;
}
