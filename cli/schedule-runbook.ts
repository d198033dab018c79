/**
 * A bundled runbook on a Temporal Schedule (snapshot, posture): created, or updated in place when
 * it exists, with overlap policy skip (a run still going when the next is due is left to finish)
 * and a catch-up window. Runs get `incident: scheduled`; Temporal appends each run's time to the id.
 */
import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type ScheduleSpec } from '@temporalio/client';
import { INCIDENT, RUNBOOK } from '../lib/search-attributes.js';
import { RUNBOOK_WORKFLOW, type RunbookInput } from '../workflows/definitions.js';
import { actor, client, config } from './context.js';
import { resolveRunInput } from './run-input.js';

export interface RunbookScheduleOptions {
  scheduleId: string;
  runbook: string;
  inventory: string;
  set: string[];
  spec: ScheduleSpec;
  paused: boolean;
  workflowId: string;
}

/** What a scheduled run of a resolved runbook gets as input (drills add their auto-approval). */
export function scheduledInput(r: Awaited<ReturnType<typeof resolveRunInput>>, incident: string, actor: string, extra: Partial<RunbookInput> = {}): RunbookInput {
  return {
    spec: r.loaded.spec,
    specSha256: r.loaded.specSha256,
    source: r.loaded.path,
    params: r.params,
    incident,
    actor,
    dryRun: false,
    ...(r.fleet ? { fleet: r.fleet } : {}),
    ...extra,
  };
}

export async function upsertRunbookSchedule(o: RunbookScheduleOptions): Promise<{ verb: 'created' | 'updated'; next: string; paused: boolean; params: Record<string, unknown> }> {
  const resolved = await resolveRunInput(o.runbook, o.set, o.inventory);
  const { loaded, params } = resolved;
  const cfg = config();
  const c = await client(cfg);
  const who = actor();
  const input = scheduledInput(resolved, 'scheduled', `schedule:${who}`);
  const action = {
    type: 'startWorkflow' as const,
    workflowType: RUNBOOK_WORKFLOW,
    taskQueue: cfg.taskQueue,
    workflowId: o.workflowId,
    args: [input],
    typedSearchAttributes: [
      { key: RUNBOOK, value: loaded.spec.name },
      { key: INCIDENT, value: 'scheduled' },
    ],
    staticSummary: `${loaded.spec.name} · scheduled by ${who}`,
  };
  const policies = { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1h' };
  let verb: 'created' | 'updated' = 'created';
  try {
    await c.schedule.create({ scheduleId: o.scheduleId, spec: o.spec, action, policies, state: { paused: o.paused, note: `respond ${loaded.spec.name} schedule by ${who}` } });
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    verb = 'updated';
    await c.schedule.getHandle(o.scheduleId).update((prev) => ({ ...prev, spec: o.spec, action, policies, state: { ...prev.state, paused: o.paused } }));
  }
  const d = await c.schedule.getHandle(o.scheduleId).describe();
  return { verb, next: d.info.nextActionTimes[0]?.toISOString() ?? 'none (paused)', paused: d.state.paused, params };
}
