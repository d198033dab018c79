/**
 * One sweep of one host: decide the roots, list what will be skipped (one find walk), run rg
 * once with every rule and hunted literal (plus a text-mode pass over any database files), and
 * turn rg's lines into findings. Secrets exist in memory here and leave only as fingerprints
 * and redacted previews.
 */
import { Detector, HUNT_RULE_ID, type Detection, type LineHit } from '../../lib/sweep/detector.js';
import { toFindings } from '../../lib/sweep/finding.js';
import { huntPatterns, huntVariants, type HuntTarget, type HuntVariant } from '../../lib/sweep/hunt.js';
import { oversizeArgs, parseOversize } from '../../lib/sweep/oversize.js';
import {
  databaseArgs,
  DEFAULT_MAX_FILE_SIZE,
  parseRgStderr,
  RgJsonReader,
  sweepArgs,
  type RgReader,
  type RgSummary,
} from '../../lib/sweep/rg.js';
import { configuredPaths, defaultScopeScript, parseScopeOutput } from '../../lib/sweep/scope.js';
import type { CredentialSurface } from '../../lib/sweep/openclaw/credential-matrix.js';
import type { Finding, RuleSet, SkippedFile, SweepResult } from '../../lib/sweep/types.js';
import { configPass, CONFIG_RULE_ID } from './config-pass.js';
import { mergeAudit } from './audit-merge.js';
import { findOpenclawPackage, resolveSurface, runSecretsAudit } from './openclaw-install.js';
import { prepare, type RgChoice } from './rg-binary.js';
import type { SweepTransport } from './transport.js';

export interface SweepOptions {
  /** Explicit roots; when empty the host's default OpenClaw scope is discovered. */
  roots?: readonly string[];
  /** Added to either (`--paths`). */
  extraPaths?: readonly string[];
  rules: RuleSet;
  hunts?: readonly HuntTarget[];
  maxFileSize?: number;
  /** Finding ids accepted earlier; matching findings are reported as suppressed only. */
  baseline?: ReadonlySet<string>;
  rg?: RgChoice;
  /** Where the private work dir may go, in order (default /tmp, then $HOME). */
  workdirParents?: readonly string[];
  /**
   * The credential matrix for the config pass; by default the host's installed OpenClaw's (looked
   * for in `openclaw.packageDirs` first), else the pinned copy. `false` turns the pass off.
   */
  surface?: CredentialSurface | false;
  openclaw?: {
    packageDirs?: readonly string[];
    /** Runs `openclaw secrets audit --json` (default: when OpenClaw is installed and rules run). */
    audit?: boolean;
    /** The Node that runs the CLI (the inventory's), and the env naming its state dir. */
    node?: string;
    env?: Record<string, string>;
  };
  timeoutMs?: number;
}

const RUN_TO_FILES = 'rg="$1"; out="$2"; err="$3"; shift 3; exec "$rg" "$@" >"$out" 2>"$err"';

