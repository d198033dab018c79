/** `nft -j list ruleset` into the firewall model: ip, ip6 and inet tables only. Pure. */
import type { Chain, Family, Match, Rule, Table, Verdict } from './model.js';

type J = Record<string, any>;

const SERVICES: Record<string, number> = { ssh: 22, http: 80, https: 443 };
const IGNORED = new Set(['counter', 'log', 'limit', 'quota', 'meter', 'notrack', 'mangle', 'ct count', 'queue']);

export function parseNftJson(text: string): Table[] {
  const items = (JSON.parse(text) as { nftables?: J[] }).nftables;
  if (!Array.isArray(items)) throw new Error('no "nftables" array');
  const tables = new Map<string, Table>();
  const sets = new Map<string, unknown[]>();
  const key = (o: J) => `${o.family} ${o.table ?? o.name}`;
  for (const it of items) {
    if (it.table && isFamily(it.table.family)) {
      tables.set(key(it.table), { source: 'nft', family: it.table.family, name: it.table.name, chains: new Map() });
    } else if (it.set) {
      sets.set(`${key(it.set)} ${it.set.name}`, Array.isArray(it.set.elem) ? it.set.elem : []);
    }
  }
  for (const it of items) {
    const c = it.chain;
    const t = c && tables.get(key(c));
    if (!t) continue;
    const chain: Chain = { name: c.name, rules: [] };
    if (c.hook === 'input' && (c.type ?? 'filter') === 'filter') chain.input = { policy: c.policy === 'drop' ? 'drop' : 'accept' };
    t.chains.set(c.name, chain);
  }
  for (const it of items) {
    const r = it.rule;
    const t = r && tables.get(key(r));
    const chain = t?.chains.get(r?.chain);
    if (!t || !chain) continue;
    chain.rules.push(parseRule(r, (name) => sets.get(`${key(r)} ${name}`)));
  }
  return [...tables.values()];
}

function isFamily(f: unknown): f is Family {
  return f === 'ip' || f === 'ip6' || f === 'inet';
}

function parseRule(r: J, set: (name: string) => unknown[] | undefined): Rule {
  const matches: Match[] = [];
  let verdict: Verdict = null;
  let forwards = false;
  const parts: string[] = [];
  for (const e of (r.expr ?? []) as J[]) {
    const [kind] = Object.keys(e);
    if (!kind) continue;
    if (kind === 'match') {
      const m = parseMatch(e.match, set);
      matches.push(m);
      parts.push(describe(e.match));
    } else if (kind === 'accept' || kind === 'drop' || kind === 'return') {
      verdict = { kind };
      parts.push(kind);
    } else if (kind === 'reject') {
      verdict = { kind: 'drop' };
      parts.push('reject');
    } else if (kind === 'jump' || kind === 'goto') {
      verdict = { kind, target: String(e[kind]?.target) };
      parts.push(`${kind} ${e[kind]?.target}`);
    } else if (kind === 'vmap') {
      // A verdict map may accept some of what it matches: not read, so judged as an accept nobody can vouch for.
      matches.push({ kind: 'opaque', what: 'vmap' });
      verdict = { kind: 'accept' };
      parts.push(`vmap ${JSON.stringify(e.vmap?.data ?? null)}`);
    } else if (kind === 'dnat' || (kind === 'xt' && e.xt?.name === 'DNAT')) {
      forwards = true;
      parts.push(`dnat ${JSON.stringify(e.dnat ?? 'xt')}`);
    } else if (!IGNORED.has(kind)) {
      matches.push({ kind: 'opaque', what: kind === 'xt' ? `xt ${e.xt?.name ?? '?'}` : kind });
      parts.push(kind === 'xt' ? `xt ${e.xt?.name ?? '?'}` : kind);
    }
  }
  const text = `nft ${r.family} ${r.table} ${r.chain}: ${parts.join(' ')}`;
  return forwards ? { matches, verdict, text, forwards } : { matches, verdict, text };
}

function parseMatch(m: J, set: (name: string) => unknown[] | undefined): Match {
  const op = m.op ?? '==';
  const left = m.left as J;
  const eq = op === '==' || op === 'in';
  const what = describe(m);
  if (!eq) return { kind: 'narrow', what };
  const values = expand(m.right, set);
  if (left?.payload?.field === 'dport' && ['tcp', 'udp', 'th'].includes(left.payload.protocol)) {
    const ranges = values && ports(values);
    if (!ranges) return { kind: 'opaque', what };
    return { kind: 'dport', proto: left.payload.protocol === 'th' ? 'all' : left.payload.protocol, ranges };
  }
  const l4 = left?.meta?.key === 'l4proto' || (left?.payload?.protocol === 'ip' && left.payload.field === 'protocol') || (left?.payload?.protocol === 'ip6' && left.payload.field === 'nexthdr');
  if (l4 && values) return { kind: 'proto', protos: values.map(String) };
  if (left?.ct?.key === 'state' && values) return { kind: 'ct', states: values.map(String) };
  if ((left?.meta?.key === 'iif' || left?.meta?.key === 'iifname') && values?.length === 1) return { kind: 'iif', name: String(values[0]) };
  return { kind: 'narrow', what };
}

/** A match's right side as a list: a value, an anonymous set, a named set's elements. */
function expand(right: unknown, set: (name: string) => unknown[] | undefined): unknown[] | null {
  if (typeof right === 'string' && right.startsWith('@')) return set(right.slice(1)) ?? null;
  if (Array.isArray(right)) return right;
  if (right && typeof right === 'object' && 'set' in right) return (right as { set: unknown[] }).set;
  return [right];
}

function ports(values: unknown[]): Array<[number, number]> | null {
  const out: Array<[number, number]> = [];
  for (const v of values) {
    const n = port(v);
    if (n !== null) out.push([n, n]);
    else if (v && typeof v === 'object' && Array.isArray((v as J).range)) {
      const [a, b] = (v as J).range.map(port);
      if (a === null || b === null || a === undefined || b === undefined) return null;
      out.push([a, b]);
    } else return null;
  }
  return out;
}

function port(v: unknown): number | null {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && /^\d+$/.test(v)) return Number(v);
  return typeof v === 'string' ? (SERVICES[v] ?? null) : null;
}

function describe(m: J): string {
  const l = m.left ?? {};
  const left = l.payload ? `${l.payload.protocol} ${l.payload.field}` : l.meta ? `meta ${l.meta.key}` : l.ct ? `ct ${l.ct.key}` : Object.keys(l)[0] ?? '?';
  return `${left} ${m.op ?? '=='} ${JSON.stringify(m.right)}`;
}
