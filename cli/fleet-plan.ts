/**
 * `respond plan` for host-scoped steps: each host's planned action as the host's child workflow
 * will compute it (before any step has read the host), the waves, and for gated steps each
 * wave's approval hash and Merkle root; with `--host`, one host's action and its proof of
 * inclusion in its wave's root.
 */
import { UserError } from '../lib/errors.js';
import { proveInclusion, verifyInclusion, type InclusionProof } from '../lib/fleet/merkle.js';
import { computeWaves, orderForWaves, type FleetPolicy } from '../lib/fleet/policy.js';
import { waveGate } from '../lib/fleet/wave-gate.js';
import { plannedAction } from '../lib/runbook/plan.js';
import { loadInventory, selectHosts } from '../lib/inventory/load.js';
import type { HostSpec } from '../lib/inventory/schema.js';
import type { RunbookSpec, StepSpec } from '../workflows/runbook-schema.js';
import type { PlanContext, PlannedAction } from '../lib/runbook/step-base.js';
import { renderTemplate } from '../lib/template.js';
import { WORKER_HOST } from '../workflows/fleet/worker-host.js';
import { hostKindOf, isGated, stepIdentity } from '../workflows/plan-step.js';

export interface WavePlan {
  wave: number;
  hostCount: number;
  hosts: string[];
  /** Gated steps: the hash the run will ask approval for, and what it commits to. */
  hash?: string;
  merkleRoot?: string;
  action?: PlannedAction;
}

export interface HostStepPlan {
  waves: WavePlan[];
  /** With `--host`: that host's own action, its hash, and (gated) its inclusion proof. */
  host?: { name: string; wave: number; action: PlannedAction; hash: string; proof?: InclusionProof & { verified: boolean } };
}

export interface FleetLayout {
  order: HostSpec[];
  waves: Array<[number, number]>;
}

export function fleetLayout(fleet: FleetPolicy | undefined, ctx: PlanContext): FleetLayout {
  if (!fleet?.inventory) return { order: [WORKER_HOST], waves: [[0, 1]] };
  const inv = loadInventory(renderTemplate(fleet.inventory, ctx));
  const { order, canaryCount } = orderForWaves(selectHosts(inv, renderTemplate(fleet.hosts, ctx)), fleet.canary);
  return { order, waves: computeWaves(order.length, canaryCount, fleet.waves) };
}

export function planHostStep(
  spec: RunbookSpec,
  specSha256: string,
  step: StepSpec,
  ctx: PlanContext,
  layout: FleetLayout,
  only?: string,
): HostStepPlan {
  const kind = hostKindOf(step);
  const id = stepIdentity(spec, specSha256, step);
  const planned = layout.order.map((host) => {
    const { action, hash } = plannedAction(id, kind.describe(step, { ...ctx, host, hostEarlier: {} }));
    return { host: host.name, action, hash };
  });
  const gated = isGated(step);
  const waves: WavePlan[] = layout.waves.map(([a, b], i) => {
    const members = planned.slice(a, b);
    const base = { wave: i + 1, hostCount: members.length, hosts: members.slice(0, 20).map((m) => m.host) };
    if (!gated) return base;
    const samples: Record<string, Record<string, unknown>> = {};
    for (const m of members) samples[m.hash] ??= m.action.args;
    const g = waveGate({ id, wave: i + 1, waves: layout.waves.length, leaves: members.map((m) => ({ host: m.host, actionHash: m.hash })), samples });
    return { ...base, hash: g.hash, merkleRoot: g.root, action: g.action };
  });
  if (only === undefined) return { waves };
  const at = planned.findIndex((p) => p.host === only);
  if (at < 0) throw new UserError(`--host ${only}: not among the selected hosts (${layout.order.length} selected)`);
  const waveIndex = layout.waves.findIndex(([a, b]) => at >= a && at < b);
  const [a, b] = layout.waves[waveIndex]!;
  const mine = planned[at]!;
  const proof = gated ? proveInclusion(planned.slice(a, b).map((m) => ({ host: m.host, actionHash: m.hash })), only) : undefined;
  return {
    waves,
    host: { name: only, wave: waveIndex + 1, action: mine.action, hash: mine.hash, ...(proof ? { proof: { ...proof, verified: verifyInclusion(proof) } } : {}) },
  };
}
