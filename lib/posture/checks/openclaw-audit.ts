/**
 * `openclaw-audit`: the host's own `openclaw security audit --json` and, where the release has
 * it, `openclaw doctor --lint --json`, merged in finding by finding, so respond never reports
 * less than OpenClaw itself.
 */
import { result, type PostureCheck } from '../types.js';

const RANK: Record<string, number> = { critical: 3, error: 3, high: 3, warn: 2, warning: 2, medium: 2, info: 1, low: 1 };

export const openclawAuditCheck: PostureCheck = {
  id: 'openclaw-audit',
  reads: 'openclaw security audit --json, and openclaw doctor --lint --json where the release has it, run on the host as the gateway user',
  probes: {},
  evaluate({ records }) {
    const f = records.openclawFindings;
    if (f === null) return result('openclaw-audit', 'unknown', records.openclawErrors[0] ?? 'not run (--skip openclaw-audit)', { errors: records.openclawErrors });
    const findings = f.map((x) => ({ id: `${x.source}:${x.checkId}`, severity: x.severity, title: x.title }));
    const worst = Math.max(0, ...f.map((x) => RANK[x.severity.toLowerCase()] ?? 1));
    const counts = Object.entries(f.reduce<Record<string, number>>((a, x) => ({ ...a, [x.severity]: (a[x.severity] ?? 0) + 1 }), {}))
      .map(([k, v]) => `${v} ${k}`)
      .join(', ');
    const evidence = { findings, errors: records.openclawErrors };
    const fix = { text: 'see each finding; `openclaw security audit --fix` and `openclaw doctor --fix` apply the ones OpenClaw can fix itself' };
    if (worst >= 3) return result('openclaw-audit', 'fail', counts, evidence, fix);
    if (worst === 2) return result('openclaw-audit', 'warn', counts, evidence, fix);
    if (f.length === 0 && records.openclawErrors.length) return result('openclaw-audit', 'unknown', records.openclawErrors[0]!, evidence);
    return result('openclaw-audit', 'pass', f.length ? counts : 'no findings', evidence);
  },
};
