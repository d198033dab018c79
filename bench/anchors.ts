/**
 * The other scanners the sweep is measured against, installed by the bench itself from the
 * registries, pinned: Kingfisher from PyPI (kingfisher-bin, by wheel hash) in a venv, gitleaks
 * from the Go module proxy (go.sum-checked by `go install`). Cached per machine.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';

const CACHE = join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'respond-bench');
export const KINGFISHER_VERSION = '2.14.0';
const KINGFISHER_WHEEL_SHA256 = '50f2b9bc05560058c1e7712dd4493cbe145f415b753e76af84ee1bfc2f583799';
export const GITLEAKS_VERSION = '8.30.1';

export interface AnchorRun {
  ms: number;
  findings: number;
}

export async function ensureKingfisher(): Promise<string> {
  const venv = join(CACHE, `kingfisher-${KINGFISHER_VERSION}`);
  const bin = join(venv, 'bin', 'kingfisher');
  if (existsSync(bin)) return bin;
  mkdirSync(CACHE, { recursive: true });
  await execa('python3', ['-m', 'venv', venv]);
  const req = join(venv, 'requirements.txt');
  writeFileSync(req, `kingfisher-bin==${KINGFISHER_VERSION} --hash=sha256:${KINGFISHER_WHEEL_SHA256}\n`);
  await execa(join(venv, 'bin', 'pip'), ['install', '--quiet', '--no-deps', '--require-hashes', '-r', req]);
  return bin;
}

export async function ensureGitleaks(): Promise<string> {
  const gobin = join(CACHE, `gitleaks-${GITLEAKS_VERSION}`);
  const bin = join(gobin, 'gitleaks');
  if (existsSync(bin)) return bin;
  mkdirSync(gobin, { recursive: true });
  await execa('go', ['install', `github.com/zricethezav/gitleaks/v8@v${GITLEAKS_VERSION}`], { env: { GOBIN: gobin, GOFLAGS: '-mod=mod' } });
  return bin;
}

/** Pattern rules only: validation would call the providers' APIs, which the sweep never does. */
export async function runKingfisher(bin: string, root: string): Promise<AnchorRun> {
  const t0 = performance.now();
  const r = await execa(bin, ['scan', root, '--format', 'json', '--no-update-check', '--no-validate'], { reject: false, maxBuffer: 1 << 30 });
  const ms = performance.now() - t0;
  // Exit 200 means "findings"; the last line is the summary.
  if (r.exitCode !== 0 && r.exitCode !== 200) throw new Error(`kingfisher failed (exit ${r.exitCode}): ${r.stderr.slice(-300)}`);
  const summary = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { findings: number };
  return { ms, findings: summary.findings };
}

export async function runGitleaks(bin: string, root: string, reportDir: string): Promise<AnchorRun> {
  const report = join(reportDir, 'gitleaks.json');
  const t0 = performance.now();
  const r = await execa(bin, ['dir', root, '--report-format', 'json', '--report-path', report, '--no-banner', '--exit-code', '0', '--log-level', 'error'], { reject: false });
  const ms = performance.now() - t0;
  if (r.exitCode !== 0) throw new Error(`gitleaks failed (exit ${r.exitCode}): ${r.stderr.slice(-300)}`);
  return { ms, findings: (JSON.parse(readFileSync(report, 'utf8')) as unknown[]).length };
}
