/** The largest workflow history (events and bytes) among the runs of one incident, continued-as-new runs included. */
import type { Client } from '@temporalio/client';

export async function largestHistory(c: Client, incident: string): Promise<{ events: number; bytes: number; workflowId: string; runs: number }> {
  let best = { events: 0, bytes: 0, workflowId: '', runs: 0 };
  for await (const w of c.workflow.list({ query: `RespondIncident = '${incident}'` })) {
    best.runs++;
    if (w.historyLength > best.events) best = { ...best, events: w.historyLength, bytes: w.historySize ?? 0, workflowId: w.workflowId };
  }
  return best;
}
