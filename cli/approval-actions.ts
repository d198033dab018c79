/** Sending approvals and rejections as Temporal Updates, with refusals turned into one-line errors. */
import { WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { UserError } from '../lib/errors.js';
import { formatPlannedAction } from '../lib/runbook/plan.js';
import {
  approveUpdate,
  rejectUpdate,
  type ApprovalReceipt,
  type ApprovalRequest,
  type PendingApproval,
  type RejectionRequest,
} from '../workflows/definitions.js';
import { EXIT } from './exit-codes.js';

export async function sendApproval(client: Client, id: string, req: ApprovalRequest): Promise<ApprovalReceipt> {
  try {
    return await client.workflow.getHandle(id).executeUpdate(approveUpdate, { args: [req] });
  } catch (err) {
    throw refusal(err, 'approval');
  }
}

export async function sendRejection(client: Client, id: string, req: RejectionRequest): Promise<void> {
  try {
    await client.workflow.getHandle(id).executeUpdate(rejectUpdate, { args: [req] });
  } catch (err) {
    throw refusal(err, 'rejection');
  }
}

export function describePending(p: PendingApproval): string {
  return formatPlannedAction(p.action, p.hash);
}

function refusal(err: unknown, what: string): Error {
  if (err instanceof WorkflowUpdateFailedError) {
    const reason = (err.cause as Error | undefined)?.message ?? err.message;
    return new UserError(`${what} refused: ${reason}`, EXIT.refused);
  }
  return err as Error;
}
