/**
 * `sweep`: find secrets in plaintext on the worker's host or an inventory host, and hunt the
 * runbook's rotated credentials exactly. The step names credentials as `{{secrets.NAME}}`; the
 * workflow passes their references and the activity resolves them, so no value enters history.
 */
import { ApplicationFailure, proxyActivities } from '@temporalio/workflow';
import { z } from 'zod';
import { parseDuration } from '../../lib/duration.js';
import { renderForPlan } from '../../lib/runbook/plan.js';
import { baseStep, durationText } from '../../lib/runbook/step-base.js';
import { renderTemplate, secretNamesIn } from '../../lib/template.js';
import type { SweepActivities } from '../../activities/sweep/activities.js';
import { hostEffect } from '../activity-options.js';
import type { StepKind, StepRunContext } from './types.js';

const secretPlaceholder = z.string().regex(/^\{\{\s*secrets\.[A-Za-z_][\w-]*\s*\}\}$/, 'write each credential as {{secrets.NAME}}');

export const sweepFields = {
  /** Inventory host; the worker's own machine when absent. */
  host: z.string().min(1).optional(),
  /** Inventory file on the worker that defines `host` (default: $RESPOND_INVENTORY on the worker). */
  inventory: z.string().min(1).optional(),
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
    /** `any`: fail on any finding; `hunt`: only when a hunted credential is still present; `never`: report only. */
    failOn: z.enum(['any', 'hunt', 'never']).default('never'),
  })
  .strict();

export type SweepStep = z.infer<typeof schema>;

export function huntRefs(hunt: readonly string[], ctx: StepRunContext): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of hunt.flatMap((h) => secretNamesIn(h))) {
    const ref = ctx.secretRefs[name];
    if (ref === undefined) throw ApplicationFailure.nonRetryable(`secret ${name} is not declared`, 'StepFailed');
    out[name] = ref;
  }
  return out;
}

function describe(step: SweepStep, ctx: Parameters<StepKind<SweepStep>['describe']>[1]): Record<string, unknown> {
  return {
    host: step.host ?? 'local',
    inventory: step.inventory && renderForPlan(step.inventory, ctx),
    paths: step.paths?.map((p) => renderForPlan(p, ctx)) ?? 'OpenClaw default scope',
    extraPaths: step.extraPaths?.map((p) => renderForPlan(p, ctx)),
    hunt: step.hunt.map((h) => renderForPlan(h, ctx)),
    rules: step.rules,
    baseline: step.baseline,
    failOn: step.failOn,
    timeout: step.timeout,
  };
}

export const sweepStep: StepKind<SweepStep> = {
  schema,
  alwaysGated: false,
  describe,
  async run(step, ctx) {
    const timeoutMs = parseDuration(step.timeout);
    const { sweepHost } = proxyActivities<SweepActivities>(hostEffect(timeoutMs, `sweep ${step.id}`));
    const render = (p: string) => renderTemplate(p, ctx.plan);
    const out = await sweepHost({
      host: step.host,
      inventory: step.inventory && render(step.inventory),
      roots: step.paths?.map(render),
      extraPaths: step.extraPaths?.map(render),
      hunt: huntRefs(step.hunt, ctx),
      ruleFiles: step.rules?.map(render),
      baselineFile: step.baseline && render(step.baseline),
      timeoutMs,
    });
    const stillHeld = Object.entries(out.huntHits).map(([name, files]) => `${name} in ${files.length} file(s)`);
    const summary =
      `${out.findings} finding(s) on ${out.host}` +
      (stillHeld.length ? `; still present: ${stillHeld.join(', ')}` : step.hunt.length ? '; hunted credentials gone' : '') +
      `; ${out.skippedTotal} skipped`;
    const result = { ...out } as unknown as Record<string, unknown>;
    if (step.failOn === 'any' ? out.findings > 0 : step.failOn === 'hunt' ? stillHeld.length > 0 : false) {
      throw ApplicationFailure.nonRetryable(`step ${step.id}: ${summary}`, 'StepFailed', result);
    }
    return { summary, result };
  },
};
