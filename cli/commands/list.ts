/** `respond list`: recent runs, newest first, from Temporal's visibility store. */
import type { Client } from '@temporalio/client';
import type { Command } from 'commander';
import { INCIDENT, PHASE, RUNBOOK } from '../../lib/search-attributes.js';
import { RUNBOOK_WORKFLOW } from '../../workflows/definitions.js';
import { client } from '../context.js';

export interface RunSummary {
  id: string;
  runbook?: string;
  incident?: string;
  phase?: string;
  execution: string;
  startedAt: string;
}

export async function listRuns(c: Client, limit: number): Promise<RunSummary[]> {
  const runs: RunSummary[] = [];
  // A fleet run continues as new many times: list each run once, by its latest execution.
  for await (const w of c.workflow.list({ query: `WorkflowType = '${RUNBOOK_WORKFLOW}' AND ExecutionStatus != 'ContinuedAsNew'` })) {
    runs.push({
      id: w.workflowId,
      runbook: w.typedSearchAttributes.get(RUNBOOK),
      incident: w.typedSearchAttributes.get(INCIDENT),
      phase: w.typedSearchAttributes.get(PHASE),
      execution: w.status.name,
      startedAt: w.startTime.toISOString(),
    });
    if (runs.length >= limit) break;
  }
  return runs;
}

export function renderRunList(runs: RunSummary[]): string {
  if (runs.length === 0) return 'no runs yet: respond start <runbook>';
  return runs
    .map((r) => `${r.startedAt}  ${r.execution.padEnd(10)} ${(r.phase ?? '').padEnd(16)} ${r.id}`)
    .join('\n');
}

export function register(program: Command): void {
  program
    .command('list')
    .description('list recent runs')
    .option('--limit <n>', 'how many', (v) => Number(v), 50)
    .option('--json', 'print as JSON')
    .action(async (opts: { limit: number; json?: boolean }) => {
      const runs = await listRuns(await client(), opts.limit);
      console.log(opts.json ? JSON.stringify(runs, null, 2) : renderRunList(runs));
    });
}
