/**
 * `respond inventory import --openclaw-fleet`: one inventory host per cell of OpenClaw's own
 * `openclaw fleet` on a machine, so a host running hundreds of tenant gateways becomes a fleet
 * in one command. Each cell is reached the way its machine is (same transport, same OpenClaw
 * CLI); its state dir and loopback port come from `openclaw fleet status`.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import YAML from 'yaml';
import { createTransport } from '../../activities/hosts/transports/index.js';
import { listFleetCells, type FleetCell } from '../../activities/openclaw/fleet-cells.js';
import { openOpenclawHost } from '../../activities/openclaw/host.js';
import { UserError } from '../../lib/errors.js';
import { loadInventory, parseInventory } from '../../lib/inventory/load.js';
import { hostSchema, type HostSpec } from '../../lib/inventory/schema.js';

export function cellHosts(machine: HostSpec, cells: FleetCell[]): HostSpec[] {
  return cells.map((c) =>
    hostSchema.parse({
      name: c.tenant,
      tags: [...new Set([c.tenant, 'openclaw-fleet', `cells-of-${machine.name}`])],
      transport: machine.transport,
      install: machine.install,
      node: machine.node,
      stateDir: c.dataDir,
      gatewayPort: c.port,
      env: machine.env,
    }),
  );
}

export function register(program: Command): void {
  const inventory = program.command('inventory').description('build and check inventory files');
  inventory
    .command('import')
    .description("add one host per cell of a machine's `openclaw fleet` (tenant as name and tag)")
    .requiredOption('--openclaw-fleet', 'import the cells of OpenClaw\'s own fleet (openclaw fleet list)')
    .requiredOption('--inventory <file>', 'inventory that has the machine running the fleet')
    .requiredOption('--host <name>', 'that machine, as named in the inventory')
    .option('--out <file>', 'write the cells here (default: print YAML)')
    .option('--merge', 'with --out: add or update the cell hosts in an existing file, keeping its other hosts')
    .action(async (opts: { inventory: string; host: string; out?: string; merge?: boolean }) => {
      const inv = loadInventory(resolve(opts.inventory));
      const machine = inv.hosts.find((h) => h.name === opts.host);
      if (!machine) throw new UserError(`${opts.inventory}: no host named ${opts.host}`);
      const t = createTransport(machine);
      let cells: FleetCell[];
      try {
        cells = await listFleetCells(await openOpenclawHost(machine, t));
      } finally {
        await t.close();
      }
      const hosts = cellHosts(machine, cells);
      process.stderr.write(`${opts.host}: ${cells.length} fleet cell${cells.length === 1 ? '' : 's'}${cells.length ? ` (${cells.map((c) => `${c.tenant}:${c.port}`).join(', ')})` : ''}\n`);
      if (!opts.out) {
        process.stdout.write(YAML.stringify({ version: 1, hosts }));
        return;
      }
      const out = resolve(opts.out);
      let existing: HostSpec[] = [];
      if (existsSync(out)) {
        if (!opts.merge) throw new UserError(`${opts.out} exists; add --merge to add the cells to it, or choose another --out`);
        existing = parseInventory(readFileSync(out, 'utf8'), opts.out).hosts;
      }
      const names = new Set(hosts.map((h) => h.name));
      const merged = [...existing.filter((h) => !names.has(h.name)), ...hosts];
      const text = YAML.stringify({ version: 1, hosts: merged });
      // Checked as any inventory is before it is written: a clash or a bad name fails here.
      parseInventory(text, opts.out);
      writeFileSync(out, text);
      process.stderr.write(`wrote ${opts.out}: ${merged.length} hosts\n`);
    });
}
