/**
 * The runbook file format. Each step is checked first for a known `kind`, then against that kind's
 * own schema, so errors name the real problem instead of "no union member matched".
 */
import { z } from 'zod';
import { stepKinds, type StepKindName } from './steps/index.js';
import { SECRET_REF_PATTERN } from '../lib/secrets.js';
import { fleetSchema } from '../lib/fleet/policy.js';
import { approvalPolicy, approverName } from '../lib/runbook/step-base.js';

const KINDS = Object.keys(stepKinds) as [StepKindName, ...StepKindName[]];

export type StepSpec = { [K in StepKindName]: z.output<(typeof stepKinds)[K]['schema']> }[StepKindName];

const step = z
  .object({ kind: z.enum(KINDS, { errorMap: () => ({ message: `kind must be one of ${KINDS.join(', ')}` }) }) })
  .passthrough()
  .transform((raw, ctx): StepSpec => {
    const parsed = stepKinds[raw.kind].schema.safeParse(raw);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) ctx.addIssue(issue as z.IssueData);
      return z.NEVER;
    }
    return parsed.data as StepSpec;
  });

export const paramSpec = z
  .object({
    type: z.enum(['string', 'number', 'boolean']).default('string'),
    description: z.string().optional(),
    default: z.union([z.string(), z.number(), z.boolean()]).optional(),
    required: z.boolean().default(false),
    pattern: z.string().optional(),
    enum: z.array(z.union([z.string(), z.number()])).optional(),
  })
  .strict();
export type ParamSpec = z.infer<typeof paramSpec>;

const secretSpec = z
  .object({
    ref: z.string().regex(SECRET_REF_PATTERN, 'a secret ref is env:NAME or file:PATH'),
    description: z.string().optional(),
  })
  .strict();

const identifier = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'names are letters, digits and _');

export const runbookSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'runbook names are lower-case letters, digits and -'),
    description: z.string().optional(),
    version: z.union([z.string(), z.number()]).optional(),
    /** Who may approve gated steps unless a step says otherwise; empty means anyone. */
    approvers: z.array(approverName).default([]),
    /** Defaults for every gate. */
    approval: approvalPolicy.default({}),
    params: z.record(identifier, paramSpec).default({}),
    secrets: z.record(identifier, secretSpec).default({}),
    /** Which hosts the host-scoped steps act on, and how they spread (waves, concurrency, error budget). */
    fleet: fleetSchema.optional(),
    /** `false`: no gate of this runbook accepts `--auto-approve`. */
    autoApprove: z.boolean().optional(),
    /** `true`: every gate accepts only SSH-signed approvals by keys in the allowed-signers file. */
    signedApprovals: z.boolean().optional(),
    steps: z.array(step).min(1, 'a runbook needs at least one step'),
  })
  .strict()
  .superRefine((spec, ctx) => {
    const seen = new Set<string>();
    spec.steps.forEach((s, i) => {
      if (seen.has(s.id)) ctx.addIssue({ code: 'custom', path: ['steps', i, 'id'], message: `duplicate step id "${s.id}"` });
      seen.add(s.id);
      const text = JSON.stringify(s);
      for (const m of text.matchAll(/\{\{\s*(params|secrets)\.([A-Za-z_][\w-]*)\s*\}\}/g)) {
        const declared = m[1] === 'params' ? spec.params : spec.secrets;
        if (!(m[2]! in declared)) {
          ctx.addIssue({ code: 'custom', path: ['steps', i], message: `uses {{${m[1]}.${m[2]}}} but the runbook declares no such ${m[1] === 'params' ? 'parameter' : 'secret'}` });
        }
      }
    });
    for (const [name, p] of Object.entries(spec.params)) {
      if (p.pattern !== undefined) {
        try {
          new RegExp(p.pattern);
        } catch {
          ctx.addIssue({ code: 'custom', path: ['params', name, 'pattern'], message: 'not a valid regular expression' });
        }
      }
    }
  });

export type RunbookSpec = z.output<typeof runbookSchema>;
