import { jsonReport } from './json.js';
import type { Reporter } from './reporter.js';
import { sarifReport } from './sarif.js';
import { tableReport } from './table.js';

export const REPORT_FORMATS = { table: tableReport, json: jsonReport, sarif: sarifReport } as const satisfies Record<string, Reporter>;
export type ReportFormat = keyof typeof REPORT_FORMATS;
export type { Reporter, ReportMeta } from './reporter.js';
