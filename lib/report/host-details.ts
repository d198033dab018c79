/**
 * The incident report's per-host sections, read from each step's structured result (the host
 * workflow's `hostResults` query): findings by rule and location, the incident window's signals,
 * credentials rotated by fingerprint with their times, stale copies scrubbed, memory files
 * restored with diff stats, skills quarantined, and the final verification. Step results hold
 * fingerprints, paths and counts only; this keeps to those (no redacted previews either).
 */
import type { HostResults } from '../../workflows/definitions.js';

export interface HostDetails {
  findings: Array<{ step: string; total: number; byRule: Record<string, number>; locations: Array<{ rule: string; path: string; line?: number; fingerprint?: string }> }>;
  signals?: { counts: Array<{ id: string; count: number; first?: string; last?: string }>; ledger: string };
  credentials: Array<{ credential: string; provider?: string; old?: string; new?: string; state?: string; overlapMs?: number; times: Record<string, string> }>;
  stale?: { values: number; fields: string[]; filesScrubbed: number };
  memory?: { baseline?: string; restored: Array<{ target: string; kind: string; added: number; removed: number; tamper: number }>; commit?: string };
  skills?: { quarantined: string[]; dir?: string };
  verify?: { hunted: number; stillHeld: number; inDatabase: Array<{ what: string; fingerprint: string; paths: string[] }>; securityAudit?: Record<string, number>; critical: string[]; secretsAudit?: string };
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === 'object' ? (v as Obj) : {});
const arr = (v: unknown): Obj[] => (Array.isArray(v) ? v.map(obj) : []);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);

const LOCATIONS_PER_SWEEP = 50;

export function hostDetails(results: HostResults): HostDetails {
  const d: HostDetails = { findings: [], credentials: [] };
  const rotations = new Map<string, HostDetails['credentials'][number]>();
  let planned: NonNullable<HostDetails['memory']>['restored'] = [];
  let restore: Obj | undefined;
  for (const [step, { kind, result }] of Object.entries(results)) {
    if (kind === 'sweep') {
      const byRule = obj(result.byRule) as Record<string, number>;
      d.findings.push({
        step,
        total: num(result.findings) ?? 0,
        byRule,
        locations: arr(result.sample)
          .slice(0, LOCATIONS_PER_SWEEP)
          .map((f) => ({ rule: str(f.ruleId) ?? '?', path: str(f.path) ?? '?', ...(num(f.line) ? { line: num(f.line)! } : {}), ...(str(f.fingerprint) ? { fingerprint: str(f.fingerprint)! } : {}) })),
      });
    } else if (kind === 'evidence') {
      const ledger = obj(result.ledger);
      d.signals = {
        counts: arr(result.signals)
          .filter((x) => (num(x.count) ?? 0) > 0)
          .map((x) => ({ id: str(x.id) ?? '?', count: num(x.count)!, ...(str(x.first) ? { first: str(x.first)! } : {}), ...(str(x.last) ? { last: str(x.last)! } : {}) })),
        ledger: ledger.available ? `${num(ledger.entries) ?? 0} tool action(s) in the activity ledger` : `no activity ledger (${str(ledger.reason) ?? 'unavailable'})`,
      };
    } else if (kind === 'rotate') {
      const r = obj(result.rotation);
      const key = str(r.key);
      if (!key) continue;
      const fp = obj(r.fingerprints);
      rotations.set(key, {
        credential: str(r.credential) ?? '?',
        ...(str(r.provider) ? { provider: str(r.provider)! } : {}),
        ...(str(fp.old) ? { old: str(fp.old)! } : {}),
        ...(str(fp.new) ? { new: str(fp.new)! } : {}),
        ...(str(r.state) ? { state: str(r.state)! } : {}),
        ...(num(r.overlapMs) !== undefined ? { overlapMs: num(r.overlapMs)! } : {}),
        times: Object.fromEntries(Object.entries(obj(r.times)).filter(([, v]) => typeof v === 'string')) as Record<string, string>,
      });
    } else if (kind === 'scrub-stale') {
      const values = arr(result.values);
      d.stale = { values: values.length, fields: [...new Set(values.map((v) => str(v.field) ?? '?'))], filesScrubbed: arr(result.scrubbed).length };
    } else if (kind === 'memory-plan') {
      const plan = obj(result.plan);
      d.memory = { baseline: str(obj(plan.baseline).commit)?.slice(0, 12), restored: [] };
      planned = arr(plan.changes).map((c) => {
          const diff = str(c.diff) ?? '';
          const lines = diff.split('\n');
          return {
            target: str(c.target) ?? '?',
            kind: str(c.kind) ?? '?',
            added: lines.filter((l) => l.startsWith('+') && !l.startsWith('+++')).length,
            removed: lines.filter((l) => l.startsWith('-') && !l.startsWith('---')).length,
            tamper: arr(c.findings).length,
          };
        });
    } else if (kind === 'restore-memory') {
      restore = result;
    } else if (kind === 'quarantine-skills') {
      d.skills = { quarantined: arr(result.moved).map((m) => str(m.name) ?? '?'), ...(str(result.quarantineDir) ? { dir: str(result.quarantineDir)! } : {}) };
    } else if (kind === 'verify') {
      const sa = obj(result.securityAudit);
      d.verify = {
        hunted: arr(result.hunted).length,
        stillHeld: arr(result.stillHeld).length,
        inDatabase: arr(result.inDatabase).map((x) => ({ what: str(x.what) ?? '?', fingerprint: str(x.fingerprint) ?? '?', paths: (Array.isArray(x.paths) ? x.paths : []).filter((p): p is string => typeof p === 'string') })),
        ...(sa.summary ? { securityAudit: obj(sa.summary) as Record<string, number> } : {}),
        critical: arr(sa.critical).map((c) => `${str(c.checkId) ?? '?'}: ${str(c.title) ?? ''}`),
        ...(str(obj(result.secretsAudit).status) ? { secretsAudit: str(obj(result.secretsAudit).status)! } : {}),
      };
    }
  }
  d.credentials = [...rotations.values()];
  if (d.memory && restore) {
    // Only what was really restored is listed; the plan gave the diff stats.
    const restored = new Set(arr(restore.restored).map((x) => str(x.target)));
    d.memory.restored = planned.filter((x) => restored.has(x.target));
    if (str(restore.commit)) d.memory.commit = str(restore.commit)!.slice(0, 12);
  }
  return d;
}
