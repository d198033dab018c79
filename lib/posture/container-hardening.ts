/**
 * One container's hardening, read from either a live container (`podman/docker inspect`, plus
 * the bounding set and no_new_privs of its process when /proc shows them) or a compose service,
 * and the items it fails. Both sources become the same shape, so the two are judged alike.
 */
import { isLoopbackAddress } from '../../activities/openclaw/gateway/discover.js';

export interface PortPublish {
  hostIp: string;
  hostPort: string;
  containerPort: string;
}

export interface Hardening {
  user: string | null;
  readOnly: boolean;
  noNewPrivileges: boolean;
  allCapsDropped: boolean;
  capAdd: string[];
  memory: string | null;
  /** Maximum processes; null when unlimited. */
  pidsLimit: number | null;
  privileged: boolean;
  socketMounts: string[];
  ports: PortPublish[];
  networkHost: boolean;
}

export interface Failing {
  item: string;
  severity: 'fail' | 'warn';
  detail: string;
}

// The capabilities Docker and Podman grant by default: dropping all of them is `--cap-drop ALL`.
const DEFAULT_CAPS = ['AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE', 'NET_RAW', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT'];
const SOCKET = /(^|\/)(docker|podman|containerd)\.sock$/;
const NO_NEW_PRIVS = /^no-new-privileges([:=]true)?$/;

/** Each mount that carries a runtime socket, once, by where the container sees it. */
function socketsIn(mounts: Array<[string, string]>): string[] {
  return [...new Set(mounts.filter(([s, t]) => SOCKET.test(s) || SOCKET.test(t)).map(([s, t]) => (SOCKET.test(t) ? t : `${t} (from ${s})`)))];
}

const capName = (c: string) => c.toUpperCase().replace(/^CAP_/, '');

function isRoot(user: string): boolean {
  return /^(root|0)(:.*)?$/.test(user.trim());
}

/**
 * `hardening-guide`: the self-hosting hardening baseline. `openclaw-fleet`: what `openclaw fleet`
 * promises for every cell (docs/cli/fleet.md, Security profile: caps dropped, no-new-privileges,
 * pids and memory limits, loopback publishing, no socket, not privileged); a fleet cell's
 * writable root and image user are outside that promise, so they only warn.
 */
export type Profile = 'hardening-guide' | 'openclaw-fleet';

export function failures(h: Hardening, profile: Profile = 'hardening-guide'): Failing[] {
  const out: Failing[] = [];
  const guide = profile === 'hardening-guide' ? 'fail' : 'warn';
  if (h.user === null) out.push({ item: 'user', severity: 'warn', detail: "no user set: the image's USER decides" });
  else if (h.user === '' || isRoot(h.user)) out.push({ item: 'user', severity: guide, detail: `runs as root (user "${h.user}")` });
  if (h.privileged) out.push({ item: 'privileged', severity: 'fail', detail: 'privileged container' });
  if (!h.readOnly) out.push({ item: 'read-only', severity: guide, detail: 'root filesystem is writable' });
  if (!h.noNewPrivileges) out.push({ item: 'no-new-privileges', severity: 'fail', detail: 'no-new-privileges not set' });
  if (!h.allCapsDropped) out.push({ item: 'cap-drop', severity: 'fail', detail: 'capabilities not all dropped (cap_drop ALL)' });
  if (h.capAdd.length) out.push({ item: 'cap-add', severity: 'fail', detail: `capabilities added: ${h.capAdd.join(', ')}` });
  if (!h.memory) out.push({ item: 'memory', severity: 'fail', detail: 'no memory limit' });
  if (h.pidsLimit === null) out.push({ item: 'pids', severity: profile === 'openclaw-fleet' ? 'fail' : 'warn', detail: 'no process limit (pids)' });
  if (h.networkHost) out.push({ item: 'network', severity: 'fail', detail: 'host networking' });
  for (const s of h.socketMounts) out.push({ item: 'socket', severity: 'fail', detail: `container runtime socket mounted: ${s}` });
  for (const p of h.ports) {
    if (!isLoopbackAddress(p.hostIp.replace(/^\[|\]$/g, ''))) out.push({ item: 'ports', severity: 'fail', detail: `port ${p.containerPort} published on ${p.hostIp || 'all interfaces'}:${p.hostPort || '(random)'}` });
  }
  return out;
}

export interface InspectLine {
  Name: string;
  Id: string;
  Image: string;
  User: string;
  StatePid: number;
  EffectiveCaps?: string[] | null;
  HostConfig: {
    Binds?: string[] | null;
    CapAdd?: string[] | null;
    CapDrop?: string[] | null;
    SecurityOpt?: string[] | null;
    ReadonlyRootfs?: boolean;
    Privileged?: boolean;
    Memory?: number;
    PidsLimit?: number | null;
    NetworkMode?: string;
    PortBindings?: Record<string, Array<{ HostIp: string; HostPort: string }> | null> | null;
  };
  Mounts?: Array<{ Source?: string; Destination?: string }> | null;
}

/** From /proc/<pid>/status of the container's process: what it can ever hold. */
export interface ProcCaps {
  capBnd: bigint | null;
  noNewPrivs: boolean | null;
}

export function fromInspect(c: InspectLine, proc: ProcCaps): Hardening {
  const hc = c.HostConfig;
  const drop = (hc.CapDrop ?? []).map(capName);
  const add = (hc.CapAdd ?? []).map(capName);
  const allCapsDropped =
    proc.capBnd !== null ? proc.capBnd === 0n : c.EffectiveCaps !== undefined ? (c.EffectiveCaps ?? []).length === 0 : drop.includes('ALL') || (DEFAULT_CAPS.every((k) => drop.includes(k)) && add.length === 0);
  const mounts: Array<[string, string]> = [...(c.Mounts ?? []).map((m): [string, string] => [m.Source ?? '', m.Destination ?? '']), ...(hc.Binds ?? []).map(bindEnds)];
  const ports = Object.entries(hc.PortBindings ?? {}).flatMap(([cp, binds]) => (binds ?? []).map((b) => ({ hostIp: b.HostIp ?? '', hostPort: b.HostPort ?? '', containerPort: cp })));
  return {
    user: c.User ?? '',
    readOnly: hc.ReadonlyRootfs === true,
    noNewPrivileges: proc.noNewPrivs ?? (hc.SecurityOpt ?? []).some((o) => NO_NEW_PRIVS.test(o)),
    allCapsDropped,
    capAdd: allCapsDropped ? [] : add,
    memory: hc.Memory ? `${Math.round(hc.Memory / 1048576)}m` : null,
    // 0 and -1 mean unlimited to both runtimes.
    pidsLimit: hc.PidsLimit && hc.PidsLimit > 0 ? hc.PidsLimit : null,
    privileged: hc.Privileged === true,
    socketMounts: socketsIn(mounts),
    ports,
    networkHost: hc.NetworkMode === 'host',
  };
}

function composePort(p: unknown): PortPublish | null {
  if (p && typeof p === 'object') {
    const o = p as { target?: unknown; published?: unknown; host_ip?: unknown };
    return o.published === undefined ? null : { hostIp: String(o.host_ip ?? ''), hostPort: String(o.published), containerPort: String(o.target ?? '') };
  }
  const text = String(p).replace(/\/(tcp|udp|sctp)$/, '');
  const v6 = /^(\[[^\]]+\]):(.*)$/.exec(text);
  const parts = v6 ? [v6[1]!, ...v6[2]!.split(':')] : text.split(':');
  if (parts.length === 1) return { hostIp: '', hostPort: '', containerPort: parts[0]! };
  if (parts.length === 2) return { hostIp: '', hostPort: parts[0]!, containerPort: parts[1]! };
  return { hostIp: parts[0]!, hostPort: parts[1]!, containerPort: parts[2]! };
}

