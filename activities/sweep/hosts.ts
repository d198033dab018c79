/** An inventory host as a sweep transport, through issue 3's inventory and transports. */
import { UserError } from '../../lib/errors.js';
import { loadInventory } from '../../lib/inventory/load.js';
import { createTransport } from '../hosts/transports/index.js';
import { fromHostTransport, localTransport, type SweepTransport } from './transport.js';

export async function hostTransport(name: string, inventoryFile: string | undefined): Promise<SweepTransport> {
  if (!inventoryFile) throw new UserError(`--host ${name} needs --inventory FILE`);
  const inv = loadInventory(inventoryFile);
  const host = inv.hosts.find((h) => h.name === name);
  if (!host) {
    throw new UserError(`--host ${name}: not in ${inventoryFile} (hosts: ${inv.hosts.map((h) => h.name).join(', ') || 'none'})`, 3);
  }
  if (host.transport.type === 'local') return { ...localTransport(), host: name };
  const t = createTransport(host);
  return { ...fromHostTransport(t, name), close: () => t.close() };
}
