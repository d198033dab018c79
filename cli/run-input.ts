/**
 * What `start` and `plan` share: the runbook loaded and checked, `--set` split into parameters
 * and fleet settings (`--set fleet.maxConcurrency=2`), the fleet policy resolved, and the
 * inventory checked, all before anything starts.
 */
import { UserError } from '../lib/errors.js';
import { FLEET_DEFAULTS, fleetOverride, fleetSchema, type FleetPolicy, type FleetSpec } from '../lib/fleet/policy.js';
import { loadRunbook, type LoadedRunbook } from './load-runbook.js';
import { parseSetFlags, resolveParams } from '../lib/runbook/params.js';
import type { ParamValue } from '../lib/template.js';
import { isHostStep } from '../workflows/plan-step.js';
import { inventorySetFlags } from './inventory-flag.js';

export interface RunInput {
  loaded: LoadedRunbook;
  params: Record<string, ParamValue>;
  /** Absent when the runbook names no fleet: host-scoped steps act on the worker's machine. */
  fleet?: FleetPolicy;
}

/**
 * `--emergency`: every credential cuts over at once (overlap 0), for a secret known to be stolen.
 * Only for a runbook that declares an `overlap` parameter, and not beside an explicit one.
 */
function emergencySets(loaded: LoadedRunbook, sets: readonly string[]): string[] {
  if (!('overlap' in loaded.spec.params)) throw new UserError(`--emergency: runbook ${loaded.spec.name} (${loaded.path}) has no overlap parameter to set to 0`);
  if (sets.some((s) => s.startsWith('overlap='))) throw new UserError('--emergency sets overlap=0: drop --set overlap=…, or drop --emergency');
  return [...sets, 'overlap=0'];
}

export async function resolveRunInput(runbook: string, givenSets: readonly string[], inventory: string | undefined, opts: { emergency?: boolean } = {}): Promise<RunInput> {
  const loaded = await loadRunbook(runbook);
  const sets = opts.emergency ? emergencySets(loaded, givenSets) : givenSets;
  const fleetSets = sets.filter((s) => s.startsWith('fleet.'));
  const params = resolveParams(loaded.spec, parseSetFlags([...sets.filter((s) => !s.startsWith('fleet.')), ...inventorySetFlags(loaded.spec, inventory)]));
  let spec: FleetSpec = { ...(loaded.spec.fleet ?? {}) };
  for (const [name, value] of Object.entries(parseSetFlags(fleetSets))) {
    try {
      spec = { ...spec, ...fleetOverride(name.slice('fleet.'.length), value) };
    } catch (e) {
      throw new UserError(`--set ${name}: ${(e as Error).message}`);
    }
  }
  const checked = fleetSchema.safeParse(spec);
  if (!checked.success) {
    const issue = checked.error.issues[0]!;
    throw new UserError(`fleet.${issue.path.join('.')}: ${issue.message} (from ${loaded.path} or --set fleet.*)`);
  }
  if (!checked.data.inventory) {
    if (fleetSets.length) throw new UserError(`--set fleet.*: runbook ${loaded.spec.name} names no fleet inventory (its host steps act on the worker's machine)`);
    return { loaded, params };
  }
  if (!loaded.spec.steps.some(isHostStep)) throw new UserError(`${loaded.path}: fleet: the runbook has no host-scoped step to fan out`);
  const fleet: FleetPolicy = {
    ...FLEET_DEFAULTS,
    ...checked.data,
    canary: String(checked.data.canary ?? FLEET_DEFAULTS.canary),
  };
  return { loaded, params, fleet };
}
