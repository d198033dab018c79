/**
 * `proxy-tls`: a gateway reachable from elsewhere is reached over TLS: a TLS-terminating nginx or
 * Caddy in front of its loopback port, Tailscale Serve/Funnel, or the gateway's own
 * `gateway.tls.enabled`. nginx's config is what the running master really loaded (`nginx -T`
 * with its own -p/-c), not whatever sits in /etc; a config no running server uses protects
 * nothing and is only shown.
 */
import { getPath } from '../../../activities/openclaw/config.js';
import { isLoopbackAddress } from '../../../activities/openclaw/gateway/discover.js';
import { caddySites } from '../caddyfile.js';
import { nginxServers, resolveIncludes, splitDump } from '../nginx-conf.js';
import { result, type PostureCheck, type PostureGateway } from '../types.js';

// One section per config: running masters first (with the -p/-c they were started with, read back
// from their retitled command line), then the package default when no master uses it.
const NGINX = `
seen=" "
dump() { # pid exe prefix conf
  echo "@@nginx pid=$1 conf=$4"
  if [ -n "$3" ]; then "$2" -T -q -p "$3" \${4:+-c "$4"}; else "$2" -T -q \${4:+-c "$4"}; fi
  echo "@@nginx-exit $?"
}
for d in /proc/[0-9]*; do
  t=$(tr '\\0' ' ' < "$d/cmdline" 2>/dev/null) || continue
  case "$t" in "nginx: master process "*) ;; *) continue;; esac
  exe=$(readlink "$d/exe" 2>/dev/null | sed 's/ (deleted)$//')
  set -f; set -- \${t#nginx: master process }; set +f
  [ -x "$exe" ] || exe=$1
  shift
  prefix=""; conf=""
  while [ $# -gt 0 ]; do
    case "$1" in -p) prefix=$2; shift;; -c) conf=$2; shift;; esac
    [ $# -gt 0 ] && shift
  done
  [ -n "$conf" ] || conf=$("$exe" -V 2>&1 | sed -n 's/.*--conf-path=\\([^ ]*\\).*/\\1/p')
  seen="$seen$conf "
  dump "\${d#/proc/}" "$exe" "$prefix" "$conf"
done
n=$(command -v nginx || { [ -x /usr/sbin/nginx ] && echo /usr/sbin/nginx; })
if [ -n "$n" ]; then
  def=$("$n" -V 2>&1 | sed -n 's/.*--conf-path=\\([^ ]*\\).*/\\1/p')
  def=\${def:-/etc/nginx/nginx.conf}
  case "$seen" in *" $def "*) ;; *) [ -f "$def" ] && dump none "$n" "" "$def";; esac
fi
exit 0
`;

// Caddy's config is the --config file of a running caddy (else its cwd's Caddyfile), plus the
// package default; JSON configs are named but not read.
const CADDY = `
seen=" "
for d in /proc/[0-9]*; do
  case "$(readlink "$d/exe" 2>/dev/null)" in */caddy) ;; *) continue;; esac
  f=$(tr '\\0' '\\n' < "$d/cmdline" | sed -n '/^--config$/{n;p;}' | head -1)
  case "$f" in "") f="$d/cwd/Caddyfile";; /*) ;; *) f="$d/cwd/$f";; esac
  seen="$seen$f "
  echo "@@caddy pid=\${d#/proc/} file=$f"; cat "$f"; echo
done
for f in /etc/caddy/Caddyfile "$RESPOND_HOME/Caddyfile"; do
  case "$seen" in *" $f "*) continue;; esac
  [ -f "$f" ] && { echo "@@caddy pid=none file=$f"; cat "$f"; echo; }
done
exit 0
`;

/** A proxy site whose upstream is this gateway. */
interface Front {
  server: 'nginx' | 'caddy';
  running: boolean;
  file: string;
  listens: string[];
  names: string[];
  tls: boolean;
}

function isGatewayTarget(target: string, gw: PostureGateway): boolean {
  const i = target.lastIndexOf(':');
  const host = target.slice(0, i);
  if (Number(target.slice(i + 1)) !== gw.port) return false;
  return host === 'localhost' || isLoopbackAddress(host) || gw.listening.includes(host);
}

export function nginxFronts(out: string, gw: PostureGateway): { fronts: Front[]; errors: string[]; configs: string[] } {
  const fronts: Front[] = [];
  const errors: string[] = [];
  const configs: string[] = [];
  const re = /^@@nginx pid=(\S+) conf=(.*)\n([\s\S]*?)^@@nginx-exit (\d+)$/gm;
  for (const m of out.matchAll(re)) {
    const [, pid, conf, dump, code] = m;
    const running = pid !== 'none';
    configs.push(`${conf}${running ? ` (master pid ${pid})` : ' (no master running it)'}`);
    if (code !== '0') {
      if (running) errors.push(`nginx -T for master ${pid} (${conf}) exited ${code}: ${dump!.trim().split('\n').slice(-1)[0]}`);
      continue;
    }
    const files = splitDump(dump!);
    const main = files.has(conf!) ? conf! : [...files.keys()][0]!;
    for (const s of nginxServers(resolveIncludes(files, main))) {
      if (s.targets.some((t) => isGatewayTarget(t, gw))) fronts.push({ server: 'nginx', running, file: s.file, listens: s.listens, names: s.names, tls: s.tls });
    }
  }
  return { fronts, errors, configs };
}

