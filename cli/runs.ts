/** Reading and following runs: shared by start, status, approve and reject. */
import { WorkflowNotFoundError, type Client, type WorkflowHandle } from '@temporalio/client';
import { UserError } from '../lib/errors.js';
import { hostStatusQuery, hostWorkflowId, statusQuery, type PersonWait, type RunbookStatus } from '../workflows/definitions.js';
import { EXIT } from './exit-codes.js';

export interface RunView {
  id: string;
  status: RunbookStatus;
  /** Temporal's execution status: RUNNING, COMPLETED, FAILED, TERMINATED, ... */
  execution: string;
  failure?: string;
}

export async function readRun(client: Client, id: string): Promise<RunView> {
  const handle = client.workflow.getHandle(id);
  let execution: string;
  try {
    execution = (await handle.describe()).status.name;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw new UserError(`run ${id} not found`, EXIT.notFound);
    throw err;
  }
  const status = await handle.query(statusQuery);
  let failure: string | undefined;
  if (execution !== 'RUNNING' && execution !== 'COMPLETED') failure = await failureOf(handle);
  return { id, status, execution, failure };
}

async function failureOf(handle: WorkflowHandle): Promise<string | undefined> {
  try {
    await handle.result();
    return undefined;
  } catch (err) {
    const cause = (err as { cause?: Error }).cause;
    return cause?.message ?? (err as Error).message;
  }
}

/** Hosts of a running fleet section that wait for a person (at most `limit` running hosts are asked). */
export async function personWaits(client: Client, view: RunView, limit = 50): Promise<Array<PersonWait & { host: string }>> {
  const fleet = view.status.fleet;
  if (!fleet || view.execution !== 'RUNNING') return [];
  const running = fleet.active.filter((a) => a.state === 'running').slice(0, limit);
  const found = await Promise.all(
    running.map(async (a) => {
      try {
        const h = await client.workflow.getHandle(hostWorkflowId(view.id, a.host, fleet.section)).query(hostStatusQuery);
        return h.waiting ? { host: a.host, ...h.waiting } : undefined;
      } catch {
        return undefined;
      }
    }),
  );
  return found.filter((w): w is PersonWait & { host: string } => w !== undefined);
}

export function renderPersonWaits(runId: string, waits: Array<PersonWait & { host: string }>): string {
  return waits
    .map((w) => `✋ ${w.host} waits for a person (step ${w.step}, since ${w.since}): ${w.instruction}\n   when done: respond confirm ${runId} --host ${w.host}`)
    .join('\n');
}

export function isClosed(view: RunView): boolean {
  return view.execution !== 'RUNNING';
}

/**
 * A run that is still going or completed is fine; failed, terminated, cancelled or timed out is
 * not, and neither is a completed fleet run that left hosts failed within its error budget.
 */
export function exitCodeOf(view: RunView): number {
  if (view.execution === 'COMPLETED' && (view.status.fleet?.failed?.length ?? 0) > 0) return EXIT.failed;
  return view.execution === 'COMPLETED' || view.execution === 'RUNNING' ? EXIT.ok : EXIT.failed;
}

/**
 * Polls a run and calls `onChange` whenever what a person would see changes, until it closes.
 * `onPending` may act on a waiting approval (the interactive prompt of `start`).
 */
export async function followRun(
  client: Client,
  id: string,
  onChange: (view: RunView) => void,
  onPending?: (view: RunView) => Promise<void>,
  intervalMs = 500,
): Promise<RunView> {
  let last = '';
  let prompted = '';
  for (;;) {
    const view = await readRun(client, id);
    const key = JSON.stringify([view.status, view.execution]);
    if (key !== last) {
      last = key;
      onChange(view);
    }
    if (isClosed(view)) return view;
    const pendingKey = view.status.pending ? `${view.status.pending.step}/${view.status.pending.hash}` : '';
    if (onPending && view.status.pending && pendingKey !== prompted) {
      prompted = pendingKey;
      await onPending(view);
      continue;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
