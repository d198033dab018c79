/** The compact state of a fleet run that crosses continue-as-new: counts and the current wave, never every host's results. */
import type { AuditEvent } from '../../activities/audit/audit-log.js';
import type { HostState, StepStatus } from '../definitions.js';

export interface ActiveHost {
  state: Extract<HostState, 'running' | 'parked' | 'approved'>;
  step?: string;
  hash?: string;
}

export interface FleetCursor {
  /** Index of the section's first step in the runbook. */
  sectionStart: number;
  inventory?: string;
  inventorySha256?: string;
  hosts: string;
  canary: string;
  total: number;
  /** [start, end) ranges over the ordered selection. */
  waves: Array<[number, number]>;
  wave: number;
  /** Next index of the ordered selection to start. */
  next: number;
  /** Hosts of the current wave that have not finished, by name. */
  active: Record<string, ActiveHost>;
  counts: { done: number; failed: number; skipped: number };
  /** The first failures with their reasons (the count is in `counts`). */
  failed: Array<{ host: string; reason: string }>;
  tripped: boolean;
  /** One host's action per distinct hash, for the wave gate's display. */
  samples: Record<string, Record<string, unknown>>;
  /** The wave approval that released the `approved` hosts. */
  approval?: { step: string; hash: string; root: string; approvers: string[] };
  maxConcurrency: number;
  maxErrors: number;
  peak: number;
  /** Dry-run records not yet written to the audit log (reports can arrive up to the last moment). */
  pendingAudit?: AuditEvent[];
}

export interface ResumeState {
  stepIndex: number;
  steps: StepStatus[];
  ignoredSignals: Array<{ at: string; reason: string }>;
  earlier: Record<string, { kind: string; result: Record<string, unknown> }>;
  /** Runbook-level steps whose rollback would run if a later step failed. */
  compensable: number[];
  fleet?: FleetCursor;
  secretFingerprints: Record<string, string>;
  /** How many workflow runs this run has continued through. */
  generation: number;
}

export const MAX_FAILED_SHOWN = 100;
