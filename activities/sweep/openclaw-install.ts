/**
 * What the OpenClaw installed on a host contributes to its sweep: the credential matrix it ships
 * (so a newer release's new channels are covered the day it is installed; respond's pinned copy
 * otherwise) and its own `secrets audit` report. One shell command finds the package.
 */
import { bundledSurface, MATRIX_RELATIVE_PATH, parseMatrix, type CredentialSurface } from '../../lib/sweep/openclaw/credential-matrix.js';
import { parseAuditReport, type AuditReport } from '../../lib/sweep/openclaw/secrets-audit.js';
import { posix } from 'node:path';
import { redactTokenShapes } from '../../lib/redact-patterns.js';
import { PACKAGE_NAMES, readPackage, type InstalledPackage, type PackageName } from '../openclaw/host.js';
import type { SweepTransport } from './transport.js';

export type OpenclawPackage = InstalledPackage;

/** Prints the first OpenClaw package dir found: the given ones, the CLI on PATH, npm's global root, the usual prefixes. */
const FIND_PACKAGE = `
bin="$(command -v openclaw 2>/dev/null || command -v clawdbot 2>/dev/null || true)"
fromBin=""
[ -n "$bin" ] && fromBin="$(dirname "$(readlink -f "$bin" 2>/dev/null || printf %s "$bin")")"
npmRoot="$(npm root -g 2>/dev/null || true)"
for d in "$@" "$fromBin" "$npmRoot/openclaw" "$HOME/.npm-global/lib/node_modules/openclaw" /usr/local/lib/node_modules/openclaw /usr/lib/node_modules/openclaw /opt/homebrew/lib/node_modules/openclaw; do
  if [ -n "$d" ] && [ -f "$d/package.json" ] && grep -q '"name": *"\\(openclaw\\|clawdbot\\)"' "$d/package.json" 2>/dev/null; then
    printf '%s\\n' "$d"
    exit 0
  fi
done
exit 0
`;

export async function findOpenclawPackage(t: SweepTransport, packageDirs: readonly string[] = []): Promise<OpenclawPackage | null> {
  const r = await t.run('sh', ['-c', FIND_PACKAGE, 'sh', ...packageDirs], { timeoutMs: 30_000 });
  const dir = r.stdout.trim().split('\n')[0] ?? '';
  if (!dir) return null;
  const name = posix.basename(dir);
  // A dir reached through the CLI's symlink may be named otherwise; its package.json still names it.
  if (!(PACKAGE_NAMES as readonly string[]).includes(name)) return { name: 'openclaw', version: 'unknown', dir, bin: `${dir}/openclaw.mjs` };
  return readPackage(t, posix.dirname(dir), name as PackageName);
}

export async function resolveSurface(t: SweepTransport, pkg: OpenclawPackage | null): Promise<{ surface: CredentialSurface; warnings: string[] }> {
  if (!pkg) return { surface: bundledSurface(), warnings: [] };
  const text = await t.readFile(`${pkg.dir}/${MATRIX_RELATIVE_PATH}`);
  if (text === null) {
    // Older releases (2026.1.29) ship no matrix; their credential fields are a subset of the pinned one's.
    const pinned = bundledSurface();
    return { surface: { ...pinned, version: `${pinned.version} (pinned; host has ${pkg.version})` }, warnings: [] };
  }
  try {
    return { surface: parseMatrix(text, 'host', pkg.version), warnings: [] };
  } catch (e) {
    const why = String((e as Error).message ?? e).split('\n')[0]!.slice(0, 200);
    return { surface: bundledSurface(), warnings: [`${t.host}: ${pkg.dir}/${MATRIX_RELATIVE_PATH}: unreadable credential matrix (${why}); used respond's pinned copy`] };
  }
}

export interface AuditRun {
  report: AuditReport | null;
  /** Why there is no report: the version has no such command, Node is too old, ... */
  note?: string;
}

/** `openclaw secrets audit --json` as the gateway's user would run it: exit 1 or 2 just mean findings. */
export async function runSecretsAudit(
  t: SweepTransport,
  pkg: OpenclawPackage,
  opts: { node?: string; env?: Record<string, string>; timeoutMs?: number },
): Promise<AuditRun> {
  const r = await t.run(opts.node ?? 'node', [pkg.bin, 'secrets', 'audit', '--json'], {
    env: { OPENCLAW_HIDE_BANNER: '1', NO_COLOR: '1', ...opts.env },
    timeoutMs: opts.timeoutMs ?? 120_000,
  });
  const report = parseAuditReport(r.stdout);
  if (report) return { report };
  const why = (r.stderr + r.stdout).split('\n').map((l) => l.trim()).find((l) => l.length > 0) ?? `exit ${r.exitCode}`;
  // The CLI's own message goes into results and history: mask anything token-shaped in it first.
  return { report: null, note: `openclaw ${pkg.version} secrets audit gave no report (${redactTokenShapes(why).slice(0, 160)})` };
}
