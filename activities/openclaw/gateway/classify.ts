/**
 * Which process is the gateway and who manages it, from what /proc showed. Pure, so every rule
 * is testable on what real processes printed. The order matters: respond's own pidfile, then
 * containers and systemd units (from the cgroup, which the process cannot change), then a
 * supervisor among the ancestors, then a plain shell, tmux or nohup start.
 */
import { posix } from 'node:path';
import type { ContainerRuntime, ManagerRef, ProcInfo } from './types.js';

const PRODUCT = /^(openclaw|clawdbot|moltbot)/;
const ENTRY = /^(openclaw|clawdbot|moltbot)(\.mjs|\.js|\.cjs)?$/;
const SHELLS = new Set(['sh', 'bash', 'dash', 'zsh', 'ash', 'ksh', 'fish', 'mksh', 'busybox']);
/** Parents that start a command and do not restart it: killing the child fights nobody. */
const LAUNCHERS = new Set(['sshd', 'sshd-session', 'login', 'su', 'sudo', 'nohup', 'setsid', 'script', 'timeout', 'env', 'xargs', 'node', 'npm', 'npx']);

function base(s: string | undefined): string {
  return s ? posix.basename(s) : '';
}

const JS_RUNTIMES = new Set(['node', 'nodejs', 'bun']);

/**
 * An OpenClaw process: its title, or a JavaScript runtime running the product's entry script.
 * Another interpreter whose arguments mention the entry (a Python watchdog, a shell) is not one.
 */
export function isOpenclawProcess(p: ProcInfo): boolean {
  if (PRODUCT.test(p.comm)) return true;
  const argv0 = base(p.argv[0]);
  if (ENTRY.test(argv0)) return true;
  return (JS_RUNTIMES.has(argv0) || JS_RUNTIMES.has(base(p.exe ?? ''))) && p.argv.slice(1, 3).some((a) => ENTRY.test(base(a)));
}

/** The top-most OpenClaw process above the socket's owner, and the ancestors above it. */
export function splitChain(chain: ProcInfo[]): { gateway: ProcInfo | null; above: ProcInfo[] } {
  if (chain.length === 0) return { gateway: null, above: [] };
  let top = 0;
  while (top + 1 < chain.length && isOpenclawProcess(chain[top + 1]!)) top++;
  return { gateway: chain[top]!, above: chain.slice(top + 1) };
}

const CONTAINER_PATTERNS: Array<{ re: RegExp; runtime: ContainerRuntime }> = [
  { re: /libpod-(?:conmon-)?([0-9a-f]{12,64})/, runtime: 'podman' },
  { re: /\/libpod_parent\/libpod-([0-9a-f]{12,64})/, runtime: 'podman' },
  { re: /docker-([0-9a-f]{12,64})\.scope/, runtime: 'docker' },
  { re: /\/docker\/([0-9a-f]{12,64})/, runtime: 'docker' },
];

export function containerOf(p: ProcInfo): { runtime: ContainerRuntime; id: string } | null {
  for (const line of p.cgroup) {
    for (const { re, runtime } of CONTAINER_PATTERNS) {
      const m = re.exec(line);
      if (m) return { runtime, id: m[1]! };
    }
  }
  return null;
}

/** The systemd unit a process runs in, from its cgroup path (v2 `0::` line or v1 `name=systemd`). */
export function systemdUnitOf(p: ProcInfo): { unit: string; userUid: number | null } | null {
  const line = p.cgroup.find((l) => l.startsWith('0::')) ?? p.cgroup.find((l) => l.includes(':name=systemd:'));
  if (!line) return null;
  const path = line.slice(line.indexOf(':', line.indexOf(':') + 1) + 1);
  const parts = path.split('/').filter(Boolean);
  const userAt = parts.findIndex((s) => /^user@\d+\.service$/.test(s));
  const unit = [...parts].reverse().find((s) => s.endsWith('.service') && !/^user@\d+\.service$/.test(s));
  if (!unit) return null;
  const idx = parts.lastIndexOf(unit);
  if (userAt >= 0 && idx > userAt) return { unit, userUid: Number(/\d+/.exec(parts[userAt]!)![0]) };
  if (userAt >= 0) return null;
  return { unit, userUid: null };
}