export async function runSweep(t: SweepTransport, opts: SweepOptions): Promise<SweepResult> {
  const started = Date.now();
  const maxFileSize = opts.maxFileSize ?? DEFAULT_MAX_FILE_SIZE;
  const explicit = [...(opts.roots ?? [])];
  const roots = unique([...(explicit.length > 0 ? explicit : await discoverScope(t)), ...(opts.extraPaths ?? [])]);
  const result: SweepResult = {
    host: t.host,
    roots,
    findings: [],
    suppressed: [],
    skipped: [],
    missingRoots: [],
    stats: { bytesSearched: 0, filesSearched: 0, unattributedLines: 0, elapsedMs: 0, rgVersion: '' },
    warnings: [...opts.rules.warnings],
  };
  if (roots.length === 0) {
    result.warnings.push('nothing to sweep: no OpenClaw state, logs, histories or env files found and no paths given');
    result.stats.elapsedMs = Date.now() - started;
    return result;
  }

  const found = await t.run('find', oversizeArgs(roots, maxFileSize), { timeoutMs: opts.timeoutMs });
  const over = parseOversize(found.stdout, found.stderr, roots);
  result.missingRoots = over.missingRoots;
  const present = roots.filter((r) => !over.missingRoots.includes(r));
  const skipped: SkippedFile[] = [...over.skipped];

  const variants = huntVariants(opts.hunts ?? []);
  const patterns = searchPatterns(opts.rules, variants);
  const detector = new Detector(opts.rules, variants);
  const perLine = new Map<LineHit, Detection[]>();
  const configHits = new Map<LineHit, Detection[]>();
  const located = new Set<string>();
  const withRules = present.length > 0 && opts.rules.rules.length > 0;
  // OpenClaw's audit reads the host's own state: by default only when the sweep does too (no explicit roots).
  const auditWanted = withRules && (opts.openclaw?.audit ?? explicit.length === 0);
  const needMatrix = opts.surface === undefined && over.configs.length > 0;
  const pkg = withRules && (needMatrix || auditWanted) ? await findOpenclawPackage(t, opts.openclaw?.packageDirs) : null;
  if (withRules && opts.surface !== false && over.configs.length > 0) {
    const resolved = opts.surface ? { surface: opts.surface, warnings: [] } : await resolveSurface(t, pkg);
    result.warnings.push(...resolved.warnings);
    result.surface = { source: resolved.surface.source, version: resolved.surface.version, paths: resolved.surface.paths.length };
    const pass = await configPass(t, over.configs, resolved.surface, detector);
    for (const [hit, ds] of pass.hits) configHits.set(hit, ds);
    for (const k of pass.located) located.add(k);
  }
  const audit = pkg && auditWanted ? await runSecretsAudit(t, pkg, { node: opts.openclaw?.node, env: opts.openclaw?.env, timeoutMs: opts.timeoutMs }) : null;
  if (present.length > 0 && patterns.length > 0) {
    const { work, rg } = await prepare(t, opts.rg, opts.workdirParents);
    try {
      result.stats.rgVersion = rg.version;
      const onHit = (windows: LineHit[]) => {
        let any = false;
        for (const w of windows) {
          const ds = detector.detect(w);
          if (ds.length > 0) {
            perLine.set(w, ds);
            any = true;
          }
        }
        if (!any) result.stats.unattributedLines++;
      };
      const pass = (args: string[], name: string, reader: RgReader) =>
        rgPass(t, { rg: rg.path, workdir: work.dir, name, args, patterns, reader, onHit, timeoutMs: opts.timeoutMs });
      const main = await pass(sweepArgs(present, maxFileSize), 'main', new RgJsonReader());
      const empty = { summary: { bytesSearched: 0, filesSearched: 0 }, skipped: [], errors: [] };
      const db = over.databases.length > 0 ? await pass(databaseArgs(over.databases, maxFileSize), 'db', new RgJsonReader()) : empty;
      const searchedAsText = new Set(over.databases);
      skipped.push(...main.skipped.filter((s) => !(s.reason === 'binary' && searchedAsText.has(s.path))));
      skipped.push(...db.skipped.filter((s) => s.reason !== 'binary'));
      result.warnings.push(...[...main.errors, ...db.errors].map((e) => `${t.host}: ${e}`));
      result.stats.bytesSearched = main.summary.bytesSearched + db.summary.bytesSearched;
      result.stats.filesSearched = main.summary.filesSearched;
      if (audit) {
        result.openclawAudit = { version: pkg!.version, ran: audit.report !== null, ...(audit.note !== undefined && { note: audit.note }) };
        if (audit.report) {
          const inScope = audit.report.residues.filter((r) => present.some((root) => r.file === root || r.file.startsWith(`${root.replace(/\/+$/, '')}/`)));
          const merged = await mergeAudit(t, inScope, located, new Map([...perLine, ...configHits]), detector);
          for (const [hit, ds] of merged.hits) configHits.set(hit, ds);
          result.openclawAudit = { ...result.openclawAudit, status: audit.report.status, ...merged.stats };
          result.warnings.push(...merged.warnings);
        }
      }
      const findings = withoutConfigDuplicates(toFindings(t.host, new Map([...perLine, ...configHits])));
      const baseline = opts.baseline ?? new Set<string>();
      result.findings = findings.filter((f) => !baseline.has(f.id));
      result.suppressed = findings.filter((f) => baseline.has(f.id)).map((f) => f.id);
    } finally {
      await work.remove();
    }
  }
  result.skipped = dedupeSkipped(skipped);
  result.stats.elapsedMs = Date.now() - started;
  return result;
}

