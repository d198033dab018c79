/**
 * A posture run as kept in respond's state (`<state dir>/posture/<run id>.json`), and the drift
 * between two of them: per host and check, what newly fails, what was fixed, what else changed.
 * Pure.
 */
import type { CheckResult, CheckStatus } from './types.js';

export interface PostureRecordHost {
  host: string;
  version: string | null;
  checks: CheckResult[];
}

export interface PostureRecord {
  id: string;
  at: string;
  hosts: PostureRecordHost[];
  /** Hosts the run could not check (unreachable, not OpenClaw), with why. */
  failedHosts: Array<{ host: string; reason: string }>;
}

export interface DriftEntry {
  host: string;
  check: string;
  from: CheckStatus | 'absent';
  to: CheckStatus | 'absent';
  summary: string;
}

export interface Drift {
  from: string | null;
  to: string;
  newlyFailing: DriftEntry[];
  fixed: DriftEntry[];
  changed: DriftEntry[];
  hostsAdded: string[];
  hostsGone: string[];
}

export function postureDrift(prev: PostureRecord | null, cur: PostureRecord): Drift {
  const drift: Drift = { from: prev?.id ?? null, to: cur.id, newlyFailing: [], fixed: [], changed: [], hostsAdded: [], hostsGone: [] };
  if (!prev) return drift;
  const before = new Map(prev.hosts.map((h) => [h.host, new Map(h.checks.map((c) => [c.id, c]))]));
  const now = new Set(cur.hosts.map((h) => h.host));
  for (const h of cur.hosts) {
    const old = before.get(h.host);
    if (!old) {
      drift.hostsAdded.push(h.host);
      continue;
    }
    for (const c of h.checks) {
      const from = old.get(c.id)?.status ?? 'absent';
      if (from === c.status) continue;
      const e: DriftEntry = { host: h.host, check: c.id, from, to: c.status, summary: c.summary };
      if (c.status === 'fail') drift.newlyFailing.push(e);
      else if (from === 'fail') drift.fixed.push(e);
      else drift.changed.push(e);
    }
  }
  drift.hostsGone = prev.hosts.map((h) => h.host).filter((h) => !now.has(h));
  return drift;
}

export function driftLine(d: Drift): string {
  if (!d.from) return 'first posture run: nothing to compare with';
  const parts = [`${d.newlyFailing.length} newly failing`, `${d.fixed.length} fixed`, `${d.changed.length} other change(s)`];
  if (d.hostsAdded.length) parts.push(`${d.hostsAdded.length} host(s) new`);
  if (d.hostsGone.length) parts.push(`${d.hostsGone.length} host(s) gone`);
  return `since ${d.from}: ${parts.join(', ')}`;
}

export function renderDrift(d: Drift): string {
  const lines = [driftLine(d)];
  const row = (tag: string, e: DriftEntry) => `  ${tag} ${e.host}  ${e.check}: ${e.from} -> ${e.to}  ${e.summary}`;
  for (const e of d.newlyFailing) lines.push(row('FAIL ', e));
  for (const e of d.fixed) lines.push(row('FIXED', e));
  for (const e of d.changed) lines.push(row('     ', e));
  for (const h of d.hostsAdded) lines.push(`  new   ${h}`);
  for (const h of d.hostsGone) lines.push(`  gone  ${h}`);
  return lines.join('\n');
}

export function statusCounts(r: PostureRecord): Record<CheckStatus, number> {
  const out: Record<CheckStatus, number> = { pass: 0, warn: 0, fail: 0, unknown: 0 };
  for (const h of r.hosts) for (const c of h.checks) out[c.status]++;
  return out;
}
