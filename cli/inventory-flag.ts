/**
 * `--inventory FILE` on start and plan: checked here, before anything starts, then handed to the
 * runbook's `inventory` parameter as an absolute path (the worker runs in another directory).
 */
import { resolve } from 'node:path';
import { UserError } from '../lib/errors.js';
import { loadInventory } from '../lib/inventory/load.js';
import type { RunbookSpec } from '../workflows/runbook-schema.js';

export function inventorySetFlags(spec: RunbookSpec, file: string | undefined): string[] {
  if (file === undefined) return [];
  if (!('inventory' in spec.params)) {
    throw new UserError(`--inventory ${file}: runbook ${spec.name} takes no inventory (it acts on the worker's host)`);
  }
  const path = resolve(file);
  loadInventory(path);
  return [`inventory=${path}`];
}
