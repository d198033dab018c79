/**
 * `credential-age`: every credential of the host younger than the maximum age. respond's own
 * rotation records decide; one respond never rotated is `warn` with its best known age.
 */
import { result, type PostureCheck } from '../types.js';

export const credentialAgeCheck: PostureCheck = {
  id: 'credential-age',
  reads: "respond's rotation records for the host's credentials (respond credentials), else the config file's change time for the gateway token",
  probes: {},
  evaluate({ host, records, settings }) {
    const maxDays = settings.credentialMaxAgeDays;
    const now = Date.parse(settings.now);
    const rows = records.credentials.map((c) => {
      const since = c.rotatedAt ?? c.createdAt;
      const ageDays = since ? Math.floor((now - Date.parse(since)) / 86_400_000) : null;
      return { name: c.name, provider: c.provider, ageDays, since, from: c.rotatedAt ? 'rotation-record' : c.createdAt ? 'file-ctime' : 'unknown' };
    });
    const evidence = { maxAgeDays: maxDays, credentials: rows };
    const fix = { runbook: 'rotate', text: `respond start rotate --inventory F --hosts ${host} (or schedule a drill: respond drill schedule rotate --every quarter)` };
    if (rows.length === 0) return result('credential-age', 'unknown', 'no credentials known for this host', evidence);
    const old = rows.filter((r) => r.ageDays !== null && r.ageDays > maxDays && r.from === 'rotation-record');
    if (old.length) return result('credential-age', 'fail', old.map((r) => `${r.name} ${r.ageDays} d old`).join(', ') + ` (max ${maxDays} d)`, evidence, fix);
    const never = rows.filter((r) => r.from !== 'rotation-record');
    if (never.length) {
      const over = never.filter((r) => r.ageDays !== null && r.ageDays > maxDays);
      return result('credential-age', over.length ? 'fail' : 'warn', never.map((r) => `${r.name} never rotated by respond${r.ageDays !== null ? ` (${r.ageDays} d since its file changed)` : ''}`).join(', '), evidence, fix);
    }
    return result('credential-age', 'pass', rows.map((r) => `${r.name} ${r.ageDays} d`).join(', '), evidence);
  },
};