export function caddyFronts(out: string, gw: PostureGateway): { fronts: Front[]; configs: string[] } {
  const fronts: Front[] = [];
  const configs: string[] = [];
  const re = /^@@caddy pid=(\S+) file=(.*)\n([\s\S]*?)(?=^@@caddy |(?![\s\S]))/gm;
  for (const m of out.matchAll(re)) {
    const [, pid, file, text] = m;
    configs.push(`${file}${pid !== 'none' ? ` (caddy pid ${pid})` : ' (no caddy running it)'}`);
    if (file!.endsWith('.json')) continue;
    for (const s of caddySites(text!)) {
      if (s.targets.some((t) => isGatewayTarget(t, gw))) fronts.push({ server: 'caddy', running: pid !== 'none', file: file!, listens: s.addresses, names: [], tls: s.tls });
    }
  }
  return { fronts, configs };
}

/** Why the gateway counts as reachable from elsewhere; empty when it is loopback only. */
function exposure(gw: PostureGateway): string[] {
  const why: string[] = [];
  if (!['loopback', 'localhost', '127.0.0.1', '::1'].includes(gw.bind)) why.push(`gateway.bind ${gw.bind}`);
  const off = gw.listening.filter((a) => !isLoopbackAddress(a));
  if (off.length) why.push(`listens on ${off.join(', ')}`);
  if (getPath(gw.config, ['gateway', 'mode']) === 'remote') why.push('gateway.mode remote');
  // An SSH tunnel (the default transport) is encrypted already; only `direct` reaches the port itself.
  if (getPath(gw.config, ['gateway', 'remote', 'transport']) === 'direct') why.push('gateway.remote.transport direct');
  return why;
}

export function nginxServerBlock(port: number): string {
  return [
    'server {',
    '    listen 443 ssl http2;',
    '    server_name gateway.example.com;',
    '    ssl_certificate     /etc/ssl/certs/gateway.crt;',
    '    ssl_certificate_key /etc/ssl/private/gateway.key;',
    '    ssl_protocols TLSv1.2 TLSv1.3;',
    '    location / {',
    `        proxy_pass http://127.0.0.1:${port};`,
    '        proxy_http_version 1.1;',
    '        proxy_set_header Upgrade $http_upgrade;',
    '        proxy_set_header Connection "upgrade";',
    '        proxy_set_header Host $host;',
    '        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;',
    '        proxy_set_header X-Forwarded-Proto https;',
    '        proxy_read_timeout 3600s;',
    '    }',
    '}',
  ].join('\n');
}

function describe(f: Front): string {
  return `${f.server} ${f.file} listen ${f.listens.join(' / ')}${f.running ? '' : ' (not running)'}`;
}

export const proxyTlsCheck: PostureCheck = {
  id: 'proxy-tls',
  reads: 'the config each running nginx master loaded (nginx -T with its -p/-c) and the default one, Caddyfiles of running caddy and /etc/caddy, and gateway.bind/tls/mode/remote/tailscale in the config',
  probes: { 'proxy-tls.nginx': NGINX, 'proxy-tls.caddy': CADDY },
  evaluate({ gateway, probe }) {
    const nginx = nginxFronts(probe['proxy-tls.nginx']?.out ?? '', gateway);
    const caddy = caddyFronts(probe['proxy-tls.caddy']?.out ?? '', gateway);
    const fronts = [...nginx.fronts, ...caddy.fronts];
    const live = fronts.filter((f) => f.running);
    const plain = live.filter((f) => !f.tls);
    const tlsFronts = live.filter((f) => f.tls);
    const gatewayTls = getPath(gateway.config, ['gateway', 'tls', 'enabled']) === true;
    const tailscale = getPath(gateway.config, ['gateway', 'tailscale', 'mode']);
    const tailscaleTls = tailscale === 'serve' || tailscale === 'funnel';
    const why = exposure(gateway);
    const evidence = {
      port: gateway.port,
      exposure: why,
      proxies: fronts,
      gatewayTls,
      tailscale: tailscale ?? null,
      nginxConfigs: nginx.configs,
      caddyConfigs: caddy.configs,
      errors: nginx.errors,
    };
    const fix = {
      text: `put a TLS-terminating reverse proxy in front of the gateway's loopback port (nginx server block below, then nginx -t && nginx -s reload), drop any plain-HTTP proxy of it, and keep gateway.bind loopback; or set gateway.tls.enabled true`,
      commands: [nginxServerBlock(gateway.port)],
    };
    if (plain.length) return result('proxy-tls', 'fail', `plain-HTTP proxy of port ${gateway.port}: ${plain.map(describe).join('; ')}`, evidence, fix);
    const direct = why.length ? ` (the gateway itself is still reachable directly: ${why.join(', ')}; see bind)` : '';
    if (tlsFronts.length) return result('proxy-tls', 'pass', `TLS proxy in front: ${tlsFronts.map(describe).join('; ')}${direct}`, evidence);
    if (gatewayTls) return result('proxy-tls', 'pass', `gateway.tls.enabled: the gateway serves HTTPS/WSS itself${why.length ? ` (${why.join(', ')})` : ''}`, evidence);
    if (tailscaleTls) return result('proxy-tls', 'pass', `Tailscale ${tailscale} terminates TLS in front of the gateway`, evidence);
    // A running nginx whose config could not be read may be the TLS front: neither verdict holds.
    if (nginx.errors.length) return result('proxy-tls', 'unknown', `cannot tell whether nginx proxies port ${gateway.port}: ${nginx.errors.join('; ')}`, evidence);
    if (why.length) {
      const idle = fronts.length ? `; configured but not running: ${fronts.map(describe).join('; ')}` : '';
      return result('proxy-tls', 'fail', `gateway reachable from elsewhere (${why.join(', ')}) with no TLS proxy and gateway.tls off${idle}`, evidence, fix);
    }
    return result('proxy-tls', 'pass', `loopback only and no running proxy names port ${gateway.port}: nothing to put TLS in front of`, evidence);
  },
};
