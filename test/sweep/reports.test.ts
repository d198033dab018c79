// Reporters against golden files (one per format), from a fixed set of lines run through the
// real detector and finding model. UPDATE_GOLDEN=1 rewrites the files after a deliberate change.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Detector, type Detection, type LineHit } from '../../lib/sweep/detector.js';
import { toFindings } from '../../lib/sweep/finding.js';
import { huntVariants } from '../../lib/sweep/hunt.js';
import { REPORT_FORMATS } from '../../lib/sweep/report/index.js';
import { loadDefaultRules } from '../../lib/sweep/rules/load.js';
import type { SweepResult } from '../../lib/sweep/types.js';
import { sarifErrors } from './helpers/sarif.js';

// Clearly fake values, derived from fixed strings so the golden files are stable.
const fake = (s: string, n: number) => createHash('sha256').update(`respond-golden-fake:${s}`).digest('hex').slice(0, n);
const GW = fake('gateway', 48);
const DEVICE = `FAKE${fake('device', 39)}`;

const rules = loadDefaultRules();
const hits: LineHit[] = [
  { path: '/home/op/.openclaw/openclaw.json.bak.1', line: 12, text: `      "token": "${GW}"` },
  { path: '/home/op/.openclaw/devices/paired.json', line: 4, text: `    "operator": { "token": "${DEVICE}", "scopes": ["operator.admin"] }` },
  { path: '/home/op/.bash_history', line: 3, text: `export OPENCLAW_GATEWAY_TOKEN=${GW}` },
  { path: '/tmp/openclaw/openclaw-2026-11-23.log', line: 40, text: `{"msg":"auth","header":"Basic ${Buffer.from(`op:${GW}`).toString('base64')}"}` },
];

function result(): SweepResult {
  const detector = new Detector(rules, huntVariants([{ ref: 'env:OLD_GATEWAY_TOKEN', value: GW }]));
  const per = new Map<LineHit, Detection[]>();
  for (const h of hits) per.set(h, detector.detect(h));
  return {
    host: 'local',
    roots: ['/home/op/.openclaw', '/home/op/.bash_history', '/tmp/openclaw'],
    findings: toFindings('local', per),
    suppressed: [],
    skipped: [
      { path: '/home/op/.openclaw/logs/huge.log', reason: 'too-large', size: 99999999 },
      { path: '/home/op/.openclaw/state/openclaw.sqlite', reason: 'binary', detail: 'NUL byte at offset 16' },
      { path: '/home/op/.openclaw/root-only.json', reason: 'unreadable', detail: 'Permission denied' },
    ],
    missingRoots: ['/home/op/.zsh_history'],
    stats: { bytesSearched: 123456, filesSearched: 42, unattributedLines: 0, elapsedMs: 7, rgVersion: 'ripgrep 15.0.0' },
    warnings: [],
  };
}

const meta = {
  toolVersion: '0.1.0',
  rules: rules.rules.map((r) => ({ id: r.id, family: r.family, description: r.description, severity: r.severity })),
};

function golden(name: string, actual: string): void {
  const file = join(import.meta.dirname, 'golden', name);
  if (process.env.UPDATE_GOLDEN === '1' || !existsSync(file)) writeFileSync(file, actual);
  expect(actual).toBe(readFileSync(file, 'utf8'));
}

describe('reporters', () => {
  const r = result();

  it('produce the expected findings from the fixed lines', () => {
    expect(r.findings.map((f) => `${f.ruleId}${f.encoding ? `/${f.encoding}` : ''} ${f.path}:${f.line}`)).toEqual([
      'openclaw-env-var /home/op/.bash_history:3',
      'respond.exact-hunt/raw /home/op/.bash_history:3',
      'openclaw-device-token /home/op/.openclaw/devices/paired.json:4',
      'openclaw-config-token /home/op/.openclaw/openclaw.json.bak.1:12',
      'respond.exact-hunt/raw /home/op/.openclaw/openclaw.json.bak.1:12',
      'respond.exact-hunt/base64 /tmp/openclaw/openclaw-2026-11-23.log:40',
    ]);
  });

  for (const [format, file] of [['table', 'report.txt'], ['json', 'report.json'], ['sarif', 'report.sarif']] as const) {
    it(`${format} matches ${file} and never holds a secret`, () => {
      const out = REPORT_FORMATS[format]([r], meta);
      for (const s of [GW, DEVICE, Buffer.from(`op:${GW}`).toString('base64')]) expect(out.includes(s)).toBe(false);
      golden(file, out);
    });
  }

  it('SARIF validates against the 2.1.0 schema, and the validator does reject a broken document', () => {
    const doc = JSON.parse(REPORT_FORMATS.sarif([r], meta));
    expect(sarifErrors(doc)).toEqual([]);
    doc.runs[0].results[0].level = 'fatal';
    expect(sarifErrors(doc).length).toBeGreaterThan(0);
  });
});
