/**
 * The sweep and scrub activities, made by a factory over their dependencies (how to reach a
 * host, how to resolve a credential reference, where quarantines live). Inputs carry
 * references, never values; outputs carry fingerprints and previews, never values.
 */
import { loadConfig } from '../../lib/config.js';
import { asActivity } from '../hosts/failures.js';
import { heartbeatIfInActivity } from '../hosts/heartbeat.js';
import { resolveSecretRef } from '../secrets/refs.js';
import { loadBaseline } from '../../lib/sweep/baseline.js';
import { HUNT_RULE_ID } from '../../lib/sweep/detector.js';
import type { HuntTarget } from '../../lib/sweep/hunt.js';
import { loadRules } from '../../lib/sweep/rules/load.js';
import type { Finding, SweepResult } from '../../lib/sweep/types.js';
import { runSweep } from './engine.js';
import { checkRulesInRg } from './rg-check.js';
import { hostTransport, specTransport, type InventoryHost } from './hosts.js';
import type { HostSpec } from '../../lib/inventory/schema.js';
import { quarantineBaseOn, quarantineSettings } from '../hosts/quarantine-base.js';
import { runScrub, type ScrubResult } from './scrub.js';
import { staleCandidates, staleValues } from './stale-copies.js';
import { fingerprint } from '../../lib/secrets.js';
import { createTransport } from '../hosts/transports/index.js';
import { huntPaths, openOpenclawHost } from '../openclaw/host.js';
import { securityAudit } from '../openclaw/facts.js';
import { secretsAuditCheck, type SecretsCheck } from '../openclaw/secrets-check.js';
import { localTransport, type SweepTransport } from './transport.js';

export interface SweepActivityDeps {
  /** `undefined` or `local`: this worker's machine. */
  transportFor(host: string | HostSpec | undefined, inventory: string | undefined): Promise<InventoryHost>;
  resolveRef(ref: string): Promise<string>;
  /** Quarantine parent on this machine. */
  quarantineBase: string;
  /** Use `quarantineBase` on remote hosts too (RESPOND_QUARANTINE_DIR set). */
  quarantineBasePinned?: boolean;
}

export interface SweepHostInput {
  /** An inventory entry, or (runs from before the fleet model) a name in `inventory`; absent: this worker. */
  host?: string | HostSpec;
  /** Inventory file on the worker that defines `host`. */
  inventory?: string;
  roots?: string[];
  extraPaths?: string[];
  /** Runbook secret name -> reference (`env:NAME` / `file:PATH`) of each credential to hunt. */
  hunt?: Record<string, string>;
  ruleFiles?: string[];
  defaultRules?: boolean;
  baselineFile?: string;
  maxFileSize?: number;
  /** Merge the host's `openclaw secrets audit` (default: yes, when the sweep covers the default scope). */
  openclawAudit?: boolean;
  timeoutMs?: number;
}

/** What goes back into workflow history: counts and the first findings, all secret-free. */
export interface SweepHostOutput {
  host: string;
  findings: number;
  byRule: Record<string, number>;
  /** Files that still hold a hunted credential, by secret name. */
  huntHits: Record<string, string[]>;
  suppressed: number;
  /** The first skipped files (history stays small); `skippedTotal` counts them all. */
  skipped: SweepResult['skipped'];
  skippedTotal: number;
  missingRoots: string[];
  sample: Array<Pick<Finding, 'id' | 'ruleId' | 'severity' | 'path' | 'line' | 'fingerprint' | 'preview'>>;
  truncated: number;
  stats: SweepResult['stats'];
  surface?: SweepResult['surface'];
  openclawAudit?: SweepResult['openclawAudit'];
  warnings: string[];
}

export interface ScrubHostInput {
  host?: string | HostSpec;
  inventory?: string;
  roots?: string[];
  extraPaths?: string[];
  hunt: Record<string, string>;
  /** Names the quarantine dir; stable per step so a retry reuses it. */
  label: string;
  timeoutMs?: number;
  /** Absolute paths never rewritten: live files of consumers that still use the hunted value. */
  keep?: string[];
}

export interface StaleScrubInput {
  host: HostSpec;
  /** Names the quarantine dir; stable per step so a retry reuses it (and reads its originals). */
  label: string;
  timeoutMs?: number;
}

export interface StaleScrubResult {
  host: string;
  /** Each stale value, by where it was kept and its fingerprint. */
  values: Array<{ source: string; field: string; fingerprint: string }>;
  quarantineDir?: string;
  manifest?: string;
  scrubbed: Array<{ path: string; replacements: number; fingerprints: string[] }>;
  untouched: ScrubResult['untouched'];
}

