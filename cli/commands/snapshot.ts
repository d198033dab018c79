/**
 * `respond snapshot --inventory F [--hosts SEL]`: run the bundled snapshot runbook now and wait
 * (exit 1 if any host could not be snapshotted). `respond snapshot schedule --inventory F
 * [--every day]`: a Temporal Schedule that runs it on its own, nightly by default, so a restore
 * always has a clean baseline from before an incident.
 */
import { ScheduleAlreadyRunning, ScheduleOverlapPolicy } from '@temporalio/client';
import type { Command } from 'commander';
import { parseDuration } from '../../lib/duration.js';
import { UserError } from '../../lib/errors.js';
import { INCIDENT, RUNBOOK } from '../../lib/search-attributes.js';
import { RUNBOOK_WORKFLOW, type RunbookInput } from '../../workflows/definitions.js';
import { actor, client, config } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { resolveRunInput } from '../run-input.js';
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
  const spec = scheduleSpec(opts.every, opts.at);
  const { loaded, params, fleet } = await resolveRunInput('snapshot', [`hosts=${opts.hosts}`], opts.inventory);
  const cfg = config();
  const c = await client(cfg);
  const who = actor();
  const input: RunbookInput = {
    spec: loaded.spec,
    specSha256: loaded.specSha256,
    source: loaded.path,
    params,
    incident: 'scheduled',
    actor: `schedule:${who}`,
    dryRun: false,
    ...(fleet ? { fleet } : {}),
  };
  const action = {
    type: 'startWorkflow' as const,
    workflowType: RUNBOOK_WORKFLOW,
    taskQueue: cfg.taskQueue,
    // Temporal appends each run's scheduled time to this id.
    workflowId: 'respond-snapshot-scheduled',
    args: [input],
    typedSearchAttributes: [
      { key: RUNBOOK, value: loaded.spec.name },
      { key: INCIDENT, value: 'scheduled' },
    ],
    staticSummary: `snapshot · scheduled by ${who}`,
  };
  // A run still going when the next is due is left to finish: snapshots of the same hosts never overlap.
  const policies = { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1h' };
  let verb = 'created';
  try {
    await c.schedule.create({ scheduleId: SNAPSHOT_SCHEDULE_ID, spec, action, policies, state: { paused: Boolean(opts.pause), note: `respond snapshot schedule by ${who}` } });
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    verb = 'updated';
    await c.schedule.getHandle(SNAPSHOT_SCHEDULE_ID).update((prev) => ({ ...prev, spec, action, policies, state: { ...prev.state, paused: Boolean(opts.pause) } }));
  }
  const d = await c.schedule.getHandle(SNAPSHOT_SCHEDULE_ID).describe();
  const next = d.info.nextActionTimes[0]?.toISOString() ?? 'none (paused)';
  if (opts.json) {
    console.log(JSON.stringify({ scheduleId: SNAPSHOT_SCHEDULE_ID, verb, inventory: params.inventory, hosts: opts.hosts, every: opts.every, at: opts.at, paused: d.state.paused, next }));
  } else {
    console.log(`schedule ${SNAPSHOT_SCHEDULE_ID} ${verb}: snapshot ${opts.hosts} of ${params.inventory} ${opts.every === 'day' ? `daily at ${opts.at} UTC` : `every ${opts.every}`}; next run ${next}${d.state.paused ? ' (paused)' : ''}`);
  }
  return EXIT.ok;
}
