/**
 * What respond knows about an OpenClaw host, as plain data safe for history: versions, paths,
 * config with every secret as a fingerprint, gateway settings and liveness, token verdict,
 * and the product's own security audit.
 */
import { fingerprint } from '../../lib/secrets.js';
import { redactConfig } from './config.js';
import { gatewayProcess, probeHostGateway } from './gateway-process.js';
import { discoverGateway } from './gateway/discover.js';
import type { GatewayDiscovery, ManagerRef } from './gateway/types.js';
import type { TokenVerdict } from './gateway-probe.js';
import { gatewaySettings, hostToken, runOpenclaw, type OpenclawHost, type PackageName } from './host.js';
import type { StateDirSource } from './paths.js';

export interface AuditFinding {
  checkId: string;
  severity: string;
  title: string;
  detail?: string;
  remediation?: string;
}

export interface HostFacts {
  host: string;
  transport: string;
  openclaw: { package: PackageName | null; version: string | null; legacy: boolean; dir: string | null };
  node: { path: string; version: string | null };
  stateDir: string;
  stateDirSource: StateDirSource;
  /** `gateway-process` when the running gateway's own HOME and variables decided the paths. */
  pathsFrom: OpenclawHost['pathsFrom'];
  configPath: string;
  config: unknown | null;
  gateway: {
    bind: string;
    configPort: number;
    port: number;
    authMode: string;
    tokenFingerprint: string | null;
    live: boolean;
    managedPid: number | null;
    protocol?: number;
    token: { fingerprint: string | null; verdict: TokenVerdict; detail?: string };
    /** Who serves the port and how it is run (see gateway/discover.ts). */
    manager: ManagerRef;
    /** Addresses the port is really bound to, from the host's sockets. */
    listening: string[];
    liveBind: GatewayDiscovery['bind'];
    process: GatewayProcessFacts | null;
    /** HOME, state dir and config path as the gateway process sees them. */
    seen: GatewayDiscovery['seen'];
  };
  audit: { summary?: Record<string, number>; findings: AuditFinding[]; error?: string };
}

export interface GatewayProcessFacts {
  pid: number;
  user: string | null;
  exe: string | null;
  cwd: string | null;
  /** Redacted; a retitled process shows only its title. */
  argv: string[];
  /** Names only: values never leave the host. */
  envKeys: string[] | null;
  /** The socket's owner up to the gateway, then its ancestors: pid and name only. */
  parents: Array<{ pid: number; comm: string }>;
}

export interface FactsOptions {
  /** Token to check instead of the host's own (e.g. a candidate after rotation). Never returned. */
  token?: string;
  audit?: boolean;
}

export async function collectFacts(h: OpenclawHost, opts: FactsOptions = {}): Promise<HostFacts> {
  const configured = hostToken(h);
  const token = opts.token ?? configured;
  if (token) h.t.addSecrets([token]);

  const settings = gatewaySettings(h);
  const probe = await probeHostGateway(h, token);
  const managed = await gatewayProcess(h);
  const d = await discoverGateway(h);
  const audit = opts.audit === false ? { findings: [] } : await securityAudit(h);

  return {
    host: h.spec.name,
    transport: h.t.description,
    openclaw: {
      package: h.pkg?.name ?? null,
      version: h.pkg?.version ?? null,
      legacy: h.pkg ? h.pkg.name !== 'openclaw' : false,
      dir: h.pkg?.dir ?? null,
    },
    node: { path: h.spec.node, version: h.nodeVersion },
    stateDir: h.stateDir,
    stateDirSource: h.stateDirSource,
    pathsFrom: h.pathsFrom,
    configPath: h.configPath,
    config: h.rawConfig === null ? null : redactConfig(h.rawConfig).config,
    gateway: {
      bind: settings.bind,
      configPort: settings.port,
      port: h.spec.gatewayPort,
      authMode: settings.authMode,
      tokenFingerprint: configured ? fingerprint(configured) : null,
      live: probe.live,
      managedPid: managed.pid,
      manager: d.manager,
      listening: d.listening.map((l) => l.address),
      liveBind: d.bind,
      process: d.gateway
        ? {
            pid: d.gateway.pid,
            user: d.gateway.user,
            exe: d.gateway.exe,
            cwd: d.gateway.cwd,
            argv: d.gateway.argv,
            envKeys: d.gateway.envKeys,
            parents: d.chain.slice(d.chain.indexOf(d.gateway) + 1).map((p) => ({ pid: p.pid, comm: p.comm })),
          }
        : null,
      seen: d.seen,
      ...(probe.protocol !== undefined ? { protocol: probe.protocol } : {}),
      token: {
        fingerprint: token ? fingerprint(token) : null,
        verdict: probe.token,
        ...(probe.detail ? { detail: h.t.redact(probe.detail) } : {}),
      },
    },
    audit,
  };
}

export async function securityAudit(h: OpenclawHost): Promise<HostFacts['audit']> {
  if (!h.pkg) return { findings: [], error: 'OpenClaw is not installed' };
  const r = await runOpenclaw(h, ['security', 'audit', '--json'], { timeoutMs: 180_000, heartbeat: true });
  const start = r.stdout.indexOf('{');
  if (start < 0) return { findings: [], error: `security audit gave no JSON (exit ${r.exitCode}): ${r.stderr.trim().slice(-200)}` };
  try {
    const parsed = JSON.parse(r.stdout.slice(start)) as { summary?: Record<string, number>; findings?: AuditFinding[] };
    return {
      summary: parsed.summary,
      findings: (parsed.findings ?? []).map((f) => ({
        checkId: f.checkId,
        severity: f.severity,
        title: f.title,
        ...(f.detail ? { detail: f.detail } : {}),
        ...(f.remediation ? { remediation: f.remediation } : {}),
      })),
    };
  } catch (e) {
    return { findings: [], error: `security audit output is not JSON: ${(e as Error).message}` };
  }
}