export interface VerifyCleanInput {
  host: HostSpec;
  /** Rotations of this run on this host whose old value the vault still keeps for this hunt. */
  rotations: Array<{ key: string; credential: string }>;
  /** The manifest of the run's scrub-stale step: its quarantined originals name the stale values. */
  staleManifest?: string;
  timeoutMs?: number;
}

/** SQLite files and their journals: binary, owned by the running gateway, never rewritten by a scrub. */
function isDatabase(path: string): boolean {
  return /\.(sqlite|sqlite3|db)(-wal|-shm|-journal)?$/.test(path);
}

export interface VerifyCleanResult {
  host: string;
  /** Every old value hunted, by what it was and its fingerprint. */
  hunted: Array<{ what: string; fingerprint: string }>;
  /** Old values still found outside quarantine in text files (which a scrub can redact), with the files. */
  stillHeld: Array<{ what: string; fingerprint: string; paths: string[] }>;
  /**
   * Old values found only inside SQLite databases (2026.9.x keeps device tokens, revoked ones too,
   * in state/openclaw.sqlite): respond does not rewrite a live database; a person compacts it.
   */
  inDatabase: Array<{ what: string; fingerprint: string; paths: string[] }>;
  /** Old values respond no longer keeps (a rotation that finished earlier): not hunted. */
  unavailable: string[];
  securityAudit: { summary?: Record<string, number>; critical: Array<{ checkId: string; title: string }>; error?: string };
  secretsAudit: SecretsCheck;
}

const SAMPLE = 100;
const BEAT_MS = 5_000;


export function defaultSweepDeps(stateDir = loadConfig().stateDir): SweepActivityDeps {
  return {
    async transportFor(host, inventory) {
      if (host === undefined || host === 'local') return { transport: localTransport(), scopeHints: [] };
      if (typeof host === 'object') return specTransport(host);
      return hostTransport(host, inventory ?? process.env.RESPOND_INVENTORY);
    },
    resolveRef: (ref) => resolveSecretRef(ref),
    quarantineBase: quarantineSettings(stateDir).base,
    quarantineBasePinned: quarantineSettings(stateDir).pinned,
  };
}

