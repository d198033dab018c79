/**
 * Merging OpenClaw's `secrets audit` into a sweep: each residue it reports is either already a
 * finding (the same file and JSON path from the config pass, or the same value found by a content
 * rule in that file) or becomes one, read from the file at that path. A residue
 * respond reads as a placeholder is still reported, at low severity: never less than the audit.
 */
import type { Detection, Detector, LineHit } from '../../lib/sweep/detector.js';
import { locateValue } from '../../lib/sweep/openclaw/config-secrets.js';
import { valueAt, type AuditResidue } from '../../lib/sweep/openclaw/secrets-audit.js';
import type { SweepTransport } from './transport.js';

import { AUDIT_RULE_ID } from '../../lib/sweep/openclaw/rule-ids.js';

export interface AuditMergeStats {
  residues: number;
  /** Already found by respond's own passes. */
  covered: number;
  /** Added as findings from the audit. */
  added: number;
  /** Named by the audit but not readable here (a whole legacy file, a value gone since). */
  unread: number;
}

export async function mergeAudit(
  t: SweepTransport,
  residues: readonly AuditResidue[],
  located: ReadonlySet<string>,
  found: ReadonlyMap<LineHit, Detection[]>,
  detector: Detector,
): Promise<{ hits: Map<LineHit, Detection[]>; stats: AuditMergeStats; warnings: string[] }> {
  const stats: AuditMergeStats = { residues: residues.length, covered: 0, added: 0, unread: 0 };
  const hits = new Map<LineHit, Detection[]>();
  const warnings: string[] = [];
  const texts = new Map<string, string | null>();
  for (const r of residues) {
    if (located.has(`${r.file}\0${r.jsonPath}`)) {
      stats.covered++;
      continue;
    }
    if (!texts.has(r.file)) texts.set(r.file, await t.readFile(r.file).catch(() => null));
    const text = texts.get(r.file) ?? null;
    const value = text === null ? undefined : valueAt(text, r.jsonPath);
    if (alreadyFound(r.file, value, found)) {
      stats.covered++;
      continue;
    }
    const place = value === undefined ? undefined : locateValue(text!, value);
    if (value === undefined || !place) {
      stats.unread++;
      warnings.push(`${t.host}: OpenClaw's secrets audit reports ${r.code} at ${r.file} ${r.jsonPath}; respond could not read a value there`);
      continue;
    }
    const placeholder = detector.isPlaceholder(value);
    const hit: LineHit = { path: r.file, line: place.line, text: place.lineText };
    hits.set(hit, [
      {
        ruleId: AUDIT_RULE_ID,
        family: 'openclaw',
        severity: placeholder ? 'low' : 'high',
        description: `OpenClaw's secrets audit: ${r.message}${placeholder ? ' (respond reads the value as a placeholder)' : ''}`,
        path: r.file,
        line: place.line,
        index: place.index,
        length: place.length,
        secret: value,
      },
    ]);
    stats.added++;
  }
  return { hits, stats, warnings };
}

/** The same value already found in that file by a content rule; for a whole-file residue, any finding there. */
function alreadyFound(file: string, value: string | undefined, found: ReadonlyMap<LineHit, Detection[]>): boolean {
  for (const [hit, ds] of found) {
    if (hit.path !== file) continue;
    if (value === undefined ? ds.length > 0 : ds.some((d) => d.secret === value)) return true;
  }
  return false;
}
