/**
 * `respond posture --inventory F [--hosts SEL] [--json]`: the posture runbook (every check on
 * every selected host, read-only) run now and waited for, shown as a hosts x checks matrix with
 * each failure's evidence and fix. `posture schedule` runs it on a Temporal Schedule;
 * `posture history` lists kept runs; `posture diff [A] [B]` shows the drift between two.
 * Exit 0 when no check fails, 1 when any check fails or a host could not be checked.
 */
import type { Command } from 'commander';
import { listPostureRecords, readPostureRecord } from '../../activities/posture/history-store.js';
import { gatherRun } from '../../activities/report/write-report.js';
import { UserError } from '../../lib/errors.js';
import { CHECK_IDS, selectChecks } from '../../lib/posture/checks/index.js';
import { loadPostureSettings } from '../../lib/posture/settings.js';
import { loadAllowlist } from '../../lib/skills/allowlist.js';
import { postureDrift, renderDrift, type PostureRecordHost } from '../../lib/posture/history.js';
import type { CheckResult } from '../../lib/posture/types.js';
import { config } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { renderFailures, renderMatrix, renderUnknowns } from '../render/posture.js';
import { followRun } from '../runs.js';
import { upsertRunbookSchedule } from '../schedule-runbook.js';
import { launchRun } from './start.js';
import { scheduleSpec } from './snapshot.js';

export const POSTURE_SCHEDULE_ID = 'respond-posture-schedule';

interface RunOptions {
  inventory?: string;
  hosts: string;
  settings?: string;
  allowlist?: string;
  skip?: string;
  incident?: string;
  concurrency?: string;
  json?: boolean;
}

function runSets(opts: { hosts: string; settings?: string; allowlist?: string; skip?: string }): string[] {
  const abs = (p: string) => (p.startsWith('/') ? p : `${process.cwd()}/${p}`);
  return [
    `hosts=${opts.hosts}`,
    ...(opts.settings ? [`settings=${abs(opts.settings)}`] : []),
    ...(opts.allowlist ? [`allowlist=${abs(opts.allowlist)}`] : []),
    ...(opts.skip ? [`skip=${opts.skip}`] : []),
  ];
}

export function register(program: Command): void {
  const cmd = program
    .command('posture')
    .description('check every selected host against the self-hosting checklist and hardening guide (read-only); exit 1 when a check fails')
    .option('--inventory <file>', 'inventory of the hosts (required)')
    .option('--hosts <selection>', 'names, tag:<tag> or all', 'all')
    .option('--settings <file>', 'posture settings: minimumVersion, snapshotMaxAge, credentialMaxAge, egressAllowlist, allowedInboundPorts, skillsAllowlist')
    .option('--allowlist <file>', 'skills allowlist (overrides the settings)')
    .option('--skip <ids>', `comma-separated checks to leave out (${CHECK_IDS.join(', ')})`)
    .option('--incident <id>', 'run id suffix (default: posture-<UTC timestamp>)')
    .option('--concurrency <n>', 'hosts checked at once (default: the runbook\'s 50)')
    .option('--json', 'print {"hosts": [{"host", "checks": [{"id", "status", "summary", "evidence", "fix"}]}], ...}')
    .action(async (opts: RunOptions) => {
      process.exitCode = await runPosture(opts);
    });

  cmd
    .command('schedule')
    .description('create or update the Temporal Schedule that runs posture on its own (daily by default); its runs record their drift')
    .option('--inventory <file>', 'inventory of the hosts, read by the worker at each run (required)')
    .option('--hosts <selection>', 'names, tag:<tag> or all', 'all')
    .option('--settings <file>', 'posture settings file on the worker')
    .option('--allowlist <file>', 'skills allowlist on the worker')
    .option('--skip <ids>', 'comma-separated checks to leave out')
    .option('--every <interval>', '"day", "hour", or a duration such as 12h', 'day')
    .option('--at <HH:MM>', 'UTC time of day for --every day', '03:00')
    .option('--pause', 'create or leave the schedule paused')
    .option('--json', 'print the schedule as JSON')
    .action(async (opts: Omit<RunOptions, 'incident'> & { every: string; at: string; pause?: boolean }, command: Command) => {
      // Options `posture` shares with `schedule`: commander may have given them to the parent.
      const parent = command.parent?.opts() as Partial<RunOptions> | undefined;
      opts = { ...opts, settings: opts.settings ?? parent?.settings, allowlist: opts.allowlist ?? parent?.allowlist, skip: opts.skip ?? parent?.skip, json: opts.json ?? parent?.json };
      const inventory = opts.inventory ?? parent?.inventory;
      if (!inventory) throw new UserError('respond posture schedule: --inventory <file> is required');
      const r = await upsertRunbookSchedule({
        scheduleId: POSTURE_SCHEDULE_ID,
        runbook: 'posture',
        inventory,
        set: runSets({ ...opts, hosts: opts.hosts !== 'all' ? opts.hosts : (parent?.hosts ?? 'all') }),
        spec: scheduleSpec(opts.every, opts.at),
        paused: Boolean(opts.pause),
        workflowId: 'respond-posture-scheduled',
      });
      const when = opts.every === 'day' ? `daily at ${opts.at} UTC` : `every ${opts.every}`;
      console.log(opts.json ? JSON.stringify({ scheduleId: POSTURE_SCHEDULE_ID, verb: r.verb, every: opts.every, at: opts.at, paused: r.paused, next: r.next }) : `schedule ${POSTURE_SCHEDULE_ID} ${r.verb}: posture ${when}; next run ${r.next}${r.paused ? ' (paused)' : ''}`);
    });

  cmd
    .command('history')
    .description('list the posture runs kept in the state dir, oldest first')
    .option('--json', 'print JSON')
    .action((opts: { json?: boolean }, command: Command) => {
      // `posture` has its own --json: commander may have given it to the parent.
      const json = opts.json ?? (command.parent?.opts() as { json?: boolean }).json;
      const runs = listPostureRecords(config().stateDir).map((r) => {
        const rec = readPostureRecord(config().stateDir, r.id);
        const fail = rec.hosts.reduce((n, h) => n + h.checks.filter((c) => c.status === 'fail').length, 0);
        return { id: r.id, at: r.at, hosts: rec.hosts.length, failing: fail };
      });
      console.log(json ? JSON.stringify(runs) : runs.length ? runs.map((r) => `${r.at}  ${r.id}  ${r.hosts} host(s), ${r.failing} failing check(s)`).join('\n') : 'no posture runs kept yet');
    });

  cmd
    .command('diff')
    .description('what changed between two posture runs (default: the last two): newly failing, fixed, other changes')
    .argument('[from]', 'older run id (or its unique suffix)')
    .argument('[to]', 'newer run id (default: the latest)')
    .option('--json', 'print JSON')
    .action((from: string | undefined, to: string | undefined, opts: { json?: boolean }, command: Command) => {
      const json = opts.json ?? (command.parent?.opts() as { json?: boolean }).json;
      const dir = config().stateDir;
      const runs = listPostureRecords(dir);
      const toId = to ?? runs.at(-1)?.id;
      if (!toId) throw new UserError('no posture runs kept yet: run respond posture first', EXIT.notFound);
      const cur = readPostureRecord(dir, toId);
      const fromId = from ?? runs.filter((r) => r.at < cur.at && r.id !== cur.id).at(-1)?.id;
      const drift = postureDrift(fromId ? readPostureRecord(dir, fromId) : null, cur);
      console.log(json ? JSON.stringify(drift) : renderDrift(drift));
      if (drift.newlyFailing.length > 0) process.exitCode = EXIT.failed;
    });
}

