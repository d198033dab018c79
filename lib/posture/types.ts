/**
 * The posture contract: what a check reads (one probe script per host, plus what respond already
 * knows about the host's gateway and its own records) and what it returns. Pure: imported by the
 * workflow sandbox, the worker and the CLI alike. Each check is one module in lib/posture/checks/.
 */
import type { ManagerRef } from '../../activities/openclaw/gateway/types.js';

export const CHECK_STATUSES = ['pass', 'warn', 'fail', 'unknown'] as const;
export type CheckStatus = (typeof CHECK_STATUSES)[number];

/** What fixes a failure: a runbook (and its step) respond runs, or what a person applies. */
export interface Fix {
  /** e.g. `upgrade`, `rotate`, `harden`; absent when only a person can fix it. */
  runbook?: string;
  step?: string;
  /** Exact commands or config a person applies (firewall, proxy, container changes). */
  commands?: string[];
  text: string;
}

export interface CheckResult {
  id: string;
  status: CheckStatus;
  /** One line for the matrix and the failure list; for `unknown`, the reason it cannot be decided. */
  summary: string;
  /** What the check saw. Never a secret value: fingerprints, paths, ports, names. */
  evidence: Record<string, unknown>;
  fix?: Fix;
}

/** One probe's raw output on the host (stdout and stderr merged, secrets already scrubbed). */
export interface ProbeOutput {
  code: number;
  out: string;
}
export type ProbeSections = Record<string, ProbeOutput | undefined>;

/** What respond knows of the host's gateway before the probes run (from `openclaw` facts). */
export interface PostureGateway {
  /** Installed OpenClaw version, null when not installed. */
  version: string | null;
  /** The installed package's directory (its docs tell which settings the release has). */
  packageDir: string | null;
  stateDir: string;
  configPath: string;
  /** The host's OpenClaw config with every secret replaced by a fingerprint; null when unreadable. */
  config: unknown | null;
  port: number;
  /** Configured bind (`loopback`, `lan`, `0.0.0.0`, ...). */
  bind: string;
  /** Addresses the gateway's port is really bound to, from the host's sockets. */
  listening: string[];
  live: boolean;
  pid: number | null;
  user: string | null;
  authMode: string;
  manager: ManagerRef;
  /** The home the gateway runs with (its state and workspaces live under it). */
  home: string;
}

/**
 * Environment every probe snippet gets: RESPOND_GW_PORT, RESPOND_GW_PID (empty when down),
 * RESPOND_STATE_DIR, RESPOND_CONFIG, RESPOND_HOME, RESPOND_PKG_DIR (empty when not installed).
 */
export interface PostureCheck {
  id: string;
  /** What it reads on a host, for help text and the closing docs. */
  reads: string;
  /** Named shell snippets (`sh`), run on the host in one script with every other check's. */
  probes: Record<string, string>;
  evaluate(input: PostureInput): CheckResult;
}

export interface PostureInput {
  host: string;
  gateway: PostureGateway;
  probe: ProbeSections;
  /** Filled by the worker from respond's own state; see lib/posture/records.ts. */
  records: PostureRecords;
  settings: PostureSettings;
}

export interface PostureRecords {
  /** Newest respond snapshot of this host's memory files (ISO time), null when none. */
  lastSnapshot: string | null;
  /** Credentials respond rotated for this host: name, last rotation time. */
  credentials: Array<{ name: string; provider: string; rotatedAt: string | null; createdAt: string | null }>;
  /** sha256 fingerprints of values respond's sweeps found leaked on this host. */
  leakedFingerprints: string[];
  /** The configured shared secret, judged on the worker; the value itself never leaves it. */
  authSecret: { present: boolean; fingerprint: string | null; length: number; distinct: number; placeholder: boolean; changedAt: string | null };
  /** The live gateway token's fingerprint and where an exact hunt found it outside its config. */
  tokenHunt: { fingerprint: string | null; locations: string[]; error?: string };
  /** OpenClaw's own findings (`security audit --json`, `doctor --lint --json` where present); null when not run. */
  openclawFindings: { source: string; checkId: string; severity: string; title: string }[] | null;
  openclawErrors: string[];
  /** Installed skills with the sha256 of their directory and whether the allowlist admits them. */
  skills: Array<{ name: string; dir: string; sha256: string; allowed: boolean; blocked: string | null }> | null;
  skillsError?: string;
}

export interface PostureSettings {
  minimumVersion: string;
  snapshotMaxAgeHours: number;
  credentialMaxAgeDays: number;
  /** host:port or CIDR:port patterns the gateway may connect to; `*` matches any port. */
  egressAllowlist: string[];
  /** Inbound TCP ports a host's firewall may leave open. */
  allowedInboundPorts: number[];
  now: string;
}

export function result(id: string, status: CheckStatus, summary: string, evidence: Record<string, unknown> = {}, fix?: Fix): CheckResult {
  return fix ? { id, status, summary, evidence, fix } : { id, status, summary, evidence };
}
