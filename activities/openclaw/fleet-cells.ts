/**
 * The cells of an `openclaw fleet` (2026.9.x) on one host, read with the host's own CLI
 * (`fleet list --json`, then `fleet status <tenant> --json` for each). Neither output carries
 * a token; the parse keeps only what an inventory needs.
 */
import { z } from 'zod';
import { runOpenclaw, type OpenclawHost } from './host.js';

const listSchema = z.object({ cells: z.array(z.object({ tenant: z.string(), state: z.string().optional(), port: z.number().int() }).passthrough()) });
const statusSchema = z
  .object({
    tenant: z.string(),
    containerName: z.string(),
    runtime: z.enum(['docker', 'podman']),
    port: z.number().int(),
    image: z.string().optional(),
    dataDir: z.string(),
    container: z.object({ state: z.string().optional(), running: z.boolean().optional() }).passthrough().optional(),
  })
  .passthrough();

export interface FleetCell {
  tenant: string;
  containerName: string;
  runtime: 'docker' | 'podman';
  port: number;
  image?: string;
  dataDir: string;
  state?: string;
}

async function fleetJson(h: OpenclawHost, args: string[]): Promise<unknown> {
  const r = await runOpenclaw(h, ['fleet', ...args, '--json'], { timeoutMs: 120_000 });
  const start = r.stdout.search(/[[{]/);
  if (r.exitCode !== 0 || start < 0) {
    throw new Error(`host ${h.spec.name}: openclaw fleet ${args.join(' ')} failed (exit ${r.exitCode}): ${`${r.stderr}`.replace(/\s+/g, ' ').trim().slice(0, 300)}`);
  }
  return JSON.parse(r.stdout.slice(start));
}

export async function listFleetCells(h: OpenclawHost): Promise<FleetCell[]> {
  const list = listSchema.parse(await fleetJson(h, ['list']));
  const cells: FleetCell[] = [];
  for (const c of list.cells) {
    const st = statusSchema.parse(await fleetJson(h, ['status', c.tenant]));
    cells.push({
      tenant: st.tenant,
      containerName: st.containerName,
      runtime: st.runtime,
      port: st.port,
      ...(st.image ? { image: st.image } : {}),
      dataDir: st.dataDir,
      ...(st.container?.state ? { state: st.container.state } : {}),
    });
  }
  return cells;
}
