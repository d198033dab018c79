/**
 * SARIF 2.1.0, one run per host, so code-scanning UIs and SIEMs can ingest a sweep. Each result
 * carries the stable finding id and the secret's fingerprint as partial fingerprints: that is
 * what lets a viewer track a finding across sweeps without ever seeing the value.
 */
import { HUNT_RULE_ID } from '../detector.js';
import { STRUCTURED_RULES } from '../openclaw/rule-ids.js';
import type { Finding, Severity } from '../types.js';
import type { Reporter, ReportMeta } from './reporter.js';

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = {
  critical: 'error',
  high: 'error',
  medium: 'warning',
  low: 'note',
};

/** GitHub code scanning reads this property to rank security results. */
const SECURITY_SEVERITY: Record<Severity, string> = { critical: '9.5', high: '8.0', medium: '5.5', low: '2.0' };

type RuleMeta = ReportMeta['rules'][number];

export const sarifReport: Reporter = (results, meta) => {
  const runs = results.map((r) => {
    const rules = ruleTable(meta.rules, r.findings);
    const index = new Map(rules.map((x, i) => [x.id, i]));
    return {
      tool: {
        driver: {
          name: 'respond-sweep',
          version: meta.toolVersion,
          semanticVersion: meta.toolVersion,
          rules: rules.map((x) => ({
            id: x.id,
            name: x.id,
            shortDescription: { text: x.description || x.id },
            defaultConfiguration: { level: LEVEL[asSeverity(x.severity)] },
            properties: {
              family: x.family,
              tags: ['security', 'secret', x.family],
              'security-severity': SECURITY_SEVERITY[asSeverity(x.severity)],
            },
          })),
        },
      },
      invocations: [
        {
          executionSuccessful: true,
          toolExecutionNotifications: [
            ...r.skipped.map((s) => ({
              level: 'warning' as const,
              message: { text: `skipped (${s.reason})${s.size !== undefined ? `, ${s.size} bytes` : ''}${s.detail ? `: ${s.detail}` : ''}` },
              locations: [{ physicalLocation: { artifactLocation: { uri: fileUri(s.path) } } }],
            })),
            ...r.missingRoots.map((m) => ({
              level: 'note' as const,
              message: { text: `path not found: ${m}` },
            })),
          ],
        },
      ],
      results: r.findings.map((f) => result(f, index.get(f.ruleId) ?? 0)),
      properties: { host: r.host, roots: r.roots, suppressed: r.suppressed.length, bytesSearched: r.stats.bytesSearched },
    };
  });
  const doc = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs,
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
};

function result(f: Finding, ruleIndex: number) {
  const what = f.huntRef ? `rotated credential ${f.huntRef} still present (${f.encoding})` : f.description || f.ruleId;
  return {
    ruleId: f.ruleId,
    ruleIndex,
    level: LEVEL[f.severity],
    message: { text: `${what}: ${f.preview} ${f.fingerprint}` },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri: fileUri(f.path) },
          region: { startLine: f.line, startColumn: f.column, snippet: { text: f.context } },
        },
      },
    ],
    partialFingerprints: { 'respondFindingId/v1': f.id, 'secretSha256Prefix/v1': f.fingerprint },
    properties: {
      host: f.host,
      family: f.family,
      severity: f.severity,
      ...(f.huntRef ? { huntRef: f.huntRef, encoding: f.encoding } : {}),
    },
  };
}

/** Only the rules that produced results plus every loaded rule, hunts included, in a stable order. */
function ruleTable(rules: readonly RuleMeta[], findings: readonly Finding[]): RuleMeta[] {
  const out = [...rules].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  if (findings.some((f) => f.ruleId === HUNT_RULE_ID) && !out.some((r) => r.id === HUNT_RULE_ID)) {
    out.push({ id: HUNT_RULE_ID, family: 'hunt', description: 'Exact value of a rotated credential', severity: 'critical' });
  }
  for (const r of STRUCTURED_RULES) if (findings.some((f) => f.ruleId === r.id) && !out.some((o) => o.id === r.id)) out.push({ ...r });
  for (const f of findings) {
    if (!out.some((r) => r.id === f.ruleId)) {
      out.push({ id: f.ruleId, family: f.family, description: f.description, severity: f.severity });
    }
  }
  return out;
}

function asSeverity(s: string): Severity {
  return s === 'critical' || s === 'high' || s === 'medium' || s === 'low' ? s : 'high';
}

function fileUri(path: string): string {
  const abs = path.startsWith('/') ? path : `/${path.replace(/^\.\//, '')}`;
  return `file://${abs.split('/').map(encodeURIComponent).join('/')}`;
}
