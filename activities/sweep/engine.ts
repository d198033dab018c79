/**
 * One sweep of one host: decide the roots, list what will be skipped, run rg once with every
 * rule and hunted literal, and turn rg's lines into findings. Secrets exist in memory here and
 * leave only as fingerprints and redacted previews.
 */
import { Detector, type LineHit } from '../../lib/sweep/detector.js';
import { toFindings } from '../../lib/sweep/finding.js';
import { huntPatterns, huntVariants, type HuntTarget } from '../../lib/sweep/hunt.js';
import { oversizeArgs, parseOversize } from '../../lib/sweep/oversize.js';
import { DATABASE_GLOBS, databaseArgs, DEFAULT_MAX_FILE_SIZE, parseRgJson, parseRgStderr, sweepArgs } from '../../lib/sweep/rg.js';
import { configuredPaths, defaultScopeScript, parseScopeOutput } from '../../lib/sweep/scope.js';
import type { RuleSet, SkippedFile, SweepResult } from '../../lib/sweep/types.js';
import { acquireRg, makeWorkdir, type RgChoice } from './rg-binary.js';
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
  const patterns = [...opts.rules.rules.map((r) => r.pattern), ...huntPatterns(variants)];
  if (present.length > 0 && patterns.length > 0) {
    const work = await makeWorkdir(t);
    try {
      const rg = await acquireRg(t, work.dir, opts.rg);
      result.stats.rgVersion = rg.version;
      // Output goes to files read back raw: a host transport's output redaction would otherwise
      // erase the secrets before the detector sees them.
      const pass = async (name: string, args: string[]) => {
        const out = `${work.dir}/${name}.jsonl`;
        const err = `${work.dir}/${name}.err`;
        const r = await t.run('sh', ['-c', RUN_TO_FILES, 'sh', rg.path, out, err, ...args], {
          stdin: `${patterns.join('\n')}\n`,
          timeoutMs: opts.timeoutMs,
        });
        const stdout = (await t.readFile(out)) ?? '';
        const stderr = (await t.readFile(err)) ?? '';
        // 0: matches, 1: none, 2: some error (e.g. an unreadable file) alongside normal results.
        if (r.exitCode > 2 || r.exitCode < 0 || (r.exitCode === 2 && !/"type":"summary"/.test(stdout))) {
          throw new Error(`${t.host}: rg failed (exit ${r.exitCode}): ${firstErrorLine(stderr || r.stderr)}`);
        }
        return { ...parseRgJson(stdout), ...parseRgStderr(stderr) };
      };
      const main = await pass('main', sweepArgs(present, maxFileSize));
      const db = await pass('db', databaseArgs(present, maxFileSize));
      const searchedAsText = new Set(dbPaths(main.skipped));
      skipped.push(...main.skipped.filter((s) => !(s.reason === 'binary' && searchedAsText.has(s.path))));
      skipped.push(...db.skipped.filter((s) => s.reason !== 'binary'));
      result.warnings.push(...[...main.errors, ...db.errors].map((e) => `${t.host}: ${e}`));
      result.stats.bytesSearched = main.summary.bytesSearched + db.summary.bytesSearched;
      result.stats.filesSearched = main.summary.filesSearched;
      const parsed = { hits: [...main.hits, ...db.hits] };
      const detector = new Detector(opts.rules, variants);
      const perLine = new Map<LineHit, ReturnType<Detector['detect']>>();
      for (const hit of parsed.hits) {
        const ds = detector.detect(hit);
        if (ds.length > 0) perLine.set(hit, ds);
        else result.stats.unattributedLines++;
      }
      const findings = toFindings(t.host, perLine);
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
 * Binary skips of the main pass that the database pass did read in text mode. The db pass only
 * searches DATABASE_GLOBS names, so every binary skip with such a name was covered by it.
 */
function dbPaths(skipped: readonly SkippedFile[]): string[] {
  const names = DATABASE_GLOBS.map((g) => g.slice(1));
  return skipped.filter((s) => s.reason === 'binary' && names.some((n) => s.path.endsWith(n))).map((s) => s.path);
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
