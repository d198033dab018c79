/**
 * The part of a Caddyfile that says whether a site reverse-proxies a port and with TLS. Caddy
 * turns HTTPS on by itself for a site with a host name or IP (its own CA for localhost and IPs);
 * a bare `:port` or an `http://` address, or `auto_https off` without a `tls` line, is plain.
 */

export interface CaddySite {
  addresses: string[];
  tls: boolean;
  /** reverse_proxy upstreams as host:port. */
  targets: string[];
}

interface Block {
  head: string[];
  lines: string[][];
  children: Block[];
}

function parse(text: string): Block {
  const root: Block = { head: [], lines: [], children: [] };
  const stack = [root];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/(^|\s)#.*$/, '').trim();
    if (!line) continue;
    const words = line.split(/\s+/);
    const top = stack[stack.length - 1]!;
    if (words[words.length - 1] === '{') {
      const b: Block = { head: words.slice(0, -1), lines: [], children: [] };
      top.children.push(b);
      stack.push(b);
    } else if (line === '}') {
      if (stack.length > 1) stack.pop();
    } else top.lines.push(words);
  }
  return root;
}

function allLines(b: Block): string[][] {
  return [...b.lines, ...b.children.flatMap((c) => [c.head, ...allLines(c)])];
}

function upstream(u: string): string | null {
  const rest = u.replace(/^(https?|h2c):\/\//, '').replace(/\/.*$/, '');
  const m = /^(\[[^\]]+\]|[^:]*)(?::(\d+))?$/.exec(rest);
  if (!m || u.startsWith('unix/') || u.includes('{')) return null;
  const port = m[2] ? Number(m[2]) : u.startsWith('https://') ? 443 : 80;
  return `${m[1]!.replace(/^\[|\]$/g, '') || 'localhost'}:${port}`;
}

function siteTls(addr: string, autoHttpsOff: boolean, tlsLine: boolean): boolean {
  if (tlsLine) return true;
  if (autoHttpsOff || addr.startsWith('http://')) return false;
  if (addr.startsWith('https://')) return true;
  const m = /^(\[[^\]]+\]|[^:/]*)(?::(\d+))?/.exec(addr)!;
  return m[1] !== '' && m[2] !== '80';
}

export function caddySites(text: string): CaddySite[] {
  const root = parse(text);
  const global = root.children.find((c) => c.head.length === 0);
  const autoHttpsOff = global ? global.lines.some((l) => l[0] === 'auto_https' && l[1] === 'off') : false;
  const sites: CaddySite[] = [];
  for (const b of root.children) {
    if (b.head.length === 0 || b.head[0]!.startsWith('(')) continue;
    const addresses = b.head.join(' ').split(/[,\s]+/).filter(Boolean);
    const lines = allLines(b);
    const tlsLine = lines.some((l) => l[0] === 'tls');
    const targets: string[] = [];
    for (const l of lines) {
      const ups = l[0] === 'reverse_proxy' ? l.slice(1).filter((w) => !/^[/@*]/.test(w)) : l[0] === 'to' ? l.slice(1) : [];
      for (const u of ups) {
        const t = upstream(u);
        if (t) targets.push(t);
      }
    }
    sites.push({ addresses, tls: addresses.every((a) => siteTls(a, autoHttpsOff, tlsLine)), targets });
  }
  return sites;
}
