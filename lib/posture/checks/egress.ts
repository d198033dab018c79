/**
 * `egress`: the gateway's current outbound TCP connections (the process and its children, from
 * the host's sockets) against the egress allowlist. Loopback peers are always fine. Allowlist
 * entries are `IP`, `IP:port`, `CIDR` or `CIDR:port` (`*` for any port); names are not resolved,
 * since the host and the worker may not agree on DNS.
 */
import { BlockList, isIP } from 'node:net';
import { isLoopbackAddress } from '../../../activities/openclaw/gateway/discover.js';
import { addressOf } from './bind.js';
import { result, type PostureCheck } from '../types.js';

// The gateway's pid and every descendant, then their established TCP sockets.
const PROBE = `
[ -n "$RESPOND_GW_PID" ] || { echo "gateway not running"; exit 3; }
pids="$RESPOND_GW_PID"; frontier="$RESPOND_GW_PID"
while [ -n "$frontier" ]; do
  next=""
  for p in $frontier; do
    for c in $(cat /proc/$p/task/*/children 2>/dev/null); do pids="$pids $c"; next="$next $c"; done
  done
  frontier="$next"
done
echo "pids $pids"
ss -Htnp state established 2>/dev/null
`;

export interface Connection {
  peer: string;
  port: number;
  pid: number;
}

export function connectionsOf(out: string): { pids: number[]; connections: Connection[] } {
  const lines = out.split('\n');
  const pids = (lines.find((l) => l.startsWith('pids '))?.slice(5).trim().split(/\s+/) ?? []).map(Number).filter(Number.isInteger);
  const mine = new Set(pids);
  const connections: Connection[] = [];
  for (const line of lines) {
    const cols = line.trim().split(/\s+/);
    // state established: Recv-Q Send-Q Local Peer Process
    if (cols.length < 5 || !/users:/.test(line)) continue;
    const peer = cols[3]!;
    const owner = [...line.matchAll(/pid=(\d+)/g)].map((m) => Number(m[1])).find((p) => mine.has(p));
    if (owner === undefined) continue;
    const i = peer.lastIndexOf(':');
    connections.push({ peer: addressOf(peer), port: Number(peer.slice(i + 1)), pid: owner });
  }
  return { pids, connections };
}

export function allowedBy(allowlist: readonly string[], addr: string, port: number): boolean {
  const v = isIP(addr);
  if (!v) return false;
  for (const entry of allowlist) {
    const m = /^(\[?[0-9a-fA-F.:]+\]?(?:\/\d{1,3})?)(?::(\d+|\*))?$/.exec(entry.trim());
    if (!m) continue;
    const [net, bitsText] = m[1]!.replace(/^\[|\]$/g, '').split('/');
    if (m[2] && m[2] !== '*' && Number(m[2]) !== port) continue;
    const kind = isIP(net!) === 6 ? 'ipv6' : 'ipv4';
    if (isIP(net!) === 0 || (kind === 'ipv4') !== (v === 4)) continue;
    const list = new BlockList();
    if (bitsText === undefined) list.addAddress(net!, kind);
    else list.addSubnet(net!, Number(bitsText), kind);
    if (list.check(addr, kind)) return true;
  }
  return false;
}

export const egressCheck: PostureCheck = {
  id: 'egress',
  reads: "established TCP connections of the gateway process and its children (/proc children, ss -Htnp) against the posture settings' egressAllowlist",
  probes: { 'egress.connections': PROBE },
  evaluate({ gateway, probe, settings }) {
    const p = probe['egress.connections'];
    if (!gateway.live || !gateway.pid) return result('egress', 'unknown', 'gateway not running: no connections to judge', {});
    if (!p) return result('egress', 'unknown', 'connection probe gave no output', {});
    const { pids, connections } = connectionsOf(p.out);
    const outbound = connections.filter((c) => !isLoopbackAddress(c.peer));
    const unknown = outbound.filter((c) => !allowedBy(settings.egressAllowlist, c.peer, c.port));
    const evidence = { pids, outbound: outbound.map((c) => `${c.peer}:${c.port}`), unknown: [...new Set(unknown.map((c) => `${c.peer}:${c.port}`))], allowlist: settings.egressAllowlist };
    if (unknown.length === 0) return result('egress', 'pass', outbound.length ? `${outbound.length} outbound connection(s), all allowlisted` : 'no outbound connections', evidence);
    return result('egress', 'fail', `connections to unknown destinations: ${evidence.unknown.join(', ')}`, evidence, {
      text: 'find which skill or channel opened them (respond start clawhavoc collects evidence); if legitimate, add them to egressAllowlist in the posture settings',
    });
  },
};
