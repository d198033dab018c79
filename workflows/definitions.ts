/**
 * The runbook workflow's public surface: its input, the queries, signals and updates a client or
 * the web UI may send, and the shapes they carry. Shared by the workflow and the CLI.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { HostLeaf } from '../lib/fleet/merkle.js';
import type { FleetPolicy } from '../lib/fleet/policy.js';
import type { HostSpec } from '../lib/inventory/schema.js';
import type { PlannedAction } from '../lib/runbook/step-base.js';
import type { PinnedSigners } from '../lib/signing/allowed-signers.js';
import type { RunbookSpec, StepSpec } from './runbook-schema.js';
import type { ResumeState } from './fleet/cursor.js';

export const RUNBOOK_WORKFLOW = 'runbookWorkflow';
export const HOST_WORKFLOW = 'hostWorkflow';

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
  /** Where host-scoped steps act and how they spread; absent: the worker's own machine. */
  fleet?: FleetPolicy;
  /** `--auto-approve`: every gate that allows it is approved as `auto:<actor>`. */
  autoApprove?: { actor: string };
  /** Set by continue-as-new: where the previous run of this workflow stopped. */
  resume?: ResumeState;
  /**
   * signedApprovals: every gate accepts only SSH-signed approvals by these keys, pinned when the
   * run started, so a later edit of the allowed-signers file changes no running approval.
   */
  signing?: { signers: PinnedSigners };
}

export interface ApprovalRequest {
  step: string;
  hash: string;
  approver: string;
  comment?: string;
  /** Armored SSHSIG (`ssh-keygen -Y sign -n respond-approval`) over lib/signing/approval-message.ts. */
  signature?: string;
}

export interface RejectionRequest {
  step?: string;
  actor: string;
  reason: string;
}

export type StepState = 'pending' | 'running' | 'waiting-approval' | 'waiting-person' | 'done' | 'failed' | 'skipped' | 'rolled-back';

export interface StepStatus {
  id: string;
  kind: string;
  state: StepState;
  summary?: string;
  startedAt?: string;
  endedAt?: string;
  hash?: string;
  /** Who approved the step's gate, with the signer's key fingerprint when signed. */
  approvedBy?: Array<{ approver: string; signer?: string }>;
}

export interface ApprovalRecord {
  approver: string;
  at: string;
  via: 'update' | 'signal' | 'auto';
  comment?: string;
  /** Signed approvals: the signer's key fingerprint (SHA256:…) and the signature itself. */
  signer?: string;
  signature?: string;
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
  /** Only SSH-signed approvals count (signedApprovals). */
  signed?: boolean;
  /** For a wave of hosts: the Merkle root over every host's action, which the hash commits to. */
  merkleRoot?: string;
  /** Per-host action hashes of the wave (name -> hash), for `status --host` proofs; capped. */
  leaves?: HostLeaf[];
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
  fleet?: FleetSummary;
}

/** Where one host stands in a fleet run. */
export type HostState = 'queued' | 'running' | 'parked' | 'approved' | 'done' | 'failed' | 'skipped';

/** The parent's compact view of a fleet section: counts, not every host's results. */
export interface FleetSummary {
  /** Ids of the host-scoped steps this section runs. */
  steps: string[];
  /** 1 for the runbook's first section of host steps, 2 for the next, ... */
  section: number;
  total: number;
  wave: number;
  waves: number;
  waveHosts: number;
  counts: Record<HostState, number>;
  failed: Array<{ host: string; reason: string }>;
  /** Hosts by state for the current wave, beyond the counts (running and parked), capped. */
  active: Array<{ host: string; state: HostState; step?: string }>;
  maxConcurrency: number;
  maxErrors: number;
  tripped: boolean;
  /** The most concurrently working hosts seen. */
  peakConcurrency: number;
}

/** Input of one host's child workflow: the host-scoped steps of a section, for one host. */
export interface HostRunInput {
  /** The runbook run's workflow id: reports go to its latest run, across continue-as-new. */
  parentId: string;
  host: string;
  /** The host's inventory entry; absent: the worker's own machine. */
  spec?: HostSpec;
  wave: number;
  runbook: string;
  specSha256: string;
  incident: string;
  params: Record<string, string | number | boolean>;
  secretFingerprints: Record<string, string>;
  secretRefs: Record<string, string>;
  steps: StepSpec[];
  dryRun: boolean;
  /** Send this host's step summaries with each report: the run has this one host and shows them as its own. */
  reportSteps?: boolean;
}

/** A child tells its parent: parked at a gate (with its action), done, failed or skipped. */
export interface HostReport {
  host: string;
  wave: number;
  state: 'parked' | 'done' | 'failed' | 'skipped';
  step?: string;
  hash?: string;
  args?: Record<string, unknown>;
  summary?: string;
  error?: string;
  /** Dry run: each step's planned action hash on this host (the parent records them in batches). */
  planned?: Array<{ step: string; hash: string }>;
  /** The host's steps so far: a one-host run (the worker's machine) shows them as its own. */
  steps?: Array<Pick<StepStatus, 'id' | 'state' | 'summary'>>;
}

/** The parent tells a parked child: go on under this wave approval, or stop. */
export interface HostRelease {
  step: string;
  approved: boolean;
  waveHash?: string;
  merkleRoot?: string;
  approvers?: string[];
  reason?: string;
}

export interface HostStatus {
  host: string;
  parentId: string;
  wave: number;
  state: HostState;
  steps: StepStatus[];
  error?: string;
  /** Set while the host waits for a person to do what respond cannot (stop a gateway it cannot drive). */
  waiting?: PersonWait;
}

/** What a person is asked to do on a host; answered with the `confirm` signal. */
export interface PersonWait {
  step: string;
  action: string;
  instruction: string;
  since: string;
}

export interface HostConfirm {
  step: string;
  action: string;
  by: string;
  note?: string;
}

/**
 * A host's child workflow id: `<run id>/<host>`, and `<run id>/<host>#N` for the Nth section of
 * host steps when runbook-level steps separate them (ids stay unique within a run).
 */
export function hostWorkflowId(runId: string, host: string, section = 1): string {
  return section === 1 ? `${runId}/${host}` : `${runId}/${host}#${section}`;
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
export const hostReportSignal = defineSignal<[HostReport]>('hostReport');
export const hostReleaseSignal = defineSignal<[HostRelease]>('release');
export const hostStatusQuery = defineQuery<HostStatus>('hostStatus');
/** Each completed step's structured result on this host (what later steps and the incident report read; no secret). */
export type HostResults = Record<string, { kind: string; result: Record<string, unknown> }>;
export const hostResultsQuery = defineQuery<HostResults>('hostResults');
export const hostConfirmSignal = defineSignal<[HostConfirm]>('confirm');
