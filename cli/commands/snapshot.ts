/**
 * `respond snapshot --inventory F [--hosts SEL]`: run the bundled snapshot runbook now and wait
 * (exit 1 if any host could not be snapshotted). `respond snapshot schedule --inventory F
 * [--every day]`: a Temporal Schedule that runs it on its own, nightly by default, so a restore
 * always has a clean baseline from before an incident.
 */
import type { Command } from 'commander';
import { parseDuration } from '../../lib/duration.js';
import { UserError } from '../../lib/errors.js';
import { client } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { upsertRunbookSchedule } from '../schedule-runbook.js';
import { readRun } from '../runs.js';
import { start } from './start.js';

export const SNAPSHOT_SCHEDULE_ID = 'respond-snapshot-schedule';

export function register(program: Command): void {
  const cmd = program
    .command('snapshot')
    .description("snapshot every selected host's memory files into the memory backup repository (runs the snapshot runbook and waits)")
    .option('--inventory <file>', 'inventory of the hosts (required)')
    .option('--hosts <selection>', 'names, tag:<tag> or all', 'all')
    .option('--incident <id>', 'run id suffix (default: snapshot-<UTC timestamp>)')
    .action(async (opts: { inventory?: string; hosts: string; incident?: string }) => {
      if (!opts.inventory) throw new UserError('respond snapshot: --inventory <file> is required');
      const incident = opts.incident ?? `snapshot-${new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '')}`;
      process.exitCode = await start('snapshot', { inventory: opts.inventory, set: [`hosts=${opts.hosts}`], incident, wait: true });
      const view = await readRun(await client(), `respond-snapshot-${incident}`).catch(() => undefined);
      const failed = view?.status.fleet?.failed ?? [];
      if (failed.length > 0) console.error(`error: ${failed.length} host(s) not snapshotted: ${failed.map((f) => `${f.host} (${f.reason})`).join('; ')}`);
    });

  cmd
    .command('schedule')
    .description('create or update the Temporal Schedule that snapshots the hosts on its own (nightly by default)')
    .option('--inventory <file>', 'inventory of the hosts, read by the worker at each run (required)')
    .option('--hosts <selection>', 'names, tag:<tag> or all', 'all')
    .option('--every <interval>', '"day", "hour", or a duration such as 12h', 'day')
    .option('--at <HH:MM>', 'UTC time of day for --every day', '02:00')
    .option('--pause', 'create or leave the schedule paused')
    .option('--json', 'print the schedule as JSON')
    .action(async (opts: { inventory?: string; hosts: string; every: string; at: string; pause?: boolean; json?: boolean }, command: Command) => {
      // `snapshot` and `schedule` share --inventory and --hosts; either may have parsed them.
      const parent = command.parent?.opts() as { inventory?: string; hosts?: string } | undefined;
      const inventory = opts.inventory ?? parent?.inventory;
      if (!inventory) throw new UserError('respond snapshot schedule: --inventory <file> is required');
      const hosts = opts.hosts !== 'all' ? opts.hosts : (parent?.hosts ?? 'all');
      process.exitCode = await schedule({ ...opts, inventory, hosts });
    });
}

interface ScheduleOptions {
  inventory: string;
  hosts: string;
  every: string;
  at: string;
  pause?: boolean;
  json?: boolean;
}

export function scheduleSpec(every: string, at: string) {
  if (every === 'day') {
    const m = /^([01]?\d|2[0-3]):([0-5]\d)$/.exec(at);
    if (!m) throw new UserError(`--at ${at}: expected HH:MM (UTC), e.g. 02:00`);
    return { calendars: [{ hour: Number(m[1]), minute: Number(m[2]), comment: `daily at ${at} UTC` }] };
  }
  const text = every === 'hour' ? '1h' : every;
  let ms: number;
  try {
    ms = parseDuration(text);
  } catch {
    throw new UserError(`--every ${every}: expected day, hour or a duration such as 12h`);
  }
  if (ms < 60_000) throw new UserError(`--every ${every}: at least 1m between snapshots`);
  return { intervals: [{ every: ms }] };
}

async function schedule(opts: ScheduleOptions): Promise<number> {
  const r = await upsertRunbookSchedule({
    scheduleId: SNAPSHOT_SCHEDULE_ID,
    runbook: 'snapshot',
    inventory: opts.inventory,
    set: [`hosts=${opts.hosts}`],
    spec: scheduleSpec(opts.every, opts.at),
    paused: Boolean(opts.pause),
    workflowId: 'respond-snapshot-scheduled',
  });
  if (opts.json) {
    console.log(JSON.stringify({ scheduleId: SNAPSHOT_SCHEDULE_ID, verb: r.verb, inventory: r.params.inventory, hosts: opts.hosts, every: opts.every, at: opts.at, paused: r.paused, next: r.next }));
  } else {
    console.log(`schedule ${SNAPSHOT_SCHEDULE_ID} ${r.verb}: snapshot ${opts.hosts} of ${String(r.params.inventory)} ${opts.every === 'day' ? `daily at ${opts.at} UTC` : `every ${opts.every}`}; next run ${r.next}${r.paused ? ' (paused)' : ''}`);
  }
  return EXIT.ok;
}
