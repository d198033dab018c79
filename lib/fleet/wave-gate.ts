/**
 * One approval for a wave of hosts: hosts whose planned actions are identical are shown once,
 * with their count and names, and the approval hash commits to every host's own action through
 * a Merkle root. Pure: the workflow and `respond plan` build the same action and hash.
 */
import { plannedAction, type StepIdentity } from '../runbook/plan.js';
import type { PlannedAction } from '../runbook/step-base.js';
import { merkleRoot, type HostLeaf } from './merkle.js';

/** How many groups and names a gate shows; the root still covers every host. */
const SHOWN_GROUPS = 20;
const SHOWN_NAMES = 10;

export interface WaveGateInput {
  id: StepIdentity;
  /** 1-based wave number and how many waves the run has. */
  wave: number;
  waves: number;
  leaves: readonly HostLeaf[];
  /** One host's action args per distinct action hash (for display). */
  samples: Readonly<Record<string, Record<string, unknown>>>;
}

export interface WaveGate {
  action: PlannedAction;
  hash: string;
  root: string;
}

export function waveGate(input: WaveGateInput): WaveGate {
  const root = merkleRoot(input.leaves);
  const byHash = new Map<string, string[]>();
  for (const l of input.leaves) {
    const names = byHash.get(l.actionHash) ?? [];
    names.push(l.host);
    byHash.set(l.actionHash, names);
  }
  const groups = [...byHash.entries()]
    .map(([hash, names]) => ({ hash, names: names.sort() }))
    .sort((a, b) => b.names.length - a.names.length || (a.hash < b.hash ? -1 : 1));
  const shown = groups.slice(0, SHOWN_GROUPS).map((g) => ({
    actionHash: g.hash,
    hostCount: g.names.length,
    hosts: g.names.slice(0, SHOWN_NAMES),
    ...(g.names.length > SHOWN_NAMES ? { moreHosts: g.names.length - SHOWN_NAMES } : {}),
    action: input.samples[g.hash] ?? 'not shown',
  }));
  // One host that needs a person makes the whole wave's gate refuse --auto-approve.
  const explicit = Object.values(input.samples).some((a) => a.explicitApproval === true);
  const { action, hash } = plannedAction(input.id, {
    wave: `${input.wave}/${input.waves}`,
    ...(explicit ? { explicitApproval: true } : {}),
    hostCount: input.leaves.length,
    distinctActions: groups.length,
    groups: shown,
    ...(groups.length > SHOWN_GROUPS ? { moreGroups: groups.length - SHOWN_GROUPS } : {}),
    merkleRoot: root,
  });
  return { action, hash, root };
}
