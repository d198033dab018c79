/**
 * `openclaw secrets audit --check --json` (2026.9.x), the check OpenClaw's own secrets guide
 * closes a migration with: exit 0 clean, 1 plaintext findings, 2 refs that do not resolve.
 * Counts by code and where, never a value (the report holds none).
 */
import { parseAuditReport } from '../../lib/sweep/openclaw/secrets-audit.js';
import { runOpenclaw, type OpenclawHost } from './host.js';

export interface SecretsCheck {
  /** `clean`, `findings`, `unresolved`, or `unavailable` when this release has no such command. */
  status: string;
  exitCode?: number;
  residues?: number;
  /** `file jsonPath` of each residue (the first few). */
  where?: string[];
  note?: string;
}

export async function secretsAuditCheck(h: OpenclawHost): Promise<SecretsCheck> {
  if (!h.pkg) return { status: 'unavailable', note: 'OpenClaw is not installed' };
  const r = await runOpenclaw(h, ['secrets', 'audit', '--check', '--json'], { timeoutMs: 180_000, heartbeat: true });
  const report = parseAuditReport(r.stdout);
  if (!report) return { status: 'unavailable', exitCode: r.exitCode, note: `openclaw ${h.pkg.version} has no secrets audit report` };
  return {
    status: report.status,
    exitCode: r.exitCode,
    residues: report.residues.length,
    where: report.residues.slice(0, 20).map((x) => `${x.file} ${x.jsonPath}`),
  };
}
