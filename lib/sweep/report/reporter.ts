/** One interface for every output format, as in gitleaks: a sweep result in, text out. */
import type { SweepResult } from '../types.js';

export interface ReportMeta {
  toolVersion: string;
  /** The rules that ran, for SARIF's rule table. */
  rules: ReadonlyArray<{ id: string; family: string; description: string; severity: string }>;
}

export type Reporter = (results: readonly SweepResult[], meta: ReportMeta) => string;
