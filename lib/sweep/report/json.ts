/** The JSON report: the sweep results as they are (they hold no secrets), plus totals. Doubles as a baseline file. */
import type { Reporter } from './reporter.js';

export const jsonReport: Reporter = (results, meta) => {
  const findings = results.flatMap((r) => r.findings);
  const doc = {
    tool: { name: 'respond-sweep', version: meta.toolVersion },
    summary: {
      findings: findings.length,
      suppressed: results.reduce((n, r) => n + r.suppressed.length, 0),
      skipped: results.reduce((n, r) => n + r.skipped.length, 0),
      hosts: results.map((r) => r.host),
    },
    findings,
    hosts: results.map(({ findings: _f, ...rest }) => rest),
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
};
