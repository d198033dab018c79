/** An inventory host as a sweep transport, through issue 3's inventory and transports. */
import { UserError } from '../../lib/errors.js';
import { loadInventory, selectHosts, type HostSpec } from '../../lib/inventory/load.js';
import { createTransport } from '../hosts/transports/index.js';
import { fromHostTransport, localTransport, type SweepTransport } from './transport.js';

export interface InventoryHost {
  transport: SweepTransport;
  /** State dir, config path and npm prefix the inventory names: added to the discovered default scope. */
  scopeHints: string[];
}

export async function hostTransport(name: string, inventoryFile: string | undefined): Promise<InventoryHost> {
  if (!inventoryFile) throw new UserError(`--host ${name} needs --inventory FILE`);
  const inv = loadInventory(inventoryFile);
  const host = inv.hosts.find((h) => h.name === name);
  if (!host) {
    throw new UserError(`--host ${name}: not in ${inventoryFile} (hosts: ${inv.hosts.map((h) => h.name).join(', ') || 'none'})`, 3);
  }
  return specTransport(host);
}

/** A host's inventory entry as a sweep transport, with the paths it names as scope hints. */
export function specTransport(host: HostSpec): InventoryHost {
  const name = host.name;
  // The npm prefix holds the operator's package.json and any .env beside it; node_modules is skipped.
  const prefix = host.install.method === 'npm' ? host.install.prefix : undefined;
  const scopeHints = [host.stateDir, host.configPath, prefix].filter((p): p is string => p !== undefined);
  if (host.transport.type === 'local') return { transport: localTransport({ host: name, env: host.env }), scopeHints };
  const t = createTransport(host);
  return { transport: { ...fromHostTransport(t, name), close: () => t.close() }, scopeHints };
}

/** Host names an inventory selection names (`a,b`, `tag:prod`, `all`), in inventory order. */
export function selectInventoryHosts(expr: string, inventoryFile: string | undefined): string[] {
  if (!inventoryFile) throw new UserError(`--host ${expr} needs --inventory FILE`);
  return selectHosts(loadInventory(inventoryFile), expr).map((h) => h.name);
}
