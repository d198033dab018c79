/**
 * One host's posture: open it once (one transport; over SSH one ControlMaster handshake carries
 * everything), gather the gateway facts respond already knows how to read, run every check's
 * probe snippets in one script, add what only the worker knows (its rotation records, snapshots,
 * the exact token hunt, the skills allowlist), then evaluate each check. Read-only.
 */
import { getPath } from '../openclaw/config.js';
import { collectFacts, securityAudit } from '../openclaw/facts.js';
import { hostToken, huntPaths, openOpenclawHost, runOpenclaw, type OpenclawHost } from '../openclaw/host.js';
import { createTransport } from '../hosts/transports/index.js';
import { quarantineBaseOn, type QuarantineSettings } from '../hosts/quarantine-base.js';
import { runSweep } from '../sweep/engine.js';
import { fromHostTransport } from '../sweep/transport.js';
import { readInstalledSkills } from '../skills/host-skills.js';
import { skillsHostOf } from '../skills/skills-host.js';
import { BackupRepo, type BackupRepoSettings } from '../memory/backup-repo.js';
import { RotationVault, rotationDir, viewOf } from '../rotation/vault.js';
import type { HostSpec } from '../../lib/inventory/schema.js';
import { selectChecks } from '../../lib/posture/checks/index.js';
import { effectiveSettings, loadPostureSettings } from '../../lib/posture/settings.js';
import type { CheckResult, PostureGateway, PostureInput, PostureRecords, ProbeSections } from '../../lib/posture/types.js';
import { result } from '../../lib/posture/types.js';
import { fingerprint } from '../../lib/secrets.js';
import { classifySkill, loadAllowlist } from '../../lib/skills/allowlist.js';
import { runProbes } from './probe.js';

export interface PostureHostInput {
  host: HostSpec;
  /** Posture settings file on the worker; empty for the defaults. */
  settings?: string;
  /** Overrides the settings' skillsAllowlist. */
  allowlist?: string;
  skip?: string[];
}

export interface PostureHostResult {
  host: string;
  version: string | null;
  checks: CheckResult[];
  durationMs: number;
}

export interface PostureDeps {
  stateDir: string;
  backup: BackupRepoSettings;
  quarantine: QuarantineSettings;
}

const PLACEHOLDER = /^(change[-_]?me|changeme|placeholder|example|secret|password|token|test|default|replace[-_]?me|your[-_].*|x+|<.*>|\$\{.*\})$/i;

export async function postureHost(input: PostureHostInput, deps: PostureDeps): Promise<PostureHostResult> {
  const started = Date.now();
  const file = loadPostureSettings(input.settings || undefined);
  const settings = effectiveSettings(file, new Date());
  const checks = selectChecks(input.skip ?? []);
  const allowlistPath = input.allowlist || file.skillsAllowlist;
  // Loaded before the host is touched: a bad allowlist fails the run, not one check.
  const allowlist = allowlistPath ? loadAllowlist(allowlistPath) : undefined;
  const t = createTransport(input.host);
  try {
    const h = await openOpenclawHost(input.host, t);
    const facts = await collectFacts(h, { audit: false });
    const gateway: PostureGateway = {
      version: facts.openclaw.version,
      packageDir: h.pkg?.dir ?? null,
      stateDir: h.stateDir,
      configPath: h.configPath,
      config: facts.config,
      port: facts.gateway.port,
      bind: facts.gateway.bind,
      listening: facts.gateway.listening,
      live: facts.gateway.live,
      pid: facts.gateway.process?.pid ?? null,
      user: facts.gateway.process?.user ?? null,
      authMode: facts.gateway.authMode,
      manager: facts.gateway.manager,
      home: h.home,
    };
    const probes = Object.assign({ 'config.ctime': 'stat -c %Z "$RESPOND_CONFIG"' }, ...checks.map((c) => c.probes)) as Record<string, string>;
    const probe = await runProbes(t, probes, { gatewayPort: gateway.port, gatewayPid: gateway.pid, stateDir: gateway.stateDir, configPath: gateway.configPath, home: gateway.home, packageDir: gateway.packageDir });
    const ids = new Set(checks.map((c) => c.id));
    const records = await gatherRecords(h, input.host, probe, deps, { tokenHunt: ids.has('token-leaks'), skills: ids.has('skills') ? allowlist : undefined, openclaw: ids.has('openclaw-audit') });
    const pi: PostureInput = { host: input.host.name, gateway, probe, records, settings };
    return {
      host: input.host.name,
      version: gateway.version,
      checks: checks.map((c) => {
        try {
          return c.evaluate(pi);
        } catch (e) {
          return result(c.id, 'unknown', `check failed: ${t.redact((e as Error).message).split('\n')[0]}`);
        }
      }),
      durationMs: Date.now() - started,
    };
  } finally {
    await t.close();
  }
}

