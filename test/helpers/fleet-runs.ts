/** Reading fleet runs back: the largest history among an incident's workflows (continued-as-new runs included), and a run's end. */
import type { Client } from '@temporalio/client';

export async function largestHistory(c: Client, incident: string): Promise<{ events: number; bytes: number; workflowId: string; runs: number }> {
  let best = { events: 0, bytes: 0, workflowId: '', runs: 0 };
  for await (const w of c.workflow.list({ query: `RespondIncident = '${incident}'` })) {
    best.runs++;
    if (w.historyLength > best.events) best = { ...best, events: w.historyLength, bytes: w.historySize ?? 0, workflowId: w.workflowId };
  }
  return best;
}

/** Follows the run across continue-as-new until it closes; returns how it ended. */
export async function waitClosed(c: Client, workflowId: string): Promise<string> {
  for (;;) {
    const d = await c.workflow.getHandle(workflowId).describe();
    if (d.status.name !== 'RUNNING') {
      if (d.status.name !== 'CONTINUED_AS_NEW') return d.status.name;
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}