/** The host's default scope, plus workspace and log dirs that its openclaw.json moved elsewhere. */
export async function discoverScope(t: SweepTransport): Promise<string[]> {
  const r = await t.run('sh', ['-c', defaultScopeScript()]);
  const paths = parseScopeOutput(r.stdout);
  const extra: string[] = [];
  for (const p of paths) {
    if (!/\/\.(openclaw|clawdbot|moltbot)(-[^/]*)?$/.test(p)) continue;
    for (const name of ['openclaw.json', 'clawdbot.json', 'moltbot.json']) {
      const cfg = await t.readFile(`${p}/${name}`).catch(() => null);
      if (cfg !== null) extra.push(...configuredPaths(cfg));
    }
  }
  return unique([...paths, ...extra]);
}

/**
 * One rg run. Locally its output is read as it streams, so detection overlaps the search.
 * Elsewhere it goes to files in the private work dir, read back raw: a host transport's output
 * redaction would otherwise erase the secrets before the detector sees them.
 */
interface RgPass {
  rg: string;
  workdir: string;
  name: string;
  args: string[];
  patterns: readonly string[];
  reader: RgReader;
  onHit: (windows: LineHit[]) => void;
  timeoutMs: number | undefined;
}

async function rgPass(
  t: SweepTransport,
  { rg, workdir, name, args, patterns, reader, onHit, timeoutMs }: RgPass,
): Promise<{ summary: RgSummary; skipped: SkippedFile[]; errors: string[] }> {
  const stdin = `${patterns.join('\n')}\n`;
  const feed = (line: string) => {
    const windows = reader.line(line);
    if (windows) onHit(windows);
  };
  let exitCode: number;
  let stderr: string;
  if (t.stream) {
    ({ exitCode, stderr } = await t.stream(rg, args, { stdin, timeoutMs }, feed));
  } else {
    const out = `${workdir}/${name}.out`;
    const err = `${workdir}/${name}.err`;
    const r = await t.run('sh', ['-c', RUN_TO_FILES, 'sh', rg, out, err, ...args], { stdin, timeoutMs });
    for (const line of ((await t.readFile(out)) ?? '').split('\n')) feed(line);
    exitCode = r.exitCode;
    stderr = (await t.readFile(err)) ?? r.stderr;
  }
  // 0: matches, 1: none, 2: some error (e.g. an unreadable file) alongside normal results.
  if (exitCode > 2 || exitCode < 0 || (exitCode === 2 && reader.summary.filesSearched === 0 && !/os error/.test(stderr))) {
    throw new Error(`${t.host}: rg failed (exit ${exitCode}): ${firstErrorLine(stderr)}`);
  }
  return { summary: reader.summary, ...parseRgStderr(stderr) };
}

/**
 * A config credential is also seen by the content rules reading the same file as text: keep the
 * config pass's finding, which names the credential's path, and drop the others for that secret
 * on that line. Hunt findings stay: they say which rotated credential is still there.
 */
function withoutConfigDuplicates(findings: Finding[]): Finding[] {
  const config = new Set(findings.filter((f) => f.ruleId === CONFIG_RULE_ID).map((f) => `${f.path}\0${f.line}\0${f.fingerprint}`));
  if (config.size === 0) return findings;
  return findings.filter((f) => f.ruleId === CONFIG_RULE_ID || f.ruleId === HUNT_RULE_ID || !config.has(`${f.path}\0${f.line}\0${f.fingerprint}`));
}

/**
 * rg joins the patterns into one alternation and reports, at each position, the first that
 * matches there. Hunted literals and specific formats go first, so where a generic rule and a
 * provider key start at the same byte the window is centred on the specific one.
 */
export function searchPatterns(rules: RuleSet, variants: readonly HuntVariant[]): string[] {
  const specific = rules.rules.filter((r) => r.family !== 'generic');
  const generic = rules.rules.filter((r) => r.family === 'generic');
  return [...huntPatterns(variants), ...specific.map((r) => r.pattern), ...generic.map((r) => r.pattern)];
}

function dedupeSkipped(list: SkippedFile[]): SkippedFile[] {
  const seen = new Map<string, SkippedFile>();
  for (const s of list) if (!seen.has(`${s.reason}\0${s.path}`)) seen.set(`${s.reason}\0${s.path}`, s);
  return [...seen.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

function unique(xs: readonly string[]): string[] {
  return [...new Set(xs)];
}

function firstErrorLine(stderr: string): string {
  return stderr.split('\n').find((l) => l.length > 0 && !l.startsWith('rg: DEBUG|')) ?? '(no message)';
}