async function gatherRecords(
  h: OpenclawHost,
  spec: HostSpec,
  probe: ProbeSections,
  deps: PostureDeps,
  want: { tokenHunt: boolean; skills: ReturnType<typeof loadAllowlist> | undefined; openclaw: boolean },
): Promise<PostureRecords> {
  const mode = getPath(h.rawConfig, ['gateway', 'auth', 'mode']);
  const password = getPath(h.rawConfig, ['gateway', 'auth', 'password']);
  const secret = mode === 'password' ? (typeof password === 'string' && !password.startsWith('${') ? password : undefined) : hostToken(h);
  if (secret) h.t.addSecrets([secret]);
  const ctime = Number(probe['config.ctime']?.out.trim());
  const changedAt = Number.isFinite(ctime) && ctime > 0 ? new Date(ctime * 1000).toISOString() : null;

  const rotations = new RotationVault(rotationDir(deps.stateDir)).all().map(viewOf).filter((r) => r.host === spec.name || r.consumers?.[spec.name] !== undefined);
  const lastOf = (credential: string) => rotations.filter((r) => r.credential === credential && r.times.promoted).sort((a, b) => a.times.promoted!.localeCompare(b.times.promoted!)).at(-1);
  const credentials = ['gateway', ...Object.keys(spec.credentials ?? {})].map((name) => {
    const last = lastOf(name);
    return {
      name,
      provider: name === 'gateway' ? 'openclaw-gateway' : (spec.credentials?.[name]?.provider ?? 'unknown'),
      rotatedAt: last?.times.promoted ?? null,
      // Only the gateway token lives in the config file whose change time is its best-known age.
      createdAt: name === 'gateway' ? changedAt : null,
    };
  });

  const records: PostureRecords = {
    lastSnapshot: await lastSnapshot(deps.backup, spec.name),
    credentials,
    leakedFingerprints: [...new Set(rotations.map((r) => r.fingerprints.old).filter((f): f is string => Boolean(f)))],
    authSecret: {
      present: Boolean(secret),
      fingerprint: secret ? fingerprint(secret) : null,
      length: secret?.length ?? 0,
      distinct: secret ? new Set(secret).size : 0,
      placeholder: secret ? PLACEHOLDER.test(secret) : false,
      changedAt,
    },
    tokenHunt: { fingerprint: null, locations: [] },
    openclawFindings: null,
    openclawErrors: [],
    skills: null,
  };

  const token = hostToken(h);
  if (want.tokenHunt && token) {
    records.tokenHunt.fingerprint = fingerprint(token);
    try {
      const st = fromHostTransport(h.t, spec.name, spec.transport.type === 'local');
      const found = await runSweep(st, { extraPaths: [h.stateDir, h.configPath, ...huntPaths(h)], rules: { rules: [], allowlists: [], warnings: [] }, hunts: [{ ref: 'gateway-token', value: token }], surface: false, timeoutMs: 300_000 });
      const quarantine = `${(await quarantineBaseOn(h.t, spec.transport.type === 'local', deps.quarantine, spec.name)).replace(/\/+$/, '')}/`;
      records.tokenHunt.locations = [...new Set(found.findings.map((f) => f.path))].filter((p) => p !== h.configPath && !p.startsWith(quarantine)).sort();
    } catch (e) {
      records.tokenHunt.error = `token hunt failed: ${h.t.redact((e as Error).message).split('\n')[0]}`;
    }
  }

  if (want.skills) {
    try {
      const sh = await skillsHostOf(h);
      const installed = await readInstalledSkills(h.t, sh.roots);
      records.skills = installed.map((s) => {
        const c = classifySkill({ name: s.name, version: s.version, sha256: s.sha256 }, want.skills!);
        return { name: s.name, dir: s.dir, sha256: s.sha256, allowed: c.status === 'allowed', blocked: c.status === 'blocked' ? c.reason : null };
      });
    } catch (e) {
      records.skillsError = `skills not readable: ${h.t.redact((e as Error).message).split('\n')[0]}`;
    }
  }

  if (want.openclaw && h.pkg) {
    const audit = await securityAudit(h);
    const findings = audit.findings.map((f) => ({ source: 'security-audit', checkId: f.checkId, severity: f.severity, title: f.title }));
    if (audit.error) records.openclawErrors.push(audit.error);
    findings.push(...(await doctorLint(h, records.openclawErrors)));
    records.openclawFindings = audit.error && findings.length === 0 ? null : findings;
  } else if (want.openclaw) {
    records.openclawErrors.push('openclaw is not installed');
  }
  return records;
}

/** `openclaw doctor --lint --json` where the release has it (2026.9.x); older ones refuse the flag. */
async function doctorLint(h: OpenclawHost, errors: string[]): Promise<Array<{ source: string; checkId: string; severity: string; title: string }>> {
  const r = await runOpenclaw(h, ['doctor', '--lint', '--json'], { timeoutMs: 180_000, heartbeat: true });
  const start = r.stdout.indexOf('{');
  if (start < 0) {
    if (!/unknown option|--lint/i.test(`${r.stdout}${r.stderr}`)) errors.push(`doctor --lint gave no JSON (exit ${r.exitCode})`);
    return [];
  }
  try {
    const parsed = JSON.parse(r.stdout.slice(start)) as { findings?: Array<{ checkId?: string; severity?: string; message?: string; path?: string }> };
    return (parsed.findings ?? []).map((f) => ({ source: 'doctor-lint', checkId: `${f.checkId ?? 'unknown'}${f.path ? `:${f.path}` : ''}`, severity: f.severity ?? 'info', title: h.t.redact(f.message ?? '') }));
  } catch (e) {
    errors.push(`doctor --lint output is not JSON: ${(e as Error).message}`);
    return [];
  }
}

async function lastSnapshot(settings: BackupRepoSettings, host: string): Promise<string | null> {
  try {
    const repo = await BackupRepo.open({ path: settings.path }, { create: false });
    return (await repo.lastCommitFor(host))?.at ?? null;
  } catch {
    // No repository yet: no snapshot of anything.
    return null;
  }
}
