/** What a host listens on and whether it has IPv6 beyond loopback, from `ss` and /proc. Pure. */

export interface Listener {
  address: string;
  port: number;
  /** Which IP versions can reach it (`*` and `[::]` sockets take IPv4 too unless v6only). */
  families: Array<'ipv4' | 'ipv6'>;
}

/** `ss -Hltn` lines: `LISTEN 0 511 10.0.0.5:8080 0.0.0.0:*`. Loopback listeners are left out. */
export function exposedListeners(ssOut: string): Listener[] {
  const out: Listener[] = [];
  const seen = new Set<string>();
  for (const line of ssOut.split('\n')) {
    const local = line.trim().split(/\s+/)[3];
    const m = local && /^(.*):(\d+)$/.exec(local);
    if (!m) continue;
    const address = m[1]!.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
    const port = Number(m[2]);
    if (isLoopback(address) || seen.has(`${address}:${port}`)) continue;
    seen.add(`${address}:${port}`);
    const families: Listener['families'] = address === '*' || address === '::' ? ['ipv4', 'ipv6'] : address.includes(':') && !address.startsWith('::ffff:') ? ['ipv6'] : ['ipv4'];
    out.push({ address, port, families });
  }
  return out;
}

function isLoopback(a: string): boolean {
  return /^127\./.test(a) || a === '::1' || /^::ffff:127\./.test(a);
}

/** /proc/net/if_inet6: one address a line, the interface last. Link-local counts: it is reachable from the segment. */
export function ipv6BeyondLoopback(ifInet6: string): boolean {
  return ifInet6.split('\n').some((l) => {
    const f = l.trim().split(/\s+/);
    return f.length >= 6 && f[5] !== 'lo';
  });
}
