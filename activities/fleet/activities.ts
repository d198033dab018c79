/**
 * The fleet's view of the inventory, read on the worker: the selection in wave order, counted,
 * then paged (no history event carries the whole fleet); each page's entries go to the hosts'
 * child workflows. The file's sha256 is pinned when the run starts, so hosts cannot move between
 * waves behind an approval's back.
 */
import { readFileSync, statSync } from 'node:fs';
import { UserError } from '../../lib/errors.js';
import { orderForWaves } from '../../lib/fleet/policy.js';
import { parseInventory, selectHosts } from '../../lib/inventory/load.js';
import type { HostSpec, Inventory } from '../../lib/inventory/schema.js';
import { sha256Hex } from '../../lib/secrets.js';
import { asActivity } from '../hosts/failures.js';

export interface FleetSelection {
  inventory: string;
  hosts: string;
  canary: string;
}

interface Loaded {
  key: string;
  inv: Inventory;
  sha256: string;
  /** Ordered selections, by `hosts|canary`. */
  orders: Map<string, { order: HostSpec[]; canaryCount: number }>;
}

export function createFleetActivities() {
  // 20,000 children each asking for their entry must not parse the file 20,000 times.
  const cache = new Map<string, Loaded>();
  const load = (path: string, pinned?: string): Loaded => {
    let st;
    try {
      st = statSync(path);
    } catch (e) {
      throw new UserError(`${path}: cannot read inventory (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
    }
    const key = `${st.mtimeMs}:${st.size}`;
    let hit = cache.get(path);
    if (!hit || hit.key !== key) {
      const text = readFileSync(path, 'utf8');
      hit = { key, inv: parseInventory(text, path), sha256: sha256Hex(text), orders: new Map() };
      cache.set(path, hit);
    }
    if (pinned && hit.sha256 !== pinned) {
      throw new UserError(`${path}: the inventory changed since this run started (sha256 ${pinned.slice(0, 12)} -> ${hit.sha256.slice(0, 12)}); start a new run`);
    }
    return hit;
  };
  const ordered = (sel: FleetSelection, pinned?: string) => {
    const l = load(sel.inventory, pinned);
    const k = `${sel.hosts}|${sel.canary}`;
    let o = l.orders.get(k);
    if (!o) {
      o = orderForWaves(selectHosts(l.inv, sel.hosts), sel.canary);
      l.orders.set(k, o);
    }
    return { ...o, sha256: l.sha256 };
  };
  return {
    async fleetSelect(sel: FleetSelection): Promise<{ total: number; canaryCount: number; inventorySha256: string }> {
      return asActivity(async () => {
        const o = ordered(sel);
        return { total: o.order.length, canaryCount: o.canaryCount, inventorySha256: o.sha256 };
      });
    },
    /** A page of the ordered selection's entries (plain data, no secrets), handed to each host's workflow. */
    async fleetPage(input: FleetSelection & { inventorySha256: string; offset: number; limit: number }): Promise<HostSpec[]> {
      return asActivity(async () => ordered(input, input.inventorySha256).order.slice(input.offset, input.offset + input.limit));
    },
  };
}

export type FleetActivities = ReturnType<typeof createFleetActivities>;
