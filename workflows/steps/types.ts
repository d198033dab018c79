/**
 * The contracts step kind modules fulfil. A runbook-scoped kind runs once per run, on the worker
 * (exec, wait, approval). A host-scoped kind is written for one host: plan for one host, run on
 * one host, undo on one host. The interpreter fans host-scoped steps out over the fleet (one
 * child workflow per host, waves, concurrency, error budget, one approval per wave), so a new
 * kind gets all of that by declaring `scope: 'host'`.
 */
import type { z } from 'zod';
import type { HostSpec } from '../../lib/inventory/schema.js';
import type { PlanContext } from '../../lib/runbook/step-base.js';
import { renderTemplate } from '../../lib/template.js';

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
  scope: 'runbook';
  schema: z.ZodType<S, z.ZodTypeDef, unknown>;
  /** Steps of this kind wait for approval even without an `approval:` key. */
  alwaysGated: boolean;
  /** The exact action, with secrets as fingerprints: what an approver sees and what the hash covers. Pure. */
  describe(step: S, ctx: PlanContext): Record<string, unknown>;
  run(step: S, ctx: StepRunContext): Promise<StepOutcome>;
  /** The undo of a completed step, rebuilt from the step alone (after continue-as-new). */
  compensationFor?(step: S, ctx: StepRunContext): Compensation | undefined;
}

/** What a host-scoped step sees of the run: the plan context plus its host and what earlier steps found there. */
export interface HostPlanContext extends PlanContext {
  host: HostSpec;
  /** Results of this host's earlier steps in the run (step id -> kind and result). */
  hostEarlier: Record<string, { kind: string; result: Record<string, unknown> }>;
}

export interface HostStepRunContext {
  /** The host's child workflow id (`<run id>/<host>`): names effects so a retry reuses them. */
  workflowId: string;
  plan: HostPlanContext;
  secretRefs: Record<string, string>;
  /** Appends an audit event for this host and step (idempotent per workflow and sequence). */
  record(event: string, details: Record<string, unknown>): Promise<void>;
  /**
   * Shows a person what to do on this host (status, UI) and resolves with who confirmed it
   * (`respond confirm`, or the `confirm` signal from the UI). For what respond cannot do itself.
   */
  awaitPerson(request: { action: string; instruction: string }): Promise<{ by: string; note?: string }>;
}

export interface HostStepOutcome {
  summary: string;
  result?: Record<string, unknown>;
  /** False when the step found nothing to change; undo is then skipped. */
  changed?: boolean;
}

export interface HostStepKind<S extends { id: string; kind: string }> {
  scope: 'host';
  schema: z.ZodType<S, z.ZodTypeDef, unknown>;
  alwaysGated: boolean;
  /**
   * Plan for one host: the exact action on this host, secrets as fingerprints, without the host's
   * name (hosts with identical actions are grouped under one hash in a wave's approval). Pure.
   */
  describe(step: S, ctx: HostPlanContext): Record<string, unknown>;
  /** False when this host's step does nothing (a step that skips), so its gate is not opened. Pure. */
  gateHere?(step: S, ctx: HostPlanContext): boolean;
  /** Run on one host. Rolls back its own partial work before throwing. */
  run(step: S, ctx: HostStepRunContext): Promise<HostStepOutcome>;
  /** Undo on one host, when a later step on the same host fails. */
  undo?(step: S, outcome: HostStepOutcome, ctx: HostStepRunContext): Promise<void>;
}

export type AnyStepKind<S extends { id: string; kind: string }> = StepKind<S> | HostStepKind<S>;

/**
 * The result of the latest step of `kind` that ran earlier on this host (only the one named
 * `id`, when given): how an acting step finds the plan its approval shows. Undefined when none ran.
 */
export function latestEarlier(ctx: HostPlanContext, kind: string, id?: string): Record<string, unknown> | undefined {
  const found = Object.entries(ctx.hostEarlier).filter(([sid, e]) => e.kind === kind && (id === undefined || sid === id));
  return found[found.length - 1]?.[1].result;
}

const HOST = /\{\{\s*host\s*\}\}/g;

/**
 * A per-host worker path (a tokenFile): `{{host}}` may be in the step or in the parameter it
 * names. Without `host` (the plan) it stays `<host>`, so hosts with the same action group.
 */
export function hostPathFor(template: string, ctx: HostPlanContext, host?: string): string {
  const fill = (t: string) => t.replace(HOST, host ?? '<host>');
  return fill(renderTemplate(fill(template), ctx));
}
