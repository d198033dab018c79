/** An inventory host as a sweep transport, through issue 3's inventory and transports. */
import { UserError } from '../../lib/errors.js';
import { loadInventory, selectHosts, type HostSpec } from '../../lib/inventory/load.js';
import { posix } from 'node:path';
import { createTransport } from '../hosts/transports/index.js';
import { PACKAGE_NAMES } from '../openclaw/host.js';
import { fromHostTransport, localTransport, type SweepTransport } from './transport.js';

export interface InventoryHost {
  transport: SweepTransport;
  /** State dir, config path and npm prefix the inventory names: added to the discovered default scope. */
  scopeHints: string[];
  /** How to run the host's OpenClaw CLI (its `secrets audit`) and where its package may be. */
  openclaw?: { node: string; packageDirs: string[]; env: Record<string, string> };
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
  const openclaw = openclawOf(host, prefix);
  if (host.transport.type === 'local') return { transport: localTransport({ host: name, env: host.env }), scopeHints, openclaw };
  const t = createTransport(host);
  return { transport: { ...fromHostTransport(t, name), close: () => t.close() }, scopeHints, openclaw };
}

/** The inventory's Node, its install prefix and the paths it pins, so OpenClaw's audit reads the same state. */
function openclawOf(host: HostSpec, prefix: string | undefined): InventoryHost['openclaw'] {
  const env: Record<string, string> = {};
  if (host.stateDir) env.OPENCLAW_STATE_DIR = host.stateDir;
  if (host.configPath) env.OPENCLAW_CONFIG_PATH = host.configPath;
  if (host.profile) env.OPENCLAW_PROFILE = host.profile;
  const packageDirs = prefix ? PACKAGE_NAMES.map((n) => `${prefix.replace(/\/+$/, '')}/node_modules/${n}`) : [];
  // A Node at /opt/node/bin/node has its global packages in /opt/node/lib/node_modules.
  if (host.node.includes('/')) packageDirs.push(...PACKAGE_NAMES.map((n) => `${posix.dirname(posix.dirname(host.node))}/lib/node_modules/${n}`));
  return { node: host.node, packageDirs, env };
}

/** Host names an inventory selection names (`a,b`, `tag:prod`, `all`), in inventory order. */
export function selectInventoryHosts(expr: string, inventoryFile: string | undefined): string[] {
  if (!inventoryFile) throw new UserError(`--host ${expr} needs --inventory FILE`);
  return selectHosts(loadInventory(inventoryFile), expr).map((h) => h.name);
}
