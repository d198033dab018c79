/**
 * Reads what `nginx -T` prints: every file of the running config, each behind a
 * `# configuration file PATH:` line, with `include` left as written. The includes are put back
 * in place here (by matching the dumped paths), so a server block in sites-enabled is seen
 * inside its `http` block as nginx itself sees it.
 */

export interface NginxDirective {
  name: string;
  args: string[];
  block?: NginxDirective[];
}

/** One server block that proxies somewhere: where it listens, whether TLS, where it proxies. */
export interface NginxServer {
  context: 'http' | 'stream';
  file: string;
  names: string[];
  listens: string[];
  tls: boolean;
  /** proxy_pass targets as host:port (upstream names expanded to their servers). */
  targets: string[];
}

export function splitDump(dump: string): Map<string, string> {
  const files = new Map<string, string>();
  const re = /^# configuration file (.+):$/gm;
  const heads = [...dump.matchAll(re)];
  heads.forEach((m, i) => {
    const start = m.index! + m[0].length + 1;
    const end = i + 1 < heads.length ? heads[i + 1]!.index! : dump.length;
    if (!files.has(m[1]!)) files.set(m[1]!, dump.slice(start, end));
  });
  return files;
}

function tokens(text: string): string[] {
  const out: string[] = [];
  const re = /#[^\n]*|"((?:\\.|[^"\\])*)"|'((?:\\.|[^'\\])*)'|([{};])|([^\s{};"'#][^\s{};]*)/g;
  for (const m of text.matchAll(re)) {
    if (m[0].startsWith('#')) continue;
    out.push(m[1] ?? m[2] ?? m[3] ?? m[4]!);
  }
  return out;
}

export function parseNginx(text: string): NginxDirective[] {
  const toks = tokens(text);
  let i = 0;
  const list = (): NginxDirective[] => {
    const out: NginxDirective[] = [];
    while (i < toks.length && toks[i] !== '}') {
      const words: string[] = [];
      while (i < toks.length && !['{', ';', '}'].includes(toks[i]!)) words.push(toks[i++]!);
      const d: NginxDirective = { name: words[0] ?? '', args: words.slice(1) };
      if (toks[i] === '{') {
        i++;
        d.block = list();
        i++;
      } else if (toks[i] === ';') i++;
      if (d.name) out.push(d);
    }
    return out;
  };
  return list();
}

function globRe(pattern: string): RegExp {
  const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]');
  return new RegExp(`^${body}$`);
}

/** The main file's directives with every include replaced by the dumped files it names. */
export function resolveIncludes(files: Map<string, string>, main: string): NginxDirective[] {
  const prefix = main.slice(0, main.lastIndexOf('/') + 1);
  const expand = (ds: NginxDirective[], file: string, depth: number): Array<NginxDirective & { file: string }> =>
    ds.flatMap((d) => {
      if (d.name === 'include' && d.block === undefined && depth < 16) {
        const pattern = d.args[0]?.startsWith('/') ? d.args[0] : prefix + (d.args[0] ?? '');
        const re = globRe(pattern);
        const names = [...files.keys()].filter((f) => re.test(f)).sort();
        return names.flatMap((f) => expand(parseNginx(files.get(f)!), f, depth + 1));
      }
      return [{ ...d, file, ...(d.block ? { block: expand(d.block, file, depth) } : {}) }];
    });
  return expand(parseNginx(files.get(main) ?? ''), main, 0);
}

function targetOf(raw: string, context: 'http' | 'stream'): { host: string; port: number | null } | null {
  if (raw.includes('$') || raw.startsWith('unix:')) return null;
  const scheme = /^([a-z]+):\/\//.exec(raw)?.[1];
  const rest = raw.replace(/^[a-z]+:\/\//, '').replace(/\/.*$/, '');
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(rest);
  if (!m) return null;
  const fallback = context === 'stream' ? null : scheme === 'https' || scheme === 'grpcs' ? 443 : 80;
  return { host: m[1]!.replace(/^\[|\]$/g, ''), port: m[2] ? Number(m[2]) : fallback };
}

function walk(ds: NginxDirective[], visit: (d: NginxDirective) => void): void {
  for (const d of ds) {
    visit(d);
    if (d.block) walk(d.block, visit);
  }
}

export function nginxServers(tree: Array<NginxDirective & { file?: string }>): NginxServer[] {
  const out: NginxServer[] = [];
  for (const top of tree) {
    if ((top.name !== 'http' && top.name !== 'stream') || !top.block) continue;
    const context = top.name;
    const upstreams = new Map<string, string[]>();
    for (const u of top.block.filter((d) => d.name === 'upstream' && d.block)) {
      upstreams.set(u.args[0] ?? '', u.block!.filter((d) => d.name === 'server').map((d) => d.args[0] ?? ''));
    }
    for (const s of top.block.filter((d) => d.name === 'server' && d.block)) {
      const listens: string[] = [];
      const names: string[] = [];
      let sslOn = false;
      const targets: string[] = [];
      walk(s.block!, (d) => {
        if (d.name === 'listen') listens.push(d.args.join(' '));
        else if (d.name === 'server_name') names.push(...d.args);
        else if (d.name === 'ssl' && d.args[0] === 'on') sslOn = true;
        else if (d.name === 'proxy_pass' || d.name === 'grpc_pass') {
          const raw = d.args[0] ?? '';
          const name = raw.replace(/^[a-z]+:\/\//, '').replace(/\/.*$/, '');
          const expanded = upstreams.get(name) ?? [raw];
          for (const e of expanded) {
            const t = targetOf(e, context);
            if (t) targets.push(`${t.host}:${t.port ?? '?'}`);
          }
        }
      });
      // `http2` alone is cleartext h2c: only `ssl` or `quic` (or the old `ssl on`) means TLS.
      const tls = sslOn || (listens.length > 0 && listens.every((l) => /\s(ssl|quic)(\s|$)/.test(` ${l}`)));
      out.push({ context, file: (s as { file?: string }).file ?? '', names, listens: listens.length ? listens : ['80 (default)'], tls, targets });
    }
  }
  return out;
}
