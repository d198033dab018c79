/**
 * signedApprovals at `start`: read the allowed-signers file once and pin the keys into the run's
 * input. Every approver the runbook names must have a key, or the run does not start.
 */
import { readFileSync } from 'node:fs';
import type { RespondConfig } from '../lib/config.js';
import { UserError } from '../lib/errors.js';
import { parseAllowedSigners, type PinnedSigners } from '../lib/signing/allowed-signers.js';
import type { RunbookSpec } from '../workflows/runbook-schema.js';

export function signedApprovalsOn(spec: RunbookSpec, cfg: RespondConfig): boolean {
  return spec.signedApprovals === true || cfg.approvals.requireSigned;
}

export function pinSigners(spec: RunbookSpec, cfg: RespondConfig): PinnedSigners {
  const file = cfg.approvals.allowedSigners;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message;
    throw new UserError(`signed approvals: allowed signers ${file}: ${why} (set RESPOND_ALLOWED_SIGNERS)`);
  }
  const signers = parseAllowedSigners(text, file);
  if (Object.keys(signers).length === 0) throw new UserError(`signed approvals: ${file} lists no key for namespace respond-approval`);
  for (const name of namedApprovers(spec)) {
    if (!signers[name]) throw new UserError(`signed approvals: approver ${name} of runbook ${spec.name} has no key in ${file}`);
  }
  return signers;
}

function namedApprovers(spec: RunbookSpec): string[] {
  const names = [...spec.approvers, ...(spec.approval.approvers ?? []), ...(spec.approval.escalateTo ?? [])];
  for (const step of spec.steps) {
    if (step.approval && step.approval !== true) names.push(...(step.approval.approvers ?? []), ...(step.approval.escalateTo ?? []));
  }
  return [...new Set(names)];
}