async function runPosture(opts: RunOptions): Promise<number> {
  if (!opts.inventory) throw new UserError('respond posture: --inventory <file> is required');
  // The worker reads these too; checked here first so a bad file stops before anything starts.
  const settings = loadPostureSettings(opts.settings);
  const allowlist = opts.allowlist ?? settings.skillsAllowlist;
  if (allowlist) loadAllowlist(allowlist);
  if (opts.skip) selectChecks(opts.skip.split(',').map((x) => x.trim()).filter(Boolean));
  const incident = opts.incident ?? `posture-${new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '')}`;
  const set = [...runSets(opts), ...(opts.concurrency ? [`fleet.maxConcurrency=${opts.concurrency}`] : [])];
  const { c, cfg, workflowId } = await launchRun('posture', { inventory: opts.inventory, set, incident });
  if (!opts.json) console.error(`posture: ${workflowId} started; checking hosts...`);
  const final = await followRun(c, workflowId, (view) => {
    const f = view.status.fleet;
    if (!opts.json && f && process.stderr.isTTY) process.stderr.write(`\rposture: ${f.counts.done + f.counts.failed}/${f.total} host(s) checked`);
  });
  if (!opts.json && process.stderr.isTTY) process.stderr.write('\n');
  if (final.execution !== 'COMPLETED') throw new UserError(`posture run ${workflowId} ${final.execution.toLowerCase()}: ${final.failure ?? final.status.error ?? 'see respond status'}`, EXIT.failed);
  const g = await gatherRun(c, cfg.auditLogPath, workflowId, final.status);
  const hosts: PostureRecordHost[] = Object.entries(g.results)
    .flatMap(([host, r]) => {
      const res = r.posture?.result as { version?: string | null; checks?: CheckResult[] } | undefined;
      return res?.checks ? [{ host, version: res.version ?? null, checks: res.checks }] : [];
    })
    .sort((a, b) => a.host.localeCompare(b.host));
  const failedHosts = final.status.fleet?.failed ?? [];
  const record = final.status.steps.find((s) => s.kind === 'posture-record');
  const anyFail = hosts.some((h) => h.checks.some((x) => x.status === 'fail'));
  if (opts.json) {
    console.log(JSON.stringify({ run: workflowId, hosts: hosts.map((h) => ({ host: h.host, version: h.version, checks: h.checks })), failedHosts, drift: record?.summary ?? null }));
  } else {
    const ids = CHECK_IDS.filter((id) => hosts.some((h) => h.checks.some((x) => x.id === id)));
    console.log(`posture of ${hosts.length} host(s), run ${workflowId}`);
    console.log(renderMatrix(hosts, ids));
    const failures = renderFailures(hosts);
    if (failures) console.log(`\nfailing:\n${failures}`);
    const unknowns = renderUnknowns(hosts);
    if (unknowns) console.log(`\nundecided:\n${unknowns}`);
    for (const f of failedHosts) console.log(`\nnot checked: ${f.host}: ${f.reason}`);
    if (record?.summary) console.log(`\n${record.summary}`);
  }
  return anyFail || failedHosts.length > 0 ? EXIT.failed : EXIT.ok;
}
