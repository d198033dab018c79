/**
 * The approval state of one runbook run: which step waits, for which exact action (hash), who may
 * approve, and who did. Validation is separate from mutation so an Update's validator can refuse
 * a bad request before it reaches history.
 */
import type { PlannedAction } from '../lib/runbook/step-base.js';
import type {
  ApprovalReceipt,
  ApprovalRequest,
  PendingApproval,
  RejectionRequest,
} from './definitions.js';
import { checkApprovalSignature, type SigningPolicy } from './approval-signature.js';

export interface GatePolicy {
  minApprovals: number;
  approvers: string[];
  timeoutMs: number;
  onTimeout: 'abort' | 'escalate';
  escalateTo: string[];
}

export type GateDecision = { kind: 'approved' } | { kind: 'rejected'; actor: string; reason: string };

export class ApprovalGate {
  pending?: PendingApproval;
  decision?: GateDecision;

  constructor(private readonly signing?: SigningPolicy) {}

  open(step: string, hash: string, action: PlannedAction, policy: GatePolicy, now: number): void {
    this.decision = undefined;
    this.pending = {
      step,
      hash,
      action,
      minApprovals: policy.minApprovals,
      approvers: [...policy.approvers],
      approvals: [],
      openedAt: new Date(now).toISOString(),
      deadline: new Date(now + policy.timeoutMs).toISOString(),
      escalated: false,
      ...(this.signing ? { signed: true } : {}),
    };
  }

  /** After a timeout with onTimeout: escalate: more people may approve, for one more period. */
  escalate(escalateTo: string[], timeoutMs: number, now: number): void {
    const p = this.requirePending();
    p.escalated = true;
    if (p.approvers.length > 0) p.approvers = [...new Set([...p.approvers, ...escalateTo])];
    p.deadline = new Date(now + timeoutMs).toISOString();
  }

  close(): void {
    this.pending = undefined;
  }

  /** Throws with the reason when `req` must not be applied. */
  validateApproval(req: ApprovalRequest): void {
    const p = this.requirePending();
    if (!req || typeof req !== 'object') throw new Error('approval must be an object {step, hash, approver}');
    if (req.step !== p.step) throw new Error(`step "${req.step}" is not waiting for approval (waiting: ${p.step})`);
    if (typeof req.hash !== 'string' || req.hash.toLowerCase() !== p.hash) {
      throw new Error(`hash does not match the planned action of step ${p.step}`);
    }
    if (typeof req.approver !== 'string' || req.approver.trim() === '') throw new Error('approver is required');
    if (p.approvers.length > 0 && !p.approvers.includes(req.approver)) {
      throw new Error(`approver "${req.approver}" is not allowed to approve step ${p.step}`);
    }
    if (p.approvals.some((a) => a.approver === req.approver)) {
      throw new Error(`approver "${req.approver}" has already approved step ${p.step}`);
    }
    if (this.signing) checkApprovalSignature(this.signing, { ...req, hash: p.hash });
  }

  approve(req: ApprovalRequest, via: 'update' | 'signal', now: number): ApprovalReceipt {
    const p = this.requirePending();
    // Checked again here: a replay runs no validator, and the record must name the signer.
    const signed = this.signing ? { signer: checkApprovalSignature(this.signing, { ...req, hash: p.hash }), signature: req.signature } : {};
    p.approvals.push({ approver: req.approver, at: new Date(now).toISOString(), via, comment: req.comment, ...signed });
    const approved = p.approvals.length >= p.minApprovals;
    if (approved) this.decision = { kind: 'approved' };
    return { step: p.step, approvals: p.approvals.length, required: p.minApprovals, approved };
  }

  validateRejection(req: RejectionRequest): void {
    const p = this.requirePending();
    if (!req || typeof req !== 'object') throw new Error('rejection must be an object {actor, reason}');
    if (req.step !== undefined && req.step !== p.step) {
      throw new Error(`step "${req.step}" is not waiting for approval (waiting: ${p.step})`);
    }
    if (typeof req.reason !== 'string' || req.reason.trim() === '') throw new Error('a reason is required');
    if (typeof req.actor !== 'string' || req.actor.trim() === '') throw new Error('actor is required');
    if (p.approvers.length > 0 && !p.approvers.includes(req.actor)) {
      throw new Error(`"${req.actor}" is not an approver of step ${p.step}`);
    }
  }

  /** `--auto-approve`: one approval that satisfies the gate, recorded under `actor` (auto:<who>). */
  autoApprove(actor: string, now: number): void {
    const p = this.requirePending();
    p.approvals.push({ approver: actor, at: new Date(now).toISOString(), via: 'auto' });
    this.decision = { kind: 'approved' };
  }

  reject(req: RejectionRequest): void {
    this.decision = { kind: 'rejected', actor: req.actor, reason: req.reason };
  }

  private requirePending(): PendingApproval {
    if (!this.pending) throw new Error('no step is waiting for approval');
    return this.pending;
  }
}
