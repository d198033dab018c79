/**
 * `bind`: the configured bind and every live listening socket of the gateway process are
 * loopback. The sockets come from the host (`ss`), not the config: a gateway started with
 * `--bind lan` from a shell listens on every address whatever the file says.
 */
import { isLoopbackAddress } from '../../../activities/openclaw/gateway/discover.js';
import { result, type PostureCheck } from '../types.js';

const LOOPBACK_BINDS = new Set(['loopback', 'localhost', '127.0.0.1', '::1']);

/** `ss -Hltnup` lines of one pid: local address:port of each. */
export function socketsOfPid(ssOut: string, pid: number): string[] {
  const out: string[] = [];
  for (const line of ssOut.split('\n')) {
    if (!line.includes(`pid=${pid},`)) continue;
    const cols = line.trim().split(/\s+/);
    // Netid State Recv-Q Send-Q Local Peer Process (udp rows have the same columns).
    const local = cols[4];
    if (local) out.push(local);
  }
  return [...new Set(out)];
}

export function addressOf(local: string): string {
  const i = local.lastIndexOf(':');
  return (i < 0 ? local : local.slice(0, i)).replace(/^\[|\]$/g, '').replace(/%.*$/, '');
}

export const bindCheck: PostureCheck = {
  id: 'bind',
  reads: "gateway.bind in the config, and every TCP/UDP socket the gateway process listens on (ss -Hltnup)",
  probes: { 'bind.sockets': 'ss -Hltnup 2>/dev/null || ss -Hltnu' },
  evaluate({ gateway, probe }) {
    const configured = gateway.bind;
    const configOk = LOOPBACK_BINDS.has(configured);
    const sockets = gateway.pid && probe['bind.sockets'] ? socketsOfPid(probe['bind.sockets'].out, gateway.pid) : [];
    const live = [...new Set([...gateway.listening.map((a) => `${a}:${gateway.port}`), ...sockets])];
    const exposed = live.filter((l) => !isLoopbackAddress(addressOf(l)));
    const evidence = { configured, live: gateway.live, listening: live };
    const fix = { runbook: 'harden', step: 'bind', text: 'respond start harden (sets gateway.bind loopback and restarts the gateway), or: openclaw config set gateway.bind loopback, then restart it' };
    if (exposed.length > 0) return result('bind', 'fail', `gateway listens on ${exposed.join(', ')}`, evidence, fix);
    if (!configOk) return result('bind', 'fail', `gateway.bind is "${configured}"${gateway.live ? '' : ' (gateway not running)'}`, evidence, fix);
    if (!gateway.live) return result('bind', 'pass', 'gateway.bind loopback; gateway not running', evidence);
    if (gateway.pid && !probe['bind.sockets']?.out.includes('pid=')) {
      return result('bind', 'pass', `loopback only on port ${gateway.port} (other sockets of the process not visible without root)`, evidence);
    }
    return result('bind', 'pass', `loopback only (${live.join(', ') || `port ${gateway.port}`})`, evidence);
  },
};
