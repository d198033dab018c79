/** The terminal report: one row per finding, then what was skipped and why, then a verdict. */
import type { Reporter } from './reporter.js';

const COLUMNS = ['SEVERITY', 'RULE', 'LOCATION', 'SECRET', 'FINGERPRINT', 'ID'] as const;

export const tableReport: Reporter = (results) => {
  const rows: string[][] = [];
  for (const r of results) {
    for (const f of r.findings) {
      const where = `${r.host === 'local' ? '' : `${r.host}:`}${f.path}:${f.line}:${f.column}`;
      const rule = f.huntRef ? `${f.ruleId} ${f.huntRef} (${f.encoding})` : f.ruleId;
      rows.push([f.severity, rule, where, f.preview, f.fingerprint, f.id]);
    }
  }
  const out: string[] = [];
  if (rows.length > 0) {
    const widths = COLUMNS.map((c, i) => Math.max(c.length, ...rows.map((row) => row[i]!.length)));
    const fmt = (row: readonly string[]) => row.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd();
    out.push(fmt(COLUMNS), ...rows.map(fmt));
  }
  for (const r of results) {
    const host = r.host === 'local' ? '' : `${r.host}: `;
    for (const m of r.missingRoots) out.push(`${host}not found: ${m}`);
    for (const s of r.skipped) {
      const size = s.size !== undefined ? ` (${s.size} bytes)` : '';
      out.push(`${host}skipped ${s.reason}: ${s.path}${size}${s.detail ? ` — ${s.detail}` : ''}`);
    }
    for (const w of r.warnings) out.push(`${host}warning: ${w}`);
    if (r.surface) {
      const from = r.surface.source === 'host' ? `the installed OpenClaw ${r.surface.version}` : `respond's pinned copy (${r.surface.version})`;
      out.push(`${host}config files read by ${r.surface.paths} credential paths from ${from}`);
    }
    const a = r.openclawAudit;
    if (a?.ran) out.push(`${host}openclaw secrets audit: ${a.residues} residue(s), ${a.covered} already found, ${a.added} added${a.unread ? `, ${a.unread} unreadable` : ''}`);
    else if (a?.note) out.push(`${host}openclaw secrets audit: not merged: ${a.note}`);
  }
  const total = results.reduce((n, r) => n + r.findings.length, 0);
  const suppressed = results.reduce((n, r) => n + r.suppressed.length, 0);
  const skipped = results.reduce((n, r) => n + r.skipped.length, 0);
  const bytes = results.reduce((n, r) => n + r.stats.bytesSearched, 0);
  const files = results.reduce((n, r) => n + r.stats.filesSearched, 0);
  out.push(
    `${total === 0 ? 'no secrets found' : `${total} finding${total === 1 ? '' : 's'}`}` +
      ` in ${files} files (${bytes} bytes); ${suppressed} suppressed by baseline; ${skipped} skipped`,
  );
  return `${out.join('\n')}\n`;
};
