/**
 * One host as the OpenClaw activities see it: a transport plus where OpenClaw lives there.
 * Discovery costs one remote command and one file read per host.
 */
import { posix } from 'node:path';
import type { HostSpec } from '../../lib/inventory/schema.js';
import { UserError } from '../../lib/errors.js';
import type { RunOptions, RunResult, Transport } from '../hosts/transports/index.js';
import { getPath, parseConfig, redactConfig } from './config.js';
import { CONFIG_FILENAMES, resolveStateDir, type StateDirSource } from './paths.js';
import { GATEWAY_ENV_FRAGMENT } from './gateway/discover-script.js';

export const PACKAGE_NAMES = ['openclaw', 'clawdbot', 'moltbot'] as const;
export type PackageName = (typeof PACKAGE_NAMES)[number];

export interface InstalledPackage {
  name: PackageName;
  version: string;
  dir: string;
  /** Entry script, run with the inventory's Node so a shebang never picks the system Node. */
  bin: string;
}

export interface OpenclawHost {
  spec: HostSpec;
  t: Transport;
  home: string;
  stateDir: string;
  stateDirSource: StateDirSource;
  /** Whose environment the paths were resolved in: the running gateway's, or respond's session's. */
  pathsFrom: 'gateway-process' | 'session';
  configPath: string;
  /** Parsed config, raw (holds secrets: never return it). Null when the file is absent. */
  rawConfig: unknown | null;
  nodeVersion: string | null;
  packageRoot: string;
  pkg: InstalledPackage | null;
}

const DISCOVER = `
gwport="$5"
printf 'home=%s\\n' "$HOME"
printf 'env_state=%s\\n' "\${OPENCLAW_STATE_DIR:-\${CLAWDBOT_STATE_DIR:-}}"
printf 'env_config=%s\\n' "\${OPENCLAW_CONFIG_PATH:-\${CLAWDBOT_CONFIG_PATH:-}}"
printf 'env_profile=%s\\n' "\${OPENCLAW_PROFILE:-}"
for d in .openclaw .clawdbot .moltbot .moldbot; do [ -e "$HOME/$d" ] && printf 'dir=%s\\n' "$d"; done
printf 'node=%s\\n' "$("$1" --version 2>/dev/null | head -n 1)"
if [ -n "$2" ]; then root="$2/node_modules"; else root="$(PATH="$3:$PATH" "$4" root -g 2>/dev/null)"; fi
printf 'root=%s\\n' "$root"
for p in openclaw clawdbot moltbot; do [ -f "$root/$p/package.json" ] && printf 'pkg=%s\\n' "$p"; done
${GATEWAY_ENV_FRAGMENT}
true
`;

export function nodeDir(spec: HostSpec): string {
  return spec.node.includes('/') ? posix.dirname(spec.node) : '';
}

export function npmOf(spec: HostSpec): string {
  if (spec.install.method !== 'npm') throw notSupported(spec);
  return spec.install.npm;
}

export function notSupported(spec: HostSpec): UserError {
  return new UserError(`host ${spec.name}: install method "${spec.install.method}" is not supported yet (use npm)`);
}

export async function openOpenclawHost(spec: HostSpec, t: Transport): Promise<OpenclawHost> {
  if (spec.install.method !== 'npm') throw notSupported(spec);
  const prefix = spec.install.prefix ?? '';
  const r = await t.run('sh', ['-c', DISCOVER, 'sh', spec.node, prefix, nodeDir(spec), spec.install.npm, String(spec.gatewayPort)], { timeoutMs: 30_000 });
  if (r.exitCode !== 0) throw new Error(`host ${spec.name}: discovery failed (exit ${r.exitCode}): ${r.stderr.trim()}`);
  const kv = parseKv(r.stdout);
  // A running gateway's own view wins over respond's login session: its HOME and OpenClaw
  // variables name the files it really uses. The inventory still wins over both.
  const procHome = first(kv, 'proc.HOME');
  const fromGateway = procHome !== undefined;
  const home = procHome ?? first(kv, 'home') ?? '/';
  const paths = resolveStateDir({
    home,
    inventory: { stateDir: spec.stateDir, configPath: spec.configPath, profile: spec.profile },
    env: fromGateway
      ? {
          stateDir: first(kv, 'proc.OPENCLAW_STATE_DIR') ?? first(kv, 'proc.CLAWDBOT_STATE_DIR'),
          configPath: first(kv, 'proc.OPENCLAW_CONFIG_PATH') ?? first(kv, 'proc.CLAWDBOT_CONFIG_PATH'),
          profile: first(kv, 'proc.OPENCLAW_PROFILE'),
        }
      : { stateDir: first(kv, 'env_state'), configPath: first(kv, 'env_config'), profile: first(kv, 'env_profile') },
    existingHomeDirs: (fromGateway ? kv.get('proc_dir') : kv.get('dir')) ?? [],
  });

  let configPath = paths.configPath;
  let configText: string | null = null;
  for (const candidate of configPath ? [configPath] : CONFIG_FILENAMES.map((f) => posix.join(paths.stateDir, f))) {
    configText = await t.readFile(candidate);
    if (configText !== null) {
      configPath = candidate;
      break;
    }
  }
  configPath ??= posix.join(paths.stateDir, 'openclaw.json');
  let rawConfig: unknown | null = null;
  if (configText !== null) {
    try {
      rawConfig = parseConfig(configText);
    } catch (e) {
      throw new UserError(`host ${spec.name}: ${configPath}: not valid JSON5 (${(e as Error).message.split('\n')[0]})`);
    }
    // From here on, nothing this transport returns can carry a config secret.
    t.addSecrets(redactConfig(rawConfig).secrets);
  }

  const packageRoot = first(kv, 'root') ?? '';
  const pkgName = (kv.get('pkg') ?? [])[0] as PackageName | undefined;
  let pkg: InstalledPackage | null = null;
  if (pkgName && packageRoot) pkg = await readPackage(t, packageRoot, pkgName);

  const node = first(kv, 'node');
  return {
    spec,
    t,
    home,
    stateDir: paths.stateDir,
    stateDirSource: paths.stateDirSource,
    pathsFrom: fromGateway ? 'gateway-process' : 'session',
    configPath,
    rawConfig,
    nodeVersion: node && /^v\d/.test(node) ? node : null,
    packageRoot,
    pkg,
  };
}

