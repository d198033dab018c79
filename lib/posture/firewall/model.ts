/**
 * One model for inbound filtering whatever wrote it (nft, iptables-legacy, iptables-nft), and the
 * walk that turns an input hook's chain into "does it end in drop, and which ports does it
 * accept before that". Pure.
 *
 * Every base chain on the input hook sees a packet and any one of them can drop it, so a port
 * is open only if every chain that drops by default accepts it.
 */

export type Family = 'ip' | 'ip6' | 'inet';
export type Proto = 'tcp' | 'udp' | 'all';

export type Match =
  | { kind: 'proto'; protos: string[] }
  | { kind: 'dport'; proto: Proto; ranges: Array<[number, number]> }
  | { kind: 'ct'; states: string[] }
  | { kind: 'iif'; name: string }
  /** Narrows what the rule matches (a source, a destination, a negation, a source port). */
  | { kind: 'narrow'; what: string }
  /** Something respond cannot read (an xt extension in nft's view, an unknown option). */
  | { kind: 'opaque'; what: string };

export type Verdict = { kind: 'accept' } | { kind: 'drop' } | { kind: 'return' } | { kind: 'jump' | 'goto'; target: string } | null;

export interface Rule {
  matches: Match[];
  verdict: Verdict;
  text: string;
  /** A DNAT: what it rewrites is forwarded, never seen by the input hook (published container ports). */
  forwards?: true;
}

export interface Chain {
  name: string;
  /** Set on base chains filtering the input hook. */
  input?: { policy: 'accept' | 'drop' };
  rules: Rule[];
}

export interface Table {
  /** Which tool's view this is: `nft`, `iptables`, `ip6tables`. */
  source: string;
  family: Family;
  name: string;
  chains: Map<string, Chain>;
}

export interface PortRange {
  proto: Proto;
  lo: number;
  hi: number;
}

export interface ChainWalk {
  chain: string;
  /** Ends in drop: the policy, or a drop reached unconditionally. */
  drops: boolean;
  accepted: PortRange[];
  /** Accept rules narrowed by source, destination or interface: listed, not judged. */
  narrowed: string[];
  /** Accept rules respond cannot read. */
  opaque: string[];
}

const MAX_DEPTH = 16;
const BENIGN_STATES = new Set(['established', 'related']);
const ICMP = new Set(['icmp', 'icmpv6', 'ipv6-icmp', '1', '58']);

type Kind = { benign: true } | { narrowed: true } | { opaque: true } | { ranges: PortRange[] };

/** What an accept with these matches lets in. */
function classify(all: Match[]): Kind {
  if (all.some((m) => m.kind === 'opaque')) return { opaque: true };
  // Answers to what the host itself opened, and the host talking to itself.
  if (all.some((m) => (m.kind === 'ct' && m.states.every((s) => BENIGN_STATES.has(s))) || (m.kind === 'iif' && m.name === 'lo'))) {
    return { benign: true };
  }
  const ports = all.flatMap((m) => (m.kind === 'dport' ? [m] : []));
  // `ct state new` is what inbound is; a port opened on one interface (eth0) is opened. A whole
  // interface accepted (wg0, tailscale0) is a trust decision: listed, not judged.
  const matches = all.filter((m) => !(m.kind === 'ct' && m.states.includes('new')) && !(m.kind === 'iif' && ports.length));
  if (matches.some((m) => m.kind === 'narrow' || m.kind === 'iif' || m.kind === 'ct')) return { narrowed: true };
  const protos = matches.flatMap((m) => (m.kind === 'proto' ? [m.protos] : []));
  if (!ports.length && protos.length && protos.every((p) => p.every((x) => ICMP.has(x)))) return { benign: true };
  if (ports.length) {
    // Several dport matches on one rule (rare) intersect; the first names the ports well enough.
    const m = ports[0]!;
    const proto = m.proto !== 'all' ? m.proto : singleProto(protos);
    return { ranges: m.ranges.map(([lo, hi]) => ({ proto, lo, hi })) };
  }
  return { ranges: [{ proto: singleProto(protos), lo: 1, hi: 65535 }] };
}

function singleProto(protos: string[][]): Proto {
  const p = protos[0];
  return p?.length === 1 && (p[0] === 'tcp' || p[0] === 'udp') ? p[0] : 'all';
}

