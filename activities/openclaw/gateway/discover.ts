/**
 * Finds the process serving a host's gateway port and how it is managed: one shell command over
 * the host's transport, parsed here. Values of the process's environment never leave the host
 * (only names, and an allowlist of path variables); command lines are redacted with the host's
 * known secrets and credential shapes before they are returned.
 */
import { posix } from 'node:path';
import type { OpenclawHost } from '../host.js';
import { classifyManager, splitChain } from './classify.js';
import { DISCOVER_GATEWAY } from './discover-script.js';
import type { GatewayDiscovery, ListenSocket, ProcInfo } from './types.js';

export function respondPidfile(stateDir: string): string {
  return posix.join(stateDir, 'respond', 'gateway.pid');
}

export async function discoverGateway(h: OpenclawHost, port = h.spec.gatewayPort): Promise<GatewayDiscovery> {
  const r = await h.t.run('sh', ['-c', DISCOVER_GATEWAY, 'sh', String(port), respondPidfile(h.stateDir)], { timeoutMs: 30_000 });
  if (r.exitCode !== 0) throw new Error(`host ${h.spec.name}: gateway discovery failed (exit ${r.exitCode}): ${r.stderr.trim()}`);
  const parsed = parseDiscovery(r.stdout, (s) => h.t.redact(s));
  const manager = await enrichContainer(h, classifyManager(parsed.chain, parsed.pidfilePid, parsed.ownersReadable));
  const { gateway } = splitChain(parsed.chain);
  return {
    port,
    listening: parsed.listening,
    bind: bindOf(parsed.listening),
    gateway,
    chain: parsed.chain,
    pidfilePid: parsed.pidfilePid,
    manager,
    seen: gateway ? seenBy(gateway) : {},
  };
}

interface ParsedDiscovery {
  listening: ListenSocket[];
  pidfilePid: number | null;
  ownersReadable: boolean;
  chain: ProcInfo[];
}

/** Exported for tests on what real hosts printed. */
export function parseDiscovery(stdout: string, redact: (s: string) => string): ParsedDiscovery {
  const out: ParsedDiscovery = { listening: [], pidfilePid: null, ownersReadable: true, chain: [] };
  let cur: ProcInfo | null = null;
  let owners = 0;
  for (const line of stdout.split('\n')) {
    if (line.startsWith('@proc ')) {
      cur = owners <= 1 ? emptyProc(Number(line.slice(6))) : null;
      if (cur) out.chain.push(cur);
      continue;
    }
    const i = line.indexOf('=');
    if (i <= 0) continue;
    const key = line.slice(0, i);
    const value = line.slice(i + 1);
    if (key === 'listen') {
      const [hex, inode] = value.split(',');
      out.listening.push({ address: decodeAddress(hex!), inode: Number(inode) });
    } else if (key === 'pidfile') {
      out.pidfilePid = /^\d+$/.test(value.trim()) ? Number(value.trim()) : null;
    } else if (key === 'owners') {
      out.ownersReadable = value !== 'unreadable';
    } else if (key === 'owner') {
      // The first owner's chain is the gateway's; a second owner (a helper that inherited the
      // socket) walks up only to the ancestors already seen.
      owners++;
    } else if (cur) {
      applyField(cur, key, value, redact);
    }
  }
  return out;
}

function emptyProc(pid: number): ProcInfo {
  return { pid, ppid: 0, uid: -1, user: null, comm: '', exe: null, cwd: null, argv: [], cgroup: [], pgid: null, sid: null, envKeys: null, env: {} };
}

function applyField(p: ProcInfo, key: string, value: string, redact: (s: string) => string): void {
  switch (key) {
    case 'ppid':
      p.ppid = Number(value);
      break;
    case 'uid':
      p.uid = Number(value);
      break;
    case 'user':
      p.user = value || null;
      break;
    case 'comm':
      p.comm = value;
      break;
    case 'exe':
      p.exe = value || null;
      break;
    case 'cwd':
      p.cwd = value || null;
      break;
    case 'argv':
      p.argv = Buffer.from(value, 'base64').toString('utf8').split('\0').map((a) => redact(a));
      // A retitled process pads its old argv area with NULs (and sometimes spaces).
      while (p.argv.length > 0 && p.argv[p.argv.length - 1]!.trim() === '') p.argv.pop();
      if (p.argv.length > 0) p.argv[p.argv.length - 1] = p.argv[p.argv.length - 1]!.trimEnd();
      break;
    case 'cgroup':
      p.cgroup = Buffer.from(value, 'base64').toString('utf8').split('\n').filter(Boolean);
      break;
    case 'pgid_sid': {
      const [pg, sid] = value.split(',');
      p.pgid = Number(pg) || null;
      p.sid = Number(sid) || null;
      break;
    }
    case 'envkeys':
      p.envKeys = value === 'unreadable' ? null : value.split(' ').filter(Boolean).sort();
      break;
    default:
      if (key.startsWith('env.')) p.env[key.slice(4)] = value;
  }
}

