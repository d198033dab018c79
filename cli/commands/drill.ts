/**
 * `respond drill`: rotation drills on Temporal Schedules, so the response is rehearsed before the
 * day it is needed. A drill runs a runbook for real on its drill targets (a canary host or a
 * dedicated test credential, as the inventory and --set choose) with every gate approved as
 * `auto:drill:<name>` (the audit log records that policy with each approval), and its history
 * shows pass or fail per step and the time to rotate each credential. A drill that fails leaves
 * every credential working, like any rotation: the runbook's own rollback applies.
 */
import { ScheduleAlreadyRunning, ScheduleNotFoundError, ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import type { Command } from 'commander';
import { gatherRun } from '../../activities/report/write-report.js';
import { drillScheduleId, drillScheduleSpec } from '../../lib/drill/schedule-spec.js';
import { UserError } from '../../lib/errors.js';
import { hostDetails } from '../../lib/report/host-details.js';
import { INCIDENT, RUNBOOK } from '../../lib/search-attributes.js';
import { gatesRefusingAutoApprove } from '../../workflows/plan-step.js';
import { RUNBOOK_WORKFLOW } from '../../workflows/definitions.js';
import { actor, client, config } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { resolveRunInput } from '../run-input.js';
import { scheduledInput } from '../schedule-runbook.js';

interface ScheduleOptions {
  inventory?: string;
  set: string[];
  cron?: string;
  every?: string;
  name?: string;
  pause?: boolean;
  json?: boolean;
}

export function register(program: Command): void {
  const drill = program.command('drill').description('rotation drills on Temporal Schedules: a runbook run for real on drill targets, auto-approved as a drill, quarterly by default');
  drill
    .command('schedule')
    .description('create or update a drill: the runbook with its parameters, on a schedule (overlap skip, a one-day catch-up window)')
    .argument('<runbook>', 'runbook name or file (usually rotate)')
    .option('--inventory <file>', 'inventory of the drill targets (sets the inventory parameter)')
    .option('--set <name=value>', 'a runbook parameter, as for respond start (repeatable)', (v: string, acc: string[]) => [...acc, v], [])
    .option('--cron <expr>', 'five-field cron expression, UTC')
    .option('--every <when>', '"quarter" (default: 03:00 UTC on Jan, Apr, Jul, Oct 1) or a duration such as 720h')
    .option('--name <name>', 'the drill\'s name (default: the runbook\'s name)')
    .option('--pause', 'create or leave the drill paused')
    .option('--json', 'print the drill as JSON')
    .action(async (runbook: string, opts: ScheduleOptions) => {
      process.exitCode = await schedule(runbook, opts);
    });
  drill
    .command('list')
    .description('every drill: its runbook, schedule, paused or not, next run and last result')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      process.exitCode = await list(opts);
    });
  for (const [verb, what] of [
    ['pause', 'pause a drill (it keeps its history)'],
    ['unpause', 'unpause a drill'],
    ['trigger', 'run a drill now'],
    ['delete', 'delete a drill (its runs and audit stay)'],
  ] as const) {
    drill
      .command(verb)
      .description(what)
      .argument('<name>', 'the drill\'s name')
      .option('--note <text>', 'why (pause, unpause)')
      .action(async (name: string, opts: { note?: string }) => {
        process.exitCode = await act(verb, name, opts.note);
      });
  }
  drill
    .command('history')
    .description("a drill's recent runs: outcome, pass or fail per step, time to rotate per credential")
    .argument('<name>', 'the drill\'s name')
    .option('--json', 'print JSON')
    .action(async (name: string, opts: { json?: boolean }) => {
      process.exitCode = await history(name, opts);
    });
}

