/**
 * What an approver signs: one canonical JSON text naming the run, step, action hash and approver,
 * so a signature can be replayed on nothing else. The CLI signs it; the workflow verifies it.
 */
import { canonicalJson } from '../canonical-json.js';

export const APPROVAL_NAMESPACE = 'respond-approval';

export interface ApprovalClaim {
  run: string;
  step: string;
  hash: string;
  approver: string;
}

export function approvalMessage(claim: ApprovalClaim): string {
  return canonicalJson({ type: 'respond-approval/v1', run: claim.run, step: claim.step, hash: claim.hash.toLowerCase(), approver: claim.approver });
}
