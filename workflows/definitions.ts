/**
 * The runbook workflow's public surface: its input, the queries, signals and updates a client or
 * the web UI may send, and the shapes they carry. Shared by the workflow and the CLI.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { PlannedAction } from '../lib/runbook/step-base.js';
import type { RunbookSpec } from '../lib/runbook/schema.js';

export const RUNBOOK_WORKFLOW = 'runbookWorkflow';

export interface RunbookInput {
  spec: RunbookSpec;
  specSha256: string;
  /** Where the spec was loaded from, for people reading the UI. */
  source: string;
  params: Record<string, string | number | boolean>;
  incident: string;
  /** Who started the run. */
  actor: string;
  dryRun: boolean;
}

export interface ApprovalRequest {
  step: string;
  hash: string;
  approver: string;
  comment?: string;
}

export interface RejectionRequest {
  step?: string;
  actor: string;
  reason: string;
}

export type StepState = 'pending' | 'running' | 'waiting-approval' | 'done' | 'failed' | 'skipped' | 'rolled-back';

export interface StepStatus {
  id: string;
  kind: string;
  state: StepState;
  summary?: string;
  startedAt?: string;
  endedAt?: string;
  hash?: string;
}

export interface ApprovalRecord {
  approver: string;
  at: string;
  via: 'update' | 'signal';
  comment?: string;
}

export interface PendingApproval {
  step: string;
  hash: string;
  action: PlannedAction;
  minApprovals: number;
  /** Who may approve; empty means anyone. */
  approvers: string[];
  approvals: ApprovalRecord[];
  openedAt: string;
  deadline: string;
  escalated: boolean;
}

export type RunbookPhase = 'running' | 'waiting-approval' | 'completed' | 'failed' | 'rejected' | 'aborted';

export interface RunbookStatus {
  runbook: string;
  incident: string;
  specSha256: string;
  dryRun: boolean;
  phase: RunbookPhase;
  steps: StepStatus[];
  pending?: PendingApproval;
  /** Signals that could not be applied (a signal cannot be refused up front like an update). */
  ignoredSignals: { at: string; reason: string }[];
  error?: string;
}

export interface ApprovalReceipt {
  step: string;
  approvals: number;
  required: number;
  approved: boolean;
}

export const statusQuery = defineQuery<RunbookStatus>('status');
export const approveUpdate = defineUpdate<ApprovalReceipt, [ApprovalRequest]>('approve');
export const rejectUpdate = defineUpdate<void, [RejectionRequest]>('reject');
/** Same as the updates, for the web UI's "Send a Signal" (JSON input). */
export const approveSignal = defineSignal<[ApprovalRequest]>('approve');
export const rejectSignal = defineSignal<[RejectionRequest]>('reject');
