/**
 * Gathers and writes a run's incident report: the run's status and each host child's status (by
 * query, so it works while the run is going and after it closed), plus the audit log's events for
 * the run; Markdown and JSON under the state dir's `reports/`, owner-only. The CLI's `respond
 * report` and the workflow's last activity both come here, so the two never disagree.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { UserError } from '../../lib/errors.js';
import { buildReport, reportMarkdown, type IncidentReport, type ReportAuditEvent } from '../../lib/report/incident-report.js';
import { hostResultsQuery, hostStatusQuery, statusQuery, type HostResults, type HostStatus, type RunbookStatus } from '../../workflows/definitions.js';

/** cli/exit-codes.ts's notFound: activities do not import the CLI. */
const EXIT_NOT_FOUND = 3;

export interface WrittenReport {
  report: IncidentReport;
  markdown: string;
  json: string;
}

export interface GatheredRun {
  status: RunbookStatus;
  hosts: HostStatus[];
  results: Record<string, HostResults>;
  events: ReportAuditEvent[];
}

/** A run's status, each host child's status and step results, and its audit events. */
export async function gatherRun(c: Client, auditLogPath: string, id: string, status?: RunbookStatus): Promise<GatheredRun> {
  const handle = c.workflow.getHandle(id);
  if (!status) {
    try {
      status = await handle.query(statusQuery);
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw new UserError(`run ${id} not found`, EXIT_NOT_FOUND);
      throw err;
    }
  }
  const events = readAudit(auditLogPath);
  const children = new Set<string>();
  // A fleet's parent continues as new every page of hosts: its children are spread over every
  // run of the chain, so walk back through each run's predecessor.
  let runId: string | undefined;
  for (let hops = 0; hops < 10_000; hops++) {
    const history = await c.workflow.getHandle(id, runId).fetchHistory();
    let previous: string | undefined;
    for (const e of history.events ?? []) {
      const child = e.startChildWorkflowExecutionInitiatedEventAttributes?.workflowId;
      if (child) children.add(child);
      previous ??= e.workflowExecutionStartedEventAttributes?.continuedExecutionRunId || undefined;
    }
    if (!previous) break;
    runId = previous;
  }
  for (const e of events) if (e.workflowId.startsWith(`${id}/`)) children.add(e.workflowId);
  const hosts: HostStatus[] = [];
  const results: Record<string, HostResults> = {};
  for (const child of [...children].sort()) {
    const ch = c.workflow.getHandle(child);
    const h = await ch.query(hostStatusQuery).catch(() => undefined);
    if (!h) continue;
    hosts.push(h);
    // Host runs from before the query existed answer nothing: their report keeps the summaries only.
    const r = await ch.query(hostResultsQuery).catch(() => undefined);
    if (r) results[h.host] = r;
  }
  return { status, hosts, results, events };
}

export async function writeIncidentReport(c: Client, paths: { stateDir: string; auditLogPath: string }, id: string, status?: RunbookStatus): Promise<WrittenReport> {
  const g = await gatherRun(c, paths.auditLogPath, id, status);
  const report = buildReport(id, g.status, g.hosts, g.events, g.results);
  const dir = join(paths.stateDir, 'reports');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const base = join(dir, id.replace(/[^A-Za-z0-9._-]/g, '_'));
  writeFileSync(`${base}.json`, `${JSON.stringify(report, null, 2)}\n`, { mode: 0o600 });
  writeFileSync(`${base}.md`, reportMarkdown(report), { mode: 0o600 });
  return { report, markdown: `${base}.md`, json: `${base}.json` };
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
