/**
 * `respond posture` output: a hosts x checks matrix (hosts with identical results grouped on one
 * row), then each failing check with its evidence and fix. No secret reaches here: checks keep
 * fingerprints only.
 */
import type { PostureRecordHost } from '../../lib/posture/history.js';
import type { CheckResult, CheckStatus } from '../../lib/posture/types.js';

const CELL: Record<CheckStatus, string> = { pass: 'ok', warn: 'WARN', fail: 'FAIL', unknown: '?' };

export function renderMatrix(hosts: readonly PostureRecordHost[], checkIds: readonly string[]): string {
  const groups = new Map<string, { names: string[]; cells: string[] }>();
  for (const h of hosts) {
    const byId = new Map(h.checks.map((c) => [c.id, c]));
    const cells = checkIds.map((id) => (byId.get(id) ? CELL[byId.get(id)!.status] : '-'));
    const key = cells.join('|');
    const g = groups.get(key) ?? { names: [], cells };
    g.names.push(h.host);
    groups.set(key, g);
  }
  const label = (names: string[]) => (names.length === 1 ? names[0]! : names.length <= 3 ? `${names.join(', ')} (${names.length})` : `${names.slice(0, 2).join(', ')} +${names.length - 2} more (${names.length})`);
  const rows = [...groups.values()].map((g) => [label(g.names), ...g.cells]);
  const header = ['host', ...checkIds];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cols: string[]) => cols.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

function evidenceLine(c: CheckResult): string {
  const text = JSON.stringify(c.evidence);
  return text.length > 300 ? `${text.slice(0, 297)}...` : text;
}

/** Each failure once, with every host it fails on alike (same summary and fix): a fleet's common gaps read as one. */
export function renderFailures(hosts: readonly PostureRecordHost[]): string {
  const groups = new Map<string, { hosts: string[]; c: CheckResult }>();
  for (const h of hosts) {
    for (const c of h.checks.filter((x) => x.status === 'fail')) {
      const key = JSON.stringify([c.id, c.summary, c.fix ?? null]);
      const g = groups.get(key) ?? { hosts: [], c };
      g.hosts.push(h.host);
      groups.set(key, g);
    }
  }
  const out: string[] = [];
  for (const { hosts: names, c } of groups.values()) {
    out.push(`${names.join(', ')}  ${c.id}: ${c.summary}`);
    out.push(`    evidence${names.length > 1 ? ` (${names[0]})` : ''}: ${evidenceLine(c)}`);
    if (c.fix) {
      out.push(`    fix${c.fix.runbook ? ` (${c.fix.runbook}${c.fix.step ? `/${c.fix.step}` : ''})` : ''}: ${c.fix.text}`);
      for (const cmd of c.fix.commands ?? []) out.push(`      ${cmd}`);
    }
  }
  return out.join('\n');
}

export function renderUnknowns(hosts: readonly PostureRecordHost[]): string {
  return hosts
    .flatMap((h) => h.checks.filter((c) => c.status === 'unknown').map((c) => `${h.host}  ${c.id}: ${c.summary}`))
    .join('\n');
}