export function createSweepActivities(deps: SweepActivityDeps) {
  /**
   * The worker's own quarantine dir when the host is this machine; on another host, the remote
   * user's state dir (the worker's path may not exist or be writable there), unless pinned.
   */
  function quarantineBaseFor(t: SweepTransport): Promise<string> {
    return quarantineBaseOn(t, Boolean(t.local), { base: deps.quarantineBase, pinned: Boolean(deps.quarantineBasePinned) }, t.host);
  }

  async function hunts(hunt: Record<string, string> | undefined): Promise<{ targets: HuntTarget[]; nameOf: Map<string, string> }> {
    const targets: HuntTarget[] = [];
    const nameOf = new Map<string, string>();
    for (const [name, ref] of Object.entries(hunt ?? {})) {
      targets.push({ ref, value: await deps.resolveRef(ref) });
      nameOf.set(ref, name);
    }
    return { targets, nameOf };
  }

  async function withHost<T>(
    where: { host?: string | HostSpec; inventory?: string },
    fn: (t: SweepTransport, hints: string[], openclaw: InventoryHost['openclaw']) => Promise<T>,
  ): Promise<T> {
    const { transport, scopeHints, openclaw } = await deps.transportFor(where.host, where.inventory);
    const beat = setInterval(() => heartbeatIfInActivity(), BEAT_MS);
    try {
      return await fn(transport, scopeHints, openclaw);
    } finally {
      clearInterval(beat);
      await transport.close?.();
    }
  }

  return {
    sweepHost: (input: SweepHostInput): Promise<SweepHostOutput> => asActivity(() => sweepHost(input)),
    scrubHost: (input: ScrubHostInput): Promise<ScrubResult> => asActivity(() => scrubHost(input)),
    scrubStaleCopies: (input: StaleScrubInput): Promise<StaleScrubResult> => asActivity(() => scrubStaleCopies(input)),
    verifyClean: (input: VerifyCleanInput): Promise<VerifyCleanResult> => asActivity(() => verifyClean(input)),
  };

  async function sweepHost(input: SweepHostInput): Promise<SweepHostOutput> {
    const { targets, nameOf } = await hunts(input.hunt);
    const rules = loadRules(input.ruleFiles ?? [], input.defaultRules ?? true);
    await checkRulesInRg(rules);
    const baseline = input.baselineFile ? loadBaseline(input.baselineFile) : undefined;
    const res = await withHost(input, (t, hints, openclaw) =>
      runSweep(t, {
        openclaw: { ...openclaw, ...(input.openclawAudit === false && { audit: false }) },
        roots: input.roots,
        extraPaths: [...(input.roots?.length ? [] : hints), ...(input.extraPaths ?? [])],
        rules,
        hunts: targets,
        baseline,
        maxFileSize: input.maxFileSize,
        timeoutMs: input.timeoutMs,
      }),
    );
    const byRule: Record<string, number> = {};
    const huntHits: Record<string, string[]> = {};
    for (const f of res.findings) {
      byRule[f.ruleId] = (byRule[f.ruleId] ?? 0) + 1;
      if (f.ruleId === HUNT_RULE_ID && f.huntRef) {
        const name = nameOf.get(f.huntRef) ?? f.huntRef;
        const list = (huntHits[name] ??= []);
        if (!list.includes(f.path)) list.push(f.path);
      }
    }
    return {
      host: res.host,
      findings: res.findings.length,
      byRule,
      huntHits,
      suppressed: res.suppressed.length,
      skipped: res.skipped.slice(0, SAMPLE),
      skippedTotal: res.skipped.length,
      missingRoots: res.missingRoots,
      sample: res.findings.slice(0, SAMPLE).map(({ id, ruleId, severity, path, line, fingerprint, preview }) => ({
        id,
        ruleId,
        severity,
        path,
        line,
        fingerprint,
        preview,
      })),
      truncated: Math.max(0, res.findings.length - SAMPLE),
      stats: res.stats,
      ...(res.surface && { surface: res.surface }),
      ...(res.openclawAudit && { openclawAudit: res.openclawAudit }),
      warnings: res.warnings,
    };
  }

  /** Finds the files that hold the hunted values (hunt only, no rules), then quarantines and redacts them. */
  async function scrubHost(input: ScrubHostInput): Promise<ScrubResult> {
    const { targets } = await hunts(input.hunt);
    if (targets.length === 0) throw new Error('scrub needs at least one credential to hunt');
    return withHost(input, async (t, hints) => {
      const found = await runSweep(t, {
        roots: input.roots,
        extraPaths: [...(input.roots?.length ? [] : hints), ...(input.extraPaths ?? [])],
        rules: { rules: [], allowlists: [], warnings: [] },
        hunts: targets,
        timeoutMs: input.timeoutMs,
      });
      const quarantineBase = await quarantineBaseFor(t);
      // Never redact the quarantined originals themselves, whatever roots were given.
      const base = `${quarantineBase.replace(/\/+$/, '')}/`;
      const keep = new Set(input.keep ?? []);
      const paths = [...new Set(found.findings.map((f) => f.path))].filter((p) => !p.startsWith(base) && !keep.has(p));
      return runScrub(t, { paths, hunts: targets, quarantineBase, label: input.label });
    });
  }

  /**
   * Old values in config backups and migrated device stores (stale-copies.ts), hunted exactly
   * wherever they went (the default scope, the home, the log dir) and scrubbed like a rotation's
   * old value: each file copied to quarantine first, the live config never touched.
   */
  /**
   * The proof at the end of a response: an exact hunt (nothing changed) for every old value the
   * run replaced or found stale, then OpenClaw's own security audit and, where the release has
   * it, `secrets audit --check`. Read-only, so a retry simply runs it again.
   */
  async function verifyClean(input: VerifyCleanInput): Promise<VerifyCleanResult> {
    const h = await openOpenclawHost(input.host, createTransport(input.host));
    try {
      const hunted = await withHost({ host: input.host }, async (t, hints) => {
        const targets: Array<HuntTarget & { what: string }> = [];
        const unavailable: string[] = [];
        for (const r of input.rotations) {
          try {
            targets.push({ ref: `rotation:${r.key}:old`, value: await deps.resolveRef(`rotation:${r.key}:old`), what: `old ${r.credential} value` });
          } catch {
            unavailable.push(`old ${r.credential} value (rotation ${r.key.slice(0, 8)} already finished)`);
          }
        }
        const manifest = input.staleManifest ? await t.readFile(input.staleManifest) : null;
        if (manifest) {
          const entries = (JSON.parse(manifest) as { entries: ScrubResult['scrubbed'] }).entries;
          const originals = new Map<string, string>();
          for (const e of entries) if (!originals.has(e.path)) originals.set(e.path, e.quarantinedAs);
          const sources = [...originals.keys()].filter((p) => p.startsWith(`${h.stateDir.replace(/\/+$/, '')}/`));
          for (const v of await staleValues(t, sources, (await t.readFile(h.configPath)) ?? '', originals)) {
            if (!targets.some((x) => x.value === v.value)) targets.push({ ref: `stale:${targets.length}`, value: v.value, what: `stale ${v.field} from ${v.source}` });
          }
        }
        if (targets.length === 0) return { hunted: [], stillHeld: [], inDatabase: [], unavailable };
        const found = await runSweep(t, { extraPaths: [...hints, ...huntPaths(h)], rules: { rules: [], allowlists: [], warnings: [] }, hunts: targets, timeoutMs: input.timeoutMs });
        const base = `${(await quarantineBaseFor(t)).replace(/\/+$/, '')}/`;
        const held = (x: (typeof targets)[number], inDb: boolean) => ({
          what: x.what,
          fingerprint: fingerprint(x.value),
          paths: [...new Set(found.findings.filter((f) => f.huntRef === x.ref && !f.path.startsWith(base) && isDatabase(f.path) === inDb).map((f) => f.path))],
        });
        return {
          hunted: targets.map((x) => ({ what: x.what, fingerprint: fingerprint(x.value) })),
          stillHeld: targets.map((x) => held(x, false)).filter((x) => x.paths.length > 0),
          inDatabase: targets.map((x) => held(x, true)).filter((x) => x.paths.length > 0),
          unavailable,
        };
      });
      const audit = await securityAudit(h);
      return {
        host: input.host.name,
        ...hunted,
        securityAudit: {
          ...(audit.summary ? { summary: audit.summary } : {}),
          critical: audit.findings.filter((f) => f.severity === 'critical').map((f) => ({ checkId: f.checkId, title: f.title })),
          ...(audit.error ? { error: audit.error } : {}),
        },
        secretsAudit: await secretsAuditCheck(h),
      };
    } finally {
      await h.t.close();
    }
  }

  async function scrubStaleCopies(input: StaleScrubInput): Promise<StaleScrubResult> {
    const h = await openOpenclawHost(input.host, createTransport(input.host));
    try {
      return await withHost({ host: input.host }, async (t, hints) => {
        const quarantineBase = await quarantineBaseFor(t);
        const previous = await t.readFile(`${quarantineBase.replace(/\/+$/, '')}/${input.label}/manifest.json`);
        const originals = new Map<string, string>();
        for (const e of previous ? (JSON.parse(previous) as { entries: ScrubResult['scrubbed'] }).entries : []) if (!originals.has(e.path)) originals.set(e.path, e.quarantinedAs);
        const files = await staleCandidates(t, h.stateDir, h.configPath);
        const stale = await staleValues(t, files, (await t.readFile(h.configPath)) ?? '', originals);
        const values = stale.map((v) => ({ source: v.source, field: v.field, fingerprint: fingerprint(v.value) }));
        if (stale.length === 0) return { host: t.host, values, scrubbed: [], untouched: [] };
        const targets: HuntTarget[] = stale.map((v, i) => ({ ref: `stale:${i}`, value: v.value }));
        const found = await runSweep(t, { extraPaths: [...hints, ...huntPaths(h)], rules: { rules: [], allowlists: [], warnings: [] }, hunts: targets, timeoutMs: input.timeoutMs });
        const base = `${quarantineBase.replace(/\/+$/, '')}/`;
        const paths = [...new Set(found.findings.map((f) => f.path))].filter((p) => !p.startsWith(base) && p !== h.configPath);
        const r = await runScrub(t, { paths, hunts: targets, quarantineBase, label: input.label });
        const fpOf = new Map(targets.map((x) => [x.ref, fingerprint(x.value)]));
        return {
          host: t.host,
          values,
          quarantineDir: r.quarantineDir,
          manifest: r.manifest,
          scrubbed: r.scrubbed.map((e) => ({ path: e.path, replacements: e.replacements, fingerprints: e.refs.map((ref) => fpOf.get(ref) ?? ref) })),
          untouched: r.untouched,
        };
      });
    } finally {
      await h.t.close();
    }
  }
}

export type SweepActivities = ReturnType<typeof createSweepActivities>;
