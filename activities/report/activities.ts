/** The incident report as the run's last activity: written to the state dir and returned for the workflow result. */
import { Context } from '@temporalio/activity';
import type { IncidentReport } from '../../lib/report/incident-report.js';
import type { RunbookStatus } from '../../workflows/definitions.js';
import { writeIncidentReport } from './write-report.js';

/** A workflow result is one payload in history: a fleet's whole timeline could outgrow it. */
const MAX_ATTACHED_BYTES = 256 * 1024;

export interface AttachedReport {
  markdown: string;
  json: string;
  /** The report itself, without its timeline when the whole would be too big (the file has it all). */
  report: IncidentReport | Omit<IncidentReport, 'timeline'>;
  timelineOmitted?: boolean;
}

export function createReportActivities(deps: { stateDir: string; auditLogPath: string }) {
  return {
    async incidentReport(input: { id: string; status: RunbookStatus }): Promise<AttachedReport> {
      const w = await writeIncidentReport(Context.current().client, deps, input.id, input.status);
      if (JSON.stringify(w.report).length <= MAX_ATTACHED_BYTES) return { markdown: w.markdown, json: w.json, report: w.report };
      const { timeline: _timeline, ...rest } = w.report;
      return { markdown: w.markdown, json: w.json, report: rest, timelineOmitted: true };
    },
  };
}

export type ReportActivities = ReturnType<typeof createReportActivities>;
