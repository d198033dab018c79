/** The planned action of a step and its hash: the same pure code in the CLI and the workflow. */
import { canonicalJson } from '../canonical-json.js';
import { sha256Hex } from '../secrets.js';
import { fillSecrets, renderTemplate } from '../template.js';
import type { PlanContext, PlannedAction } from './step-base.js';

export function actionHash(action: PlannedAction): string {
  return sha256Hex(canonicalJson(action));
}

/** Which step of which runbook an action belongs to: everything of a planned action but its args. */
export type StepIdentity = Omit<PlannedAction, 'args'>;

/** The planned action of a step with these args (secrets already fingerprints), and its hash. */
export function plannedAction(id: StepIdentity, args: Record<string, unknown>): { action: PlannedAction; hash: string } {
  const action: PlannedAction = { ...id, args };
  return { action, hash: actionHash(action) };
}

/** Renders params into `text` and shows each secret as its name and fingerprint, never its value. */
export function renderForPlan(text: string, ctx: PlanContext): string {
  const rendered = renderTemplate(text, ctx);
  return fillSecrets(rendered, (name) => `<secret ${name} ${ctx.secretFingerprints[name] ?? 'unresolved'}>`);
}

/** The text a person approves: a few lines, the hash last. */
export function formatPlannedAction(action: PlannedAction, hash: string): string {
  const lines = [`step ${action.step} (${action.kind}) of runbook ${action.runbook}`];
  for (const [key, value] of Object.entries(action.args)) {
    if (value === undefined) continue;
    lines.push(`  ${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}`);
  }
  lines.push(`  hash: ${hash}`);
  return lines.join('\n');
}
