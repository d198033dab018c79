/** `respond plan <runbook>`: every step's planned action and approval hash; runs nothing. */
import type { Command } from 'commander';
import { fingerprintSecretRefs } from '../../activities/secrets/refs.js';
import { formatPlannedAction } from '../../lib/runbook/plan.js';
import type { PlannedAction } from '../../lib/runbook/step-base.js';
import { isHostStep, planStep } from '../../workflows/plan-step.js';
import { fleetLayout, planHostStep, type HostStepPlan } from '../fleet-plan.js';
import { resolveRunInput } from '../run-input.js';

export interface PlanLine {
  step: string;
  kind: string;
  gated: boolean;
  /** Runbook steps: the approval hash. Host steps: the first wave's approval hash (gated) or absent. */
  hash?: string;
  action?: PlannedAction;
  /** Host-scoped steps: per wave (and with `--host`, one host). */
  fleet?: HostStepPlan;
}

export async function planRunbook(runbook: string, sets: string[], incident: string, inventory?: string, host?: string, emergency = false) {
  const { loaded, params, fleet } = await resolveRunInput(runbook, sets, inventory, { emergency });
  const refs = Object.fromEntries(Object.entries(loaded.spec.secrets).map(([n, s]) => [n, s.ref]));
  const ctx = { runbook: loaded.spec.name, incident, params, secretFingerprints: await fingerprintSecretRefs(refs) };
  const layout = loaded.spec.steps.some(isHostStep) ? fleetLayout(fleet, ctx) : undefined;
  const steps: PlanLine[] = loaded.spec.steps.map((step) => {
    if (isHostStep(step)) {
      const plan = planHostStep(loaded.spec, loaded.specSha256, step, ctx, layout!, host);
      return { step: step.id, kind: step.kind, gated: plan.waves.some((w) => w.hash), hash: plan.waves[0]?.hash, fleet: plan };
    }
    const { action, hash, gated } = planStep(loaded.spec, loaded.specSha256, step, ctx);
    return { step: step.id, kind: step.kind, gated, hash, action };
  });
  return {
    runbook: loaded.spec.name,
    path: loaded.path,
    specSha256: loaded.specSha256,
    incident,
    params,
    ...(fleet ? { fleet: { ...fleet, hosts: layout!.order.length, waves: layout!.waves.map(([a, b]) => b - a) } } : {}),
    steps,
  };
}

function formatHostStep(s: PlanLine): string {
  const f = s.fleet!;
  const lines = [`step ${s.step} (${s.kind}), on each host${s.gated ? ', one approval per wave' : ''}`];
  for (const w of f.waves) {
    lines.push(`  wave ${w.wave}: ${w.hostCount} host(s) ${w.hosts.join(', ')}${w.hostCount > w.hosts.length ? ', …' : ''}`);
    if (w.action) {
      const groups = w.action.args.groups as Array<{ actionHash: string; hostCount: number; action: Record<string, unknown> }>;
      for (const g of groups) lines.push(`    ${g.hostCount} host(s) with action ${g.actionHash.slice(0, 16)}: ${JSON.stringify(g.action)}`);
      lines.push(`    merkle root ${w.merkleRoot}`, `    hash: ${w.hash}`);
    }
  }
  if (f.host) {
    const h = f.host;
    lines.push(`  host ${h.name} (wave ${h.wave}): ${JSON.stringify(h.action.args)}`, `    action hash ${h.hash}`);
    if (h.proof) {
      lines.push(`    leaf ${h.proof.leaf}`);
      for (const p of h.proof.path) lines.push(`    ${p.side === 'left' ? 'left ' : 'right'} ${p.sibling}`);
      lines.push(`    root ${h.proof.root} (${h.proof.verified ? 'inclusion verified' : 'PROOF DOES NOT VERIFY'})`);
    }
  }
  return lines.join('\n');
}

export function register(program: Command): void {
  program
    .command('plan')
    .description('show each step of a runbook, its planned action and approval hash, without running anything')
    .argument('<runbook>', 'runbook name or file')
    .option('--set <name=value>', 'set a runbook parameter, or fleet.NAME=VALUE (repeatable)', (v: string, acc: string[]) => [...acc, v], [])
    .option('--inventory <file>', 'inventory of the hosts the runbook acts on (sets its inventory parameter)')
    .option('--host <name>', "one host's planned actions and its proof of inclusion in its wave's approval")
    .option('--incident <id>', 'incident id the plan is for (hashes cover it)', 'INCIDENT')
    .option('--emergency', 'plan with no overlap windows (overlap=0), as `respond start --emergency` runs')
    .option('--json', 'print as JSON')
    .addHelpText(
      'after',
      "\nHost steps are planned before any step has read a host; a step that shows what an earlier step found\n(upgrade: each host's current version) gets its final hash in the run (respond status).",
    )
    .action(async (runbook: string, opts: { set: string[]; incident: string; inventory?: string; host?: string; emergency?: boolean; json?: boolean }) => {
      const plan = await planRunbook(runbook, opts.set, opts.incident, opts.inventory, opts.host, Boolean(opts.emergency));
      if (opts.json) {
        console.log(JSON.stringify(plan, null, 2));
        return;
      }
      console.log(`runbook ${plan.runbook} (${plan.path})\nspec sha256 ${plan.specSha256}\n`);
      plan.steps.forEach((s, i) => {
        const body = s.fleet ? formatHostStep(s) : formatPlannedAction(s.action!, s.hash!);
        console.log(`${i + 1}. ${s.gated ? '[approval] ' : ''}${body}\n`);
      });
    });
}