async function schedule(runbook: string, opts: ScheduleOptions): Promise<number> {
  const spec = drillScheduleSpec(opts);
  const resolved = await resolveRunInput(runbook, opts.set, opts.inventory);
  const { loaded } = resolved;
  const refusing = gatesRefusingAutoApprove(loaded.spec);
  if (refusing.length) throw new UserError(`respond drill schedule: ${loaded.path}: step ${refusing[0]!.id} needs a person's approval (autoApprove: false), so it cannot be drilled unattended`);
  const name = opts.name ?? loaded.spec.name;
  const scheduleId = drillScheduleId(name);
  const cfg = config();
  const c = await client(cfg);
  const who = actor();
  const input = scheduledInput(resolved, `drill-${name}`, `drill:${who}`, { autoApprove: { actor: `drill:${name}` } });
  const action = {
    type: 'startWorkflow' as const,
    workflowType: RUNBOOK_WORKFLOW,
    taskQueue: cfg.taskQueue,
    // Temporal appends each run's scheduled time to this id.
    workflowId: `respond-${loaded.spec.name}-drill-${name}`,
    args: [input],
    typedSearchAttributes: [
      { key: RUNBOOK, value: loaded.spec.name },
      { key: INCIDENT, value: `drill-${name}` },
    ],
    staticSummary: `${loaded.spec.name} · drill ${name} · auto-approved as auto:drill:${name}`,
  };
  const policies = { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1d' };
  const when = 'cronExpressions' in spec ? `cron ${spec.cronExpressions[0]}` : `every ${opts.every}`;
  const note = `drill of runbook ${loaded.spec.name} (sha256 ${loaded.specSha256.slice(0, 16)}) by ${who}; gates auto-approved as auto:drill:${name}`;
  let verb = 'created';
  try {
    await c.schedule.create({ scheduleId, spec, action, policies, memo: { runbook: loaded.spec.name, specSha256: loaded.specSha256, when }, state: { paused: Boolean(opts.pause), note } });
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    verb = 'updated';
    // An update cannot change the memo: a drill whose runbook or timing changes is deleted and created again.
    await c.schedule.getHandle(scheduleId).delete();
    await c.schedule.create({ scheduleId, spec, action, policies, memo: { runbook: loaded.spec.name, specSha256: loaded.specSha256, when }, state: { paused: Boolean(opts.pause), note } });
  }
  const d = await c.schedule.getHandle(scheduleId).describe();
  const next = d.info.nextActionTimes[0]?.toISOString() ?? 'none';
  if (opts.json) console.log(JSON.stringify({ name, scheduleId, verb, runbook: loaded.spec.name, specSha256: loaded.specSha256, when, paused: d.state.paused, next }));
  else console.log(`drill ${name} ${verb}: runbook ${loaded.spec.name}, ${when} UTC; next run ${next}${d.state.paused ? ' (paused)' : ''}`);
  return EXIT.ok;
}

interface DrillRow {
  name: string;
  scheduleId: string;
  runbook: string;
  when: string;
  paused: boolean;
  note: string;
  next: string | null;
  lastRun: { id: string; at: string; outcome: string } | null;
}

async function list(opts: { json?: boolean }): Promise<number> {
  const c = await client();
  const rows: DrillRow[] = [];
  for await (const s of c.schedule.list()) {
    if (!s.scheduleId.startsWith('respond-drill-')) continue;
    const d = await c.schedule.getHandle(s.scheduleId).describe();
    const last = d.info.recentActions.at(-1);
    const lastId = last && last.action.type === 'startWorkflow' ? last.action.workflow.workflowId : undefined;
    rows.push({
      name: s.scheduleId.slice('respond-drill-'.length),
      scheduleId: s.scheduleId,
      runbook: String((d.memo as Record<string, unknown> | undefined)?.runbook ?? '?'),
      // The server keeps a cron expression only as calendars: the memo keeps what the operator wrote.
      when: String((d.memo as Record<string, unknown> | undefined)?.when ?? '?'),
      paused: d.state.paused,
      note: d.state.note ?? '',
      next: d.info.nextActionTimes[0]?.toISOString() ?? null,
      lastRun: lastId ? { id: lastId, at: last!.takenAt.toISOString(), outcome: await outcomeOf(c, lastId) } : null,
    });
  }
  if (opts.json) {
    console.log(JSON.stringify({ drills: rows }, null, 2));
    return EXIT.ok;
  }
  if (rows.length === 0) {
    console.log('no drills (respond drill schedule rotate --inventory F --set ...)');
    return EXIT.ok;
  }
  for (const r of rows) {
    console.log(`${r.name}  runbook ${r.runbook}  ${r.when}  ${r.paused ? 'PAUSED' : 'active'}  next ${r.paused ? '-' : (r.next ?? '-')}  last ${r.lastRun ? `${r.lastRun.at} ${r.lastRun.outcome} (${r.lastRun.id})` : 'never'}`);
  }
  return EXIT.ok;
}

async function outcomeOf(c: Client, id: string): Promise<string> {
  const d = await c.workflow.getHandle(id).describe().catch(() => undefined);
  return d ? d.status.name.toLowerCase() : 'unknown';
}

async function act(verb: 'pause' | 'unpause' | 'trigger' | 'delete', name: string, note?: string): Promise<number> {
  const c = await client();
  const h = c.schedule.getHandle(drillScheduleId(name));
  try {
    if (verb === 'pause') await h.pause(note ?? `paused by ${actor()}`);
    else if (verb === 'unpause') await h.unpause(note ?? `unpaused by ${actor()}`);
    // A drill triggered by hand while one still runs is skipped, as a scheduled one would be.
    else if (verb === 'trigger') await h.trigger(ScheduleOverlapPolicy.SKIP);
    else await h.delete();
  } catch (err) {
    if (err instanceof ScheduleNotFoundError) throw new UserError(`drill ${name} not found (respond drill list)`, EXIT.notFound);
    throw err;
  }
  console.log(`drill ${name}: ${{ pause: 'paused', unpause: 'unpaused', trigger: 'triggered', delete: 'deleted' }[verb]}`);
  return EXIT.ok;
}

interface DrillRun {
  id: string;
  at: string;
  outcome: string;
  steps: Array<{ host?: string; step: string; state: string }>;
  /** Per credential and host: from the rotation's creation to its old value's revocation (or promotion). */
  timeToRotate: Array<{ host: string; credential: string; ms: number | null; fingerprint?: string }>;
  approvals: Array<{ step: string; approver: string }>;
}

async function history(name: string, opts: { json?: boolean }): Promise<number> {
  const cfg = config();
  const c = await client(cfg);
  let d;
  try {
    d = await c.schedule.getHandle(drillScheduleId(name)).describe();
  } catch (err) {
    if (err instanceof ScheduleNotFoundError) throw new UserError(`drill ${name} not found (respond drill list)`, EXIT.notFound);
    throw err;
  }
  const runs: DrillRun[] = [];
  for (const a of [...d.info.recentActions].reverse()) {
    if (a.action.type !== 'startWorkflow') continue;
    const id = a.action.workflow.workflowId;
    const outcome = await outcomeOf(c, id);
    const g = await gatherRun(c, cfg.auditLogPath, id).catch(() => undefined);
    const steps: DrillRun['steps'] = [];
    const timeToRotate: DrillRun['timeToRotate'] = [];
    for (const st of g?.status.steps ?? []) if (!g?.hosts.length || st.kind === 'approval' || st.kind === 'exec' || st.kind === 'wait') steps.push({ step: st.id, state: st.state });
    for (const h of g?.hosts ?? []) {
      for (const st of h.steps) steps.push({ host: h.host, step: st.id, state: st.state });
      for (const cr of hostDetails(g!.results[h.host] ?? {}).credentials) {
        const start = Date.parse(cr.times.created ?? cr.times.creating ?? '');
        const end = Date.parse(cr.times.revoked ?? cr.times.promoted ?? '');
        timeToRotate.push({ host: h.host, credential: cr.credential, ms: Number.isFinite(start) && Number.isFinite(end) ? end - start : null, ...(cr.new ? { fingerprint: cr.new } : {}) });
      }
    }
    const approvals = (g?.events ?? []).filter((e) => e.event === 'approval.granted' && e.workflowId === id).map((e) => ({ step: e.step ?? '', approver: e.actor }));
    runs.push({ id, at: a.takenAt.toISOString(), outcome, steps, timeToRotate, approvals });
  }
  if (opts.json) {
    console.log(JSON.stringify({ name, paused: d.state.paused, next: d.info.nextActionTimes[0]?.toISOString() ?? null, runs }, null, 2));
    return EXIT.ok;
  }
  if (runs.length === 0) console.log(`drill ${name}: no runs yet; next ${d.info.nextActionTimes[0]?.toISOString() ?? '-'}`);
  for (const r of runs) {
    const failed = r.steps.filter((s) => s.state === 'failed');
    const passed = r.steps.filter((s) => s.state === 'done').length;
    console.log(`${r.at}  ${r.outcome}  ${r.id}`);
    console.log(`  steps: ${passed} passed, ${failed.length} failed${failed.length ? ` (${failed.map((f) => `${f.host ? `${f.host}/` : ''}${f.step}`).join(', ')})` : ''}, ${r.steps.length - passed - failed.length} other`);
    for (const t of r.timeToRotate) console.log(`  ${t.host} ${t.credential}: rotated in ${t.ms === null ? '?' : `${(t.ms / 1000).toFixed(1)} s`}${t.fingerprint ? ` (now ${t.fingerprint})` : ''}`);
    if (r.approvals.length) console.log(`  approvals: ${[...new Set(r.approvals.map((x) => x.approver))].join(', ')} (${r.approvals.length})`);
  }
  return EXIT.ok;
}
