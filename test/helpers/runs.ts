import type { Client } from '@temporalio/client';
import { statusQuery, type RunbookStatus } from '../../workflows/definitions.js';
import type { Sandbox } from './sandbox.js';

export async function statusOf(c: Client, id: string): Promise<RunbookStatus> {
  return c.workflow.getHandle(id).query(statusQuery);
}

/** Waits until the run waits for approval of `step`, and returns the pending approval. */
export async function pendingFor(s: Sandbox, c: Client, id: string, step: string) {
  return s.waitFor(`approval of ${step}`, async () => {
    const st = await statusOf(c, id);
    return st.pending?.step === step ? st.pending : undefined;
  });
}

export async function historyJson(c: Client, id: string): Promise<string> {
  const history = await c.workflow.getHandle(id).fetchHistory();
  return JSON.stringify(history);
}