/** /proc/net/tcp addresses: IPv4 as one little-endian word, IPv6 as four. */
export function decodeAddress(hex: string): string {
  if (hex.length === 8) {
    const n = Number.parseInt(hex, 16);
    return [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, n >>> 24].join('.');
  }
  const bytes: number[] = [];
  for (let w = 0; w < 4; w++) {
    const word = hex.slice(w * 8, w * 8 + 8);
    for (let b = 3; b >= 0; b--) bytes.push(Number.parseInt(word.slice(b * 2, b * 2 + 2), 16));
  }
  if (bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 255 && bytes[11] === 255) return bytes.slice(12).join('.');
  const groups: string[] = [];
  for (let g = 0; g < 8; g++) groups.push(((bytes[g * 2]! << 8) | bytes[g * 2 + 1]!).toString(16));
  return compressIpv6(groups);
}

function compressIpv6(groups: string[]): string {
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j;
  }
  if (bestLen < 2) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
}

export function isLoopbackAddress(a: string): boolean {
  return a === '::1' || /^127\./.test(a);
}

function bindOf(listening: ListenSocket[]): GatewayDiscovery['bind'] {
  if (listening.length === 0) return 'none';
  if (listening.every((l) => isLoopbackAddress(l.address))) return 'loopback';
  if (listening.some((l) => l.address === '0.0.0.0' || l.address === '::')) return 'wildcard';
  return 'other';
}

function seenBy(p: ProcInfo): GatewayDiscovery['seen'] {
  const e = p.env;
  const seen: GatewayDiscovery['seen'] = {};
  if (e.HOME) seen.home = e.HOME;
  const stateDir = e.OPENCLAW_STATE_DIR ?? e.CLAWDBOT_STATE_DIR;
  if (stateDir) seen.stateDir = stateDir;
  const configPath = e.OPENCLAW_CONFIG_PATH ?? e.CLAWDBOT_CONFIG_PATH;
  if (configPath) seen.configPath = configPath;
  if (e.OPENCLAW_PROFILE) seen.profile = e.OPENCLAW_PROFILE;
  if (p.user) seen.user = p.user;
  return seen;
}

/**
 * A container found by cgroup or port: ask its runtime for the name (and so tell an
 * `openclaw fleet` cell from any other container). Without a reachable runtime the id stands.
 */
async function enrichContainer(h: OpenclawHost, m: ReturnType<typeof classifyManager>): Promise<ReturnType<typeof classifyManager>> {
  if (m.kind !== 'docker') return m;
  // Matched here rather than with `--filter publish=`, which Podman 4 does not know.
  const r = await h.t.run(m.runtime, ['ps', '--no-trunc', '--format', '{{.ID}}\t{{.Names}}\t{{.Ports}}'], { timeoutMs: 20_000 });
  if (r.exitCode !== 0) return m;
  const published = new RegExp(`(^|[\\s,])(\\[?[0-9a-f.:]*\\]?:)?${h.spec.gatewayPort}->`);
  const line = r.stdout
    .split('\n')
    .map((l) => l.split('\t'))
    .find(([id, , ports]) => (m.container ? id!.startsWith(m.container) : published.test(ports ?? '')));
  if (!line) return m;
  const [id, name] = line;
  const cell = /^openclaw-cell-(.+)$/.exec(name ?? '');
  if (cell) return { kind: 'openclaw-fleet', runtime: m.runtime, tenant: cell[1]!, container: name!, ownerStateDir: await fleetOwnerOf(h, m.runtime, id!) };
  return { ...m, container: name || id || m.container };
}

/** `<owner state dir>/fleet/cells/<tenant>` is mounted at the cell's `/home/node/.openclaw`. */
async function fleetOwnerOf(h: OpenclawHost, runtime: string, id: string): Promise<string | null> {
  const r = await h.t.run(runtime, ['inspect', '--format', '{{range .Mounts}}{{.Source}}={{.Destination}}\n{{end}}', id], { timeoutMs: 20_000 });
  if (r.exitCode !== 0) return null;
  for (const line of r.stdout.split('\n')) {
    const [source, dest] = line.split('=');
    if (dest === '/home/node/.openclaw' && source) {
      const m = /^(.*)\/fleet\/cells\/[^/]+\/?$/.exec(source);
      return m ? m[1]! : null;
    }
  }
  return null;
}
