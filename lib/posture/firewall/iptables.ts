/** `iptables -S` / `ip6tables -S` (the filter table) into the firewall model. Pure. */
import type { Chain, Match, Rule, Table, Verdict } from './model.js';

const BUILTIN = new Set(['INPUT', 'FORWARD', 'OUTPUT']);
/** Options whose argument says nothing about which packets an accept lets in. */
const SKIP_WITH_ARG = new Set(['--comment', '--icmp-type', '--icmpv6-type']);
const NARROW_WITH_ARG = new Set(['-s', '--source', '-d', '--destination', '-o', '--out-interface', '--sport', '--sports', '--source-port', '--dst-type', '--src-type', '--match-set', '--uid-owner']);

/** `iptables v1.8.9 (nf_tables)`: the rules live in nft's tables too, so nft shows them again. */
export function iptablesBackend(versionLine: string): 'nf_tables' | 'legacy' {
  return /nf_tables/.test(versionLine) ? 'nf_tables' : 'legacy';
}

export function parseIptablesS(text: string, source: 'iptables' | 'ip6tables'): Table {
  const chains = new Map<string, Chain>();
  const chain = (name: string) => {
    let c = chains.get(name);
    if (!c) chains.set(name, (c = { name, rules: [] }));
    return c;
  };
  // iptables-nft's notice about legacy tables shares the stream and may run into a rule's line.
  const lines = text.split('\n').map((l) => l.replace(/# Warning: iptables-legacy tables present.*$/, '').trim());
  for (const l of lines) {
    const t = tokens(l);
    if (t[0] === '-P' && t[1]) {
      const c = chain(t[1]);
      if (t[1] === 'INPUT') c.input = { policy: t[2] === 'DROP' ? 'drop' : 'accept' };
    } else if (t[0] === '-N' && t[1]) chain(t[1]);
  }
  for (const l of lines) {
    const t = tokens(l);
    if (t[0] === '-A' && t[1]) chain(t[1]).rules.push(parseRule(t.slice(2), l, (n) => chains.has(n)));
  }
  return { source, family: source === 'iptables' ? 'ip' : 'ip6', name: 'filter', chains };
}

function parseRule(t: string[], text: string, isChain: (name: string) => boolean): Rule {
  const matches: Match[] = [];
  let verdict: Verdict = null;
  let proto: string | null = null;
  for (let i = 0; i < t.length; i++) {
    let a = t[i]!;
    let negated = false;
    if (a === '!') {
      negated = true;
      a = t[++i] ?? '';
    }
    const arg = () => t[++i] ?? '';
    if (a === '-j' || a === '--jump' || a === '-g' || a === '--goto') {
      verdict = target(arg(), a === '-g' || a === '--goto', isChain);
      // What follows is the target's own options (`--reject-with`, `--log-prefix`).
      break;
    }
    if (a === '-m' || a === '--match') {
      arg();
    } else if (SKIP_WITH_ARG.has(a)) {
      arg();
    } else if (negated || NARROW_WITH_ARG.has(a)) {
      matches.push({ kind: 'narrow', what: `${negated ? '! ' : ''}${a} ${arg()}` });
    } else if (a === '-p' || a === '--protocol') {
      proto = arg().toLowerCase();
      matches.push({ kind: 'proto', protos: [proto] });
    } else if (a === '-i' || a === '--in-interface') {
      matches.push({ kind: 'iif', name: arg() });
    } else if (a === '--dport' || a === '--dports' || a === '--destination-port' || a === '--destination-ports') {
      const spec = arg();
      const ranges = portRanges(spec);
      matches.push(ranges ? { kind: 'dport', proto: proto === 'tcp' || proto === 'udp' ? proto : 'all', ranges } : { kind: 'opaque', what: `${a} ${spec}` });
    } else if (a === '--ctstate' || a === '--state') {
      matches.push({ kind: 'ct', states: arg().toLowerCase().split(',') });
    } else {
      const v = t[i + 1] && !t[i + 1]!.startsWith('-') ? ` ${arg()}` : '';
      matches.push({ kind: 'opaque', what: `${a}${v}` });
    }
  }
  return { matches, verdict, text };
}

function target(name: string, isGoto: boolean, isChain: (name: string) => boolean): Verdict {
  if (name === 'ACCEPT') return { kind: 'accept' };
  if (name === 'DROP' || name === 'REJECT') return { kind: 'drop' };
  if (name === 'RETURN') return { kind: 'return' };
  if (isChain(name) && !BUILTIN.has(name)) return { kind: isGoto ? 'goto' : 'jump', target: name };
  // LOG, MARK and the like: the packet goes on to the next rule.
  return null;
}

function portRanges(spec: string): Array<[number, number]> | null {
  const out: Array<[number, number]> = [];
  for (const part of spec.split(',')) {
    const m = /^(\d+)(?::(\d+))?$/.exec(part);
    if (!m) return null;
    out.push([Number(m[1]), Number(m[2] ?? m[1])]);
  }
  return out;
}

/** `iptables -S` quotes arguments with spaces (`--comment "web server"`). */
function tokens(line: string): string[] {
  return [...line.matchAll(/"((?:[^"\\]|\\.)*)"|(\S+)/g)].map((m) => (m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2]!));
}