function supervisorOf(gateway: ProcInfo, above: ProcInfo[]): ManagerRef | null {
  const parent = above[0];
  if (gateway.env.SUPERVISOR_PROCESS_NAME || parent?.comm === 'supervisord' || parent?.argv.some((a) => base(a) === 'supervisord')) {
    const sup = above.find((p) => p.comm === 'supervisord' || p.argv.some((a) => base(a) === 'supervisord'));
    const name = gateway.env.SUPERVISOR_PROCESS_NAME ?? null;
    const group = gateway.env.SUPERVISOR_GROUP_NAME;
    return {
      kind: 'supervised-other',
      supervisor: 'supervisord',
      name: name && group && group !== name ? `${group}:${name}` : name,
      control: sup ? supervisordConfig(sup) : null,
      pid: gateway.pid,
    };
  }
  if (!parent) return null;
  if (parent.comm === 'runsv') {
    return { kind: 'supervised-other', supervisor: 'runit', name: parent.argv[1] ?? null, control: parent.cwd, pid: gateway.pid };
  }
  if (parent.comm === 's6-supervise') {
    return { kind: 'supervised-other', supervisor: 's6', name: parent.argv[1] ?? null, control: parent.cwd, pid: gateway.pid };
  }
  if (parent.comm === 'supervise') {
    return { kind: 'supervised-other', supervisor: 'daemontools', name: parent.argv[1] ?? null, control: parent.cwd, pid: gateway.pid };
  }
  if (gateway.env.pm_id !== undefined || /^PM2\b/.test(parent.argv[0] ?? '') || parent.comm.startsWith('PM2')) {
    return { kind: 'supervised-other', supervisor: 'pm2', name: gateway.env.pm_id ?? null, control: gateway.env.PM2_HOME ?? null, pid: gateway.pid };
  }
  return null;
}

function supervisordConfig(p: ProcInfo): string | null {
  for (let i = 0; i < p.argv.length; i++) {
    const a = p.argv[i]!;
    if ((a === '-c' || a === '--configuration') && p.argv[i + 1]) return p.argv[i + 1]!;
    if (a.startsWith('--configuration=')) return a.slice('--configuration='.length);
    if (a.startsWith('-c') && a.length > 2) return a.slice(2);
  }
  return null;
}

function bareVia(above: ProcInfo[]): string | null {
  if (above.some((p) => p.comm.startsWith('tmux'))) return 'tmux';
  if (above.some((p) => /^screen$/i.test(p.comm))) return 'screen';
  const parent = above[0];
  if (!parent) return 'detached';
  if (SHELLS.has(parent.comm) || SHELLS.has(base(parent.argv[0]))) return 'shell';
  if (LAUNCHERS.has(parent.comm) || parent.comm.startsWith('npm ')) return parent.comm === 'nohup' || parent.comm === 'setsid' ? 'detached' : 'shell';
  return null;
}

/**
 * `chain` runs from the socket's owner up to (not including) init; `pidfilePid` is the PID in
 * respond's pidfile for this state dir, if any.
 */
export function classifyManager(chain: ProcInfo[], pidfilePid: number | null, ownersReadable: boolean): ManagerRef {
  if (!ownersReadable) {
    return { kind: 'unknown', reason: 'the process owning the port is not visible to this user (run respond as root or as the gateway user)', pid: null };
  }
  const { gateway, above } = splitChain(chain);
  if (!gateway) return { kind: 'none' };
  if (pidfilePid !== null && chain.some((p) => p.pid === pidfilePid)) return { kind: 'respond', pid: pidfilePid };

  const owner = chain[0]!;
  const container = containerOf(gateway);
  if (container) return { kind: 'docker', runtime: container.runtime, container: container.id, pid: gateway.pid };
  if (owner.comm === 'docker-proxy' || owner.comm === 'rootlessport' || owner.comm === 'conmon') {
    return { kind: 'docker', runtime: owner.comm === 'docker-proxy' ? 'docker' : 'podman', container: null, pid: null };
  }
  const unit = systemdUnitOf(gateway);
  if (unit) {
    return unit.userUid === null
      ? { kind: 'systemd-system', unit: unit.unit, pid: gateway.pid }
      : { kind: 'systemd-user', unit: unit.unit, uid: unit.userUid, user: gateway.user, pid: gateway.pid };
  }
  if (!isOpenclawProcess(gateway)) {
    return { kind: 'unknown', reason: `port is held by ${gateway.comm} (pid ${gateway.pid}), not an OpenClaw process`, pid: gateway.pid };
  }
  const supervised = supervisorOf(gateway, above);
  if (supervised) return supervised;
  const via = bareVia(above);
  if (!via) {
    const parent = above[0]!;
    return {
      kind: 'unknown',
      reason: `started by ${parent.comm} (pid ${parent.pid}), which respond does not recognise as a shell or a supervisor it can drive`,
      pid: gateway.pid,
    };
  }
  const recorded = gateway.argv.length > 1 && gateway.argv.includes('gateway');
  return { kind: 'bare', pid: gateway.pid, via, argv: recorded ? 'recorded' : 'reconstructed' };
}
