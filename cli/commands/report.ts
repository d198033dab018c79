/**
 * `respond report <id> [--json]`: the incident report of a run, Markdown and JSON, written under
 * the state dir's `reports/` (0600) and printed (the Markdown path, or the JSON with --json).
 * Read from the run itself (its status, each host's steps) and the audit log; works while the run
 * is still going too (a report so far).
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { Command } from 'commander';
import { UserError } from '../../lib/errors.js';
import { buildReport, reportMarkdown, type ReportAuditEvent } from '../../lib/report/incident-report.js';
import { hostStatusQuery, statusQuery, type HostStatus } from '../../workflows/definitions.js';
import { client, config } from '../context.js';
import { EXIT } from '../exit-codes.js';

export function register(program: Command): void {
  program
    .command('report')
    .description("a run's incident report: approvals, each host's steps and results, what is left for a human, the timeline (Markdown and JSON under the state dir)")
    .argument('<id>', 'run id (respond-<runbook>-<incident>)')
    .option('--json', 'print the JSON report instead of the Markdown path')
    .action(async (id: string, opts: { json?: boolean }) => {
      const cfg = config();
      const c = await client(cfg);
      const handle = c.workflow.getHandle(id);
      let status;
      try {
        status = await handle.query(statusQuery);
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) throw new UserError(`run ${id} not found`, EXIT.notFound);
        throw err;
      }
      const events = readAudit(cfg.auditLogPath);
      const children = new Set<string>();
      for (const e of (await handle.fetchHistory()).events ?? []) {
        const child = e.startChildWorkflowExecutionInitiatedEventAttributes?.workflowId;
        if (child) children.add(child);
      }
      for (const e of events) if (e.workflowId.startsWith(`${id}/`)) children.add(e.workflowId);
      const hosts: HostStatus[] = [];
      for (const child of [...children].sort()) {
        const h = await c.workflow.getHandle(child).query(hostStatusQuery).catch(() => undefined);
        if (h) hosts.push(h);
      }
      const report = buildReport(id, status, hosts, events);
      const dir = join(cfg.stateDir, 'reports');
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      chmodSync(dir, 0o700);
      const base = join(dir, id.replace(/[^A-Za-z0-9._-]/g, '_'));
      writeFileSync(`${base}.json`, `${JSON.stringify(report, null, 2)}\n`, { mode: 0o600 });
      writeFileSync(`${base}.md`, reportMarkdown(report), { mode: 0o600 });
      console.log(opts.json ? JSON.stringify(report, null, 2) : `${base}.md`);
    });
}

function readAudit(path: string): ReportAuditEvent[] {
  if (!existsSync(path)) return [];
  const out: ReportAuditEvent[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line) as ReportAuditEvent);
    } catch {
      // A torn last line from a crash mid-append: the rest is still the record.
    }
  }
  return out;
}