export async function readPackage(t: Pick<Transport, 'readFile'>, root: string, name: PackageName): Promise<InstalledPackage | null> {
  const dir = posix.join(root, name);
  const text = await t.readFile(posix.join(dir, 'package.json'));
  if (text === null) return null;
  const pj = JSON.parse(text) as { version?: string; bin?: string | Record<string, string> };
  const binRel = typeof pj.bin === 'string' ? pj.bin : (pj.bin?.[name] ?? Object.values(pj.bin ?? {})[0] ?? `${name}.mjs`);
  return { name, version: pj.version ?? 'unknown', dir, bin: posix.join(dir, binRel) };
}

/** Environment that makes every OpenClaw command agree with what respond resolved. */
export function openclawEnv(h: OpenclawHost): Record<string, string> {
  const env: Record<string, string> = { OPENCLAW_STATE_DIR: h.stateDir, OPENCLAW_CONFIG_PATH: h.configPath };
  if (h.spec.profile) env.OPENCLAW_PROFILE = h.spec.profile;
  return env;
}

/** Runs the installed CLI with the inventory's Node, first on PATH for anything it spawns. */
export function runOpenclaw(h: OpenclawHost, args: readonly string[], opts: Omit<RunOptions, 'env'> & { env?: Record<string, string> }): Promise<RunResult> {
  if (!h.pkg) throw new Error(`host ${h.spec.name}: OpenClaw is not installed under ${h.packageRoot || 'the npm global root'}`);
  return withNodePath(h, h.spec.node, [h.pkg.bin, ...args], { ...opts, env: { ...openclawEnv(h), ...opts.env } });
}

export function withNodePath(h: Pick<OpenclawHost, 'spec' | 't'>, cmd: string, args: readonly string[], opts: RunOptions): Promise<RunResult> {
  const dir = nodeDir(h.spec);
  if (!dir) return h.t.run(cmd, args, opts);
  return h.t.run('sh', ['-c', 'PATH="$1:$PATH"; shift; exec "$@"', 'sh', dir, cmd, ...args], opts);
}

export function gatewaySettings(h: OpenclawHost) {
  const cfg = h.rawConfig;
  const str = (p: string[]) => {
    const v = getPath(cfg, p);
    return typeof v === 'string' ? v : undefined;
  };
  const portValue = getPath(cfg, ['gateway', 'port']);
  return {
    bind: str(['gateway', 'bind']) ?? 'loopback',
    port: typeof portValue === 'number' ? portValue : h.spec.gatewayPort,
    authMode: str(['gateway', 'auth', 'mode']) ?? (str(['gateway', 'auth', 'password']) ? 'password' : 'token'),
    mode: str(['gateway', 'mode']),
  };
}

/** The token the host's gateway should accept: config first (it wins over env in OpenClaw), then the inventory env. */
export function hostToken(h: OpenclawHost): string | undefined {
  const v = getPath(h.rawConfig, ['gateway', 'auth', 'token']);
  if (typeof v === 'string' && v && !v.startsWith('${')) return v;
  return h.spec.env.OPENCLAW_GATEWAY_TOKEN || undefined;
}

function parseKv(text: string): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    const i = line.indexOf('=');
    if (i <= 0) continue;
    const k = line.slice(0, i);
    const v = line.slice(i + 1);
    if (!v) continue;
    m.set(k, [...(m.get(k) ?? []), v]);
  }
  return m;
}

function first(kv: Map<string, string[]>, k: string): string | undefined {
  return kv.get(k)?.[0];
}

/**
 * Where copies of a host's credentials end up beyond OpenClaw's default scope, for exact hunts
 * (cheap, unlike a rules sweep): the gateway user's whole home and the configured log dir.
 */
export function huntPaths(h: OpenclawHost): string[] {
  const logFile = getPath(h.rawConfig, ['logging', 'file']);
  return [h.home, ...(typeof logFile === 'string' && logFile.startsWith('/') ? [posix.dirname(logFile)] : [])];
}