function bindEnds(b: string): [string, string] {
  const [source = '', target = source] = b.split(':');
  return [source, target];
}

function volumeEnds(v: unknown): [string, string] {
  if (v && typeof v === 'object') {
    const o = v as { source?: unknown; target?: unknown };
    return [String(o.source ?? ''), String(o.target ?? '')];
  }
  return bindEnds(String(v));
}

const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]);

export function fromCompose(svc: Record<string, unknown>): Hardening {
  const drop = list(svc.cap_drop).map((c) => capName(String(c)));
  const limits = (svc.deploy as { resources?: { limits?: { memory?: unknown; pids?: unknown } } } | undefined)?.resources?.limits;
  const memory = svc.mem_limit ?? limits?.memory;
  const pids = Number(svc.pids_limit ?? limits?.pids);
  return {
    user: svc.user === undefined || svc.user === null ? null : String(svc.user),
    readOnly: svc.read_only === true,
    noNewPrivileges: list(svc.security_opt).some((o) => NO_NEW_PRIVS.test(String(o))),
    allCapsDropped: drop.includes('ALL'),
    capAdd: list(svc.cap_add).map((c) => capName(String(c))),
    memory: memory === undefined || memory === null ? null : String(memory),
    pidsLimit: Number.isFinite(pids) && pids > 0 ? pids : null,
    privileged: svc.privileged === true,
    socketMounts: socketsIn(list(svc.volumes).map(volumeEnds)),
    ports: list(svc.ports).map(composePort).filter((p): p is PortPublish => p !== null),
    networkHost: svc.network_mode === 'host',
  };
}
