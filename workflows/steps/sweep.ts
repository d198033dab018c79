/**
 * `sweep`: find secrets in plaintext on one host (the interpreter runs it on every selected host,
 * or on the worker's machine when the runbook names no fleet) and hunt the runbook's rotated
 * credentials exactly. The step names credentials as `{{secrets.NAME}}`; the workflow passes
 * their references and the activity resolves them, so no value enters history.
 */
import { ApplicationFailure, proxyActivities } from '@temporalio/workflow';
import { z } from 'zod';
import { parseDuration } from '../../lib/duration.js';
import type { HostSpec } from '../../lib/inventory/schema.js';
import { renderForPlan } from '../../lib/runbook/plan.js';
import { baseStep, durationText } from '../../lib/runbook/step-base.js';
import { ONLY_SECRET_PLACEHOLDER, renderTemplate, secretNamesIn } from '../../lib/template.js';
import type { SweepActivities } from '../../activities/sweep/activities.js';
import { hostEffect } from '../activity-options.js';
import type { HostPlanContext, HostStepKind } from './types.js';

const secretPlaceholder = z.string().regex(ONLY_SECRET_PLACEHOLDER, 'write each credential as {{secrets.NAME}}');

export const sweepFields = {
  /** Roots to sweep instead of the host's OpenClaw default scope. */
  paths: z.array(z.string().min(1)).optional(),
  /** Added to the default scope (or to `paths`). */
  extraPaths: z.array(z.string().min(1)).optional(),
  /** Rotated credentials to hunt exactly, raw and encoded. */
  hunt: z.array(secretPlaceholder).default([]),
  timeout: durationText.default('30m'),
};

const schema = baseStep
  .extend({
    kind: z.literal('sweep'),
    ...sweepFields,
    rules: z.array(z.string().min(1)).optional(),
    baseline: z.string().min(1).optional(),
    /** Merge the host's own `openclaw secrets audit --json` (where its OpenClaw has one): a few seconds of CPU per host. */
    openclawAudit: z.boolean().default(true),
    /** `any`: fail on any finding; `hunt`: only when a hunted credential is still present; `never`: report only. */
    failOn: z.enum(['any', 'hunt', 'never']).default('never'),
  })
  .strict();

export type SweepStep = z.infer<typeof schema>;

export function huntRefs(hunt: readonly string[], secretRefs: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of hunt.flatMap((h) => secretNamesIn(h))) {
    const ref = secretRefs[name];
    if (ref === undefined) throw ApplicationFailure.nonRetryable(`secret ${name} is not declared`, 'StepFailed');
    out[name] = ref;
  }
  return out;
}

/** What the sweep covers on this host: given paths, or the default scope plus the paths the inventory names. */
export function scopeOf(step: { paths?: string[]; extraPaths?: string[] }, ctx: HostPlanContext): Record<string, unknown> {
  const h: HostSpec = ctx.host;
  const named = [h.stateDir, h.configPath, h.install.method === 'npm' ? h.install.prefix : undefined].filter((p) => p !== undefined);
  return {
    transport: h.transport.type,
    paths: step.paths?.map((p) => renderForPlan(p, ctx)) ?? 'OpenClaw default scope',
    inventoryPaths: step.paths ? undefined : named.length ? named : undefined,
    extraPaths: step.extraPaths?.map((p) => renderForPlan(p, ctx)),
  };
}

export const sweepStep: HostStepKind<SweepStep> = {
  scope: 'host',
  schema,
  alwaysGated: false,
  describe: (step, ctx) => ({
    ...scopeOf(step, ctx),
    hunt: step.hunt.map((h) => renderForPlan(h, ctx)),
    rules: step.rules,
    baseline: step.baseline,
    openclawAudit: step.openclawAudit,
    failOn: step.failOn,
    timeout: step.timeout,
  }),
  async run(step, ctx) {
    const timeoutMs = parseDuration(step.timeout);
    const { sweepHost } = proxyActivities<SweepActivities>(hostEffect(timeoutMs, `sweep ${step.id} on ${ctx.plan.host.name}`));
    const render = (p: string) => renderTemplate(p, ctx.plan);
    const out = await sweepHost({
      host: ctx.plan.host,
      roots: step.paths?.map(render),
      extraPaths: step.extraPaths?.map(render),
      hunt: huntRefs(step.hunt, ctx.secretRefs),
      ruleFiles: step.rules?.map(render),
      baselineFile: step.baseline && render(step.baseline),
      openclawAudit: step.openclawAudit,
      timeoutMs,
    });
    const stillHeld = Object.entries(out.huntHits).map(([name, files]) => `${name} in ${files.length} file(s)`);
    const summary =
      `${out.findings} finding(s)` +
      (stillHeld.length ? `; still present: ${stillHeld.join(', ')}` : step.hunt.length ? '; hunted credentials gone' : '') +
      `; ${out.skippedTotal} skipped`;
    const result = { ...out } as unknown as Record<string, unknown>;
    if (step.failOn === 'any' ? out.findings > 0 : step.failOn === 'hunt' ? stillHeld.length > 0 : false) {
      throw ApplicationFailure.nonRetryable(`step ${step.id}: ${summary}`, 'StepFailed', result);
    }
    return { summary, result, changed: false };
  },
};