interface Step {
  /** The chain's path ended in drop for every packet that reached it. */
  dropped: boolean;
  /** A conditional return: later drops in this chain do not end the caller's path. */
  mayReturn: boolean;
}

export function walkInput(table: Table, chain: Chain): ChainWalk {
  const out: ChainWalk = { chain: `${table.source} ${table.family} ${table.name} ${chain.name}`, drops: false, accepted: [], narrowed: [], opaque: [] };
  const step = walk(table, chain, [], [chain.name], out);
  out.drops = step.dropped || chain.input?.policy === 'drop';
  return out;
}

function walk(table: Table, chain: Chain, inherited: Match[], stack: string[], out: ChainWalk): Step {
  let mayReturn = false;
  for (const rule of chain.rules) {
    const v = rule.verdict;
    if (!v) continue;
    const matches = [...inherited, ...rule.matches];
    const unconditional = matches.length === 0;
    if (v.kind === 'accept') {
      const k = classify(matches);
      if ('opaque' in k) out.opaque.push(rule.text);
      else if ('narrowed' in k) out.narrowed.push(rule.text);
      else if ('ranges' in k) out.accepted.push(...k.ranges);
    } else if (v.kind === 'drop') {
      if (unconditional && !mayReturn) return { dropped: true, mayReturn };
      if (unconditional) return { dropped: false, mayReturn };
    } else if (v.kind === 'return') {
      if (rule.matches.length === 0) return { dropped: false, mayReturn: true };
      mayReturn = true;
    } else {
      const target = table.chains.get(v.target);
      if (!target || stack.includes(v.target) || stack.length > MAX_DEPTH) {
        out.opaque.push(`${rule.text} (chain ${v.target} not followed)`);
        continue;
      }
      const sub = walk(table, target, matches, [...stack, v.target], out);
      if (sub.dropped && unconditional && !mayReturn) return { dropped: true, mayReturn };
      // A goto never comes back: what follows it in this chain is unreachable for its packets.
      if (v.kind === 'goto' && unconditional) return { dropped: false, mayReturn };
    }
  }
  return { dropped: false, mayReturn };
}

/** Ports every one of these sets admits (each set the accept list of one dropping chain). */
export function intersect(sets: PortRange[][]): PortRange[] {
  if (!sets.length) return [];
  return sets.slice(1).reduce((acc, set) => {
    const res: PortRange[] = [];
    for (const a of acc) {
      for (const b of set) {
        if (a.proto !== b.proto && a.proto !== 'all' && b.proto !== 'all') continue;
        const lo = Math.max(a.lo, b.lo);
        const hi = Math.min(a.hi, b.hi);
        if (lo <= hi) res.push({ proto: a.proto === 'all' ? b.proto : a.proto, lo, hi });
      }
    }
    return res;
  }, sets[0]!);
}

/** The parts of `ranges` outside the allowed TCP ports, merged and named (`tcp/8080`, `udp/53`). */
export function beyond(ranges: PortRange[], allowedTcp: number[]): PortRange[] {
  const allowed = [...new Set(allowedTcp)].sort((a, b) => a - b);
  const pieces: PortRange[] = [];
  for (const r of ranges) {
    if (r.proto === 'udp') {
      pieces.push(r);
      continue;
    }
    let lo = r.lo;
    for (const p of allowed) {
      if (p < lo || p > r.hi) continue;
      if (p > lo) pieces.push({ proto: r.proto, lo, hi: p - 1 });
      lo = p + 1;
    }
    if (lo <= r.hi) pieces.push({ proto: r.proto, lo, hi: r.hi });
  }
  return mergeRanges(pieces);
}

export function mergeRanges(ranges: PortRange[]): PortRange[] {
  const sorted = [...ranges].sort((a, b) => a.proto.localeCompare(b.proto) || a.lo - b.lo);
  const out: PortRange[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && last.proto === r.proto && r.lo <= last.hi + 1) last.hi = Math.max(last.hi, r.hi);
    else out.push({ ...r });
  }
  return out;
}

export function portName(r: PortRange): string {
  return `${r.proto}/${r.lo === r.hi ? r.lo : `${r.lo}-${r.hi}`}`;
}

export function admits(ranges: PortRange[], proto: 'tcp' | 'udp', port: number): boolean {
  return ranges.some((r) => (r.proto === proto || r.proto === 'all') && r.lo <= port && port <= r.hi);
}
