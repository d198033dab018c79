/**
 * `respond report <id> [--json]`: the incident report of a run, Markdown and JSON, written under
 * the state dir's `reports/` (0600) and printed (the Markdown path, or the JSON with --json).
 * Read from the run itself (its status, each host's steps) and the audit log; works while the run
 * is still going too (a report so far).
 */
import type { Command } from 'commander';
import { writeIncidentReport } from '../../activities/report/write-report.js';
import { client, config } from '../context.js';

export function register(program: Command): void {
  program
    .command('report')
    .description("a run's incident report: approvals, each host's steps and results, what is left for a human, the timeline (Markdown and JSON under the state dir)")
    .argument('<id>', 'run id (respond-<runbook>-<incident>)')
    .option('--json', 'print the JSON report instead of the Markdown path')
    .action(async (id: string, opts: { json?: boolean }) => {
      const cfg = config();
      const written = await writeIncidentReport(await client(cfg), cfg, id);
      console.log(opts.json ? JSON.stringify(written.report, null, 2) : written.markdown);
    });
}
