/** `respond plan <runbook>`: every step's planned action and approval hash; runs nothing. */
import type { Command } from 'commander';
import { fingerprintSecretRefs } from '../../activities/secrets/refs.js';
import { formatPlannedAction } from '../../lib/runbook/plan.js';
import { loadRunbook } from '../../lib/runbook/load.js';
import { parseSetFlags, resolveParams } from '../../lib/runbook/params.js';
import type { PlannedAction } from '../../lib/runbook/step-base.js';
import { planStep } from '../../workflows/plan-step.js';
import { inventorySetFlags } from '../inventory-flag.js';

export interface PlanLine {
  step: string;
  kind: string;
  gated: boolean;
  hash: string;
  action: PlannedAction;
}

export async function planRunbook(runbook: string, sets: string[], incident: string, inventory?: string) {
  const loaded = await loadRunbook(runbook);
  const params = resolveParams(loaded.spec, parseSetFlags([...sets, ...inventorySetFlags(loaded.spec, inventory)]));
  const refs = Object.fromEntries(Object.entries(loaded.spec.secrets).map(([n, s]) => [n, s.ref]));
  const ctx = { runbook: loaded.spec.name, incident, params, secretFingerprints: await fingerprintSecretRefs(refs) };
  const steps: PlanLine[] = loaded.spec.steps.map((step) => {
    const { action, hash, gated } = planStep(loaded.spec, loaded.specSha256, step, ctx);
    return { step: step.id, kind: step.kind, gated, hash, action };
  });
  return { runbook: loaded.spec.name, path: loaded.path, specSha256: loaded.specSha256, incident, params, steps };
}

export function register(program: Command): void {
  program
    .command('plan')
    .description('show each step of a runbook, its planned action and approval hash, without running anything')
    .argument('<runbook>', 'runbook name or file')
    .option('--set <name=value>', 'set a runbook parameter (repeatable)', (v: string, acc: string[]) => [...acc, v], [])
    .option('--inventory <file>', 'inventory of the hosts the runbook acts on (sets its inventory parameter)')
    .option('--incident <id>', 'incident id the plan is for (hashes cover it)', 'INCIDENT')
    .option('--json', 'print as JSON')
    .action(async (runbook: string, opts: { set: string[]; incident: string; inventory?: string; json?: boolean }) => {
      const plan = await planRunbook(runbook, opts.set, opts.incident, opts.inventory);
      if (opts.json) {
        console.log(JSON.stringify(plan, null, 2));
        return;
      }
      console.log(`runbook ${plan.runbook} (${plan.path})\nspec sha256 ${plan.specSha256}\n`);
      plan.steps.forEach((s, i) => {
        console.log(`${i + 1}. ${s.gated ? '[approval] ' : ''}${formatPlannedAction(s.action, s.hash)}\n`);
      });
    });
}
