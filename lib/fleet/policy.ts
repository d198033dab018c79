/**
 * How a runbook's host-scoped steps spread over a fleet, with the semantics of SSM Automation's
 * MaxConcurrency/MaxErrors and Ansible's serial/max_fail_percentage: a canary wave first, then
 * waves of a count or a percent of the selected hosts (the last size repeats), at most
 * `maxConcurrency` hosts working at once, and no new host started once more than `maxErrors`
 * hosts have failed. Pure: the CLI validates it, the workflow computes waves from it.
 */
import { z } from 'zod';

const PERCENT = /^(\d+(?:\.\d+)?)%$/;

/** A number of hosts, or a percent of the selected hosts (`10%`). */
export const countOrPercent = z.union([
  z.number().int().min(0),
  z.string().regex(/^\d+$|^\d+(\.\d+)?%$/, 'expected a count such as 5 or a percent such as 10%'),
]);
export type CountOrPercent = z.infer<typeof countOrPercent>;

export const fleetSchema = z
  .object({
    /** Inventory file on the worker (templated, e.g. '{{params.inventory}}'). */
    inventory: z.string().min(1).optional(),
    /** Selection: names, `tag:<tag>`, `all` (templated). */
    hosts: z.string().min(1).optional(),
    /** `tag:<tag>`, a count, a percent, or `none`. Default: hosts tagged `canary`. */
    canary: z.union([z.string().regex(/^tag:[A-Za-z0-9][\w.-]*$|^none$|^\d+$|^\d+(\.\d+)?%$/, 'expected tag:NAME, a count, a percent or none'), z.number().int().min(0)]).optional(),
    waves: z.array(countOrPercent).min(1).optional(),
    maxConcurrency: countOrPercent.optional(),
    maxErrors: countOrPercent.optional(),
  })
  .strict();
export type FleetSpec = z.infer<typeof fleetSchema>;

/** What a run uses: every field filled in (the CLI merges the runbook's block with `--set fleet.*`). */
export interface FleetPolicy {
  inventory?: string;
  hosts: string;
  canary: string;
  waves: CountOrPercent[];
  maxConcurrency: CountOrPercent;
  maxErrors: CountOrPercent;
}

export const FLEET_DEFAULTS: Omit<FleetPolicy, 'inventory'> = {
  hosts: 'all',
  canary: 'tag:canary',
  waves: ['100%'],
  maxConcurrency: 10,
  maxErrors: 0,
};

/** A gate's state must fit one workflow run, so no wave is larger than this (it is split). */
export const MAX_WAVE_HOSTS = 5000;

export function resolveCount(v: CountOrPercent, total: number, min = 0): number {
  if (typeof v === 'number') return Math.max(min, v);
  const m = PERCENT.exec(v);
  if (!m) return Math.max(min, Number(v));
  return Math.max(min, Math.ceil((Number(m[1]) * total) / 100));
}

/** Wave boundaries as [start, end) index ranges over the ordered selection (canaries first). */
export function computeWaves(total: number, canaryCount: number, waves: readonly CountOrPercent[]): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let at = 0;
  const push = (size: number) => {
    while (size > 0 && at < total) {
      const n = Math.min(size, MAX_WAVE_HOSTS, total - at);
      out.push([at, at + n]);
      at += n;
      size -= n;
    }
  };
  push(Math.min(canaryCount, total));
  for (let i = 0; at < total; i++) push(resolveCount(waves[Math.min(i, waves.length - 1)]!, total, 1));
  return out;
}

/** Parses `--set fleet.NAME=VALUE`; the value of `waves` is a comma list (`1,10%,100%`). */
export function fleetOverride(name: string, value: string): Partial<FleetSpec> {
  const item = (s: string): CountOrPercent => (/^\d+$/.test(s) ? Number(s) : s);
  switch (name) {
    case 'canary':
    case 'inventory':
    case 'hosts':
      return { [name]: value };
    case 'waves':
      return { waves: value.split(',').map((s) => item(s.trim())) };
    case 'maxConcurrency':
    case 'maxErrors':
      return { [name]: item(value) };
    default:
      throw new Error(`unknown fleet setting "${name}" (canary, waves, maxConcurrency, maxErrors, hosts, inventory)`);
  }
}

/** The selection in the order waves take it: canaries first, each part in inventory order. */
export function orderForWaves<H extends { name: string; tags: string[] }>(hosts: readonly H[], canary: string | number): { order: H[]; canaryCount: number } {
  const c = String(canary);
  if (c === 'none') return { order: [...hosts], canaryCount: 0 };
  if (c.startsWith('tag:')) {
    const tag = c.slice(4);
    const canaries = hosts.filter((h) => h.tags.includes(tag));
    return { order: [...canaries, ...hosts.filter((h) => !h.tags.includes(tag))], canaryCount: canaries.length };
  }
  return { order: [...hosts], canaryCount: Math.min(hosts.length, resolveCount(/^\d+$/.test(c) ? Number(c) : c, hosts.length)) };
}
