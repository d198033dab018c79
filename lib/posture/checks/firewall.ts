/**
 * `firewall`: inbound traffic is dropped by default and only the allowed TCP ports are accepted,
 * judged from every view the host offers (nft, iptables, ip6tables) plus what listens beyond
 * loopback. respond never edits a firewall: the fix is an nft file a person applies.
 */
import { admits, beyond, intersect, mergeRanges, portName, walkInput, type ChainWalk, type PortRange, type Table } from '../firewall/model.js';
import { iptablesBackend, parseIptablesS } from '../firewall/iptables.js';
import { parseNftJson } from '../firewall/nft.js';
import { exposedListeners, ipv6BeyondLoopback, type Listener } from '../firewall/sockets.js';
import { AS_ROOT } from './shell.js';
import { result, type CheckResult, type Fix, type PostureCheck, type PostureInput, type ProbeOutput } from '../types.js';

const ID = 'firewall';

export const firewallCheck: PostureCheck = {
  id: ID,
  reads: 'nft -j list ruleset, iptables -S and ip6tables -S (nft-backed and legacy), ufw status verbose (as root or via sudo -n), ss -Hltn, /proc/net/if_inet6',
  probes: {
    'firewall.uid': 'id -u',
    'firewall.nft': `${AS_ROOT}need nft; asroot nft -j list ruleset`,
    'firewall.iptables': `${AS_ROOT}need iptables; iptables -V 2>&1 | head -n 1; asroot iptables -S`,
    'firewall.ip6tables': `${AS_ROOT}need ip6tables; ip6tables -V 2>&1 | head -n 1; asroot ip6tables -S`,
    // Beside an nft-backed iptables, legacy tables still filter and only the legacy tool lists
    // them. Listed only where the kernel has some: listing would create an (empty) filter table.
    'firewall.iptables-legacy': `${AS_ROOT}need iptables-legacy; asroot grep -qx filter /proc/net/ip_tables_names 2>/dev/null || exit 0; asroot iptables-legacy -S`,
    'firewall.ip6tables-legacy': `${AS_ROOT}need ip6tables-legacy; asroot grep -qx filter /proc/net/ip6_tables_names 2>/dev/null || exit 0; asroot ip6tables-legacy -S`,
    'firewall.ufw': `${AS_ROOT}need ufw; asroot ufw status verbose`,
    'firewall.ss': `${AS_ROOT}need ss; ss -Hltn`,
    'firewall.ipv6': 'cat /proc/net/if_inet6 2>/dev/null; true',
  },
  evaluate: evaluateFirewall,
};

interface Views {
  tables: Table[];
  sources: string[];
  errors: Record<string, string>;
}

function readViews(probe: PostureInput['probe']): Views {
  const errors: Record<string, string> = {};
  const tables: Table[] = [];
  const sources: string[] = [];
  /** The probe's output when it ran cleanly; else its complaint goes to `errors`. */
  const output = (name: string): string | null => {
    const p = probe[`firewall.${name}`];
    if (p?.code === 0) return p.out;
    errors[name] = p ? lastLine(p.out) || `exit ${p.code}` : 'probe did not report';
    return null;
  };
  let nft: Table[] = [];
  const nftOut = output('nft');
  if (nftOut !== null) {
    try {
      nft = parseNftJson(nftOut);
      sources.push('nft');
    } catch (e) {
      errors.nft = `unreadable JSON: ${(e as Error).message}`;
    }
  }
  const shadowed = new Set<string>();
  for (const tool of ['iptables', 'ip6tables'] as const) {
    const out = output(tool);
    if (out === null) continue;
    const [version = '', ...rest] = out.split('\n');
    tables.push(parseIptablesS(rest.join('\n'), tool));
    sources.push(tool);
    // iptables-nft's rules are nft tables too; its own view keeps the matches nft shows as opaque xt.
    if (iptablesBackend(version) === 'nf_tables') shadowed.add(tool === 'iptables' ? 'ip filter' : 'ip6 filter');
  }
  for (const tool of ['iptables', 'ip6tables'] as const) {
    const p = probe[`firewall.${tool}-legacy`];
    // Where plain iptables is legacy itself, its view above is this one.
    if (!shadowed.has(tool === 'iptables' ? 'ip filter' : 'ip6 filter') || p?.code !== 0) continue;
    const legacy = { ...parseIptablesS(p.out, tool), source: `${tool}-legacy` };
    // Listing shows empty accept-policy chains even where no legacy rule was ever loaded.
    if ([...legacy.chains.values()].some((c) => c.rules.length || c.input?.policy === 'drop')) {
      tables.push(legacy);
      sources.push(legacy.source);
    }
  }
  tables.push(...nft.filter((t) => !shadowed.has(`${t.family} ${t.name}`)));
  return { tables, sources, errors };
}

interface FamilyVerdict {
  /** No view of this family could be read. */
  unread?: true;
  drops: boolean;
  open: PortRange[];
  chains: string[];
}

function judgeFamily(walks: ChainWalk[], readable: boolean): FamilyVerdict {
  if (!readable) return { unread: true, drops: false, open: [], chains: [] };
  const dropping = walks.filter((w) => w.drops);
  return { drops: dropping.length > 0, open: mergeRanges(intersect(dropping.map((w) => w.accepted))), chains: dropping.map((w) => w.chain) };
}

type FamilyName = 'ipv4' | 'ipv6';

/** What the views say, per IP version, about the input hook and the sockets behind it. */
function inspect(views: Views, probe: PostureInput['probe'], allowed: number[]) {
  const walks = views.tables.flatMap((t) => [...t.chains.values()].filter((c) => c.input).map((c) => ({ family: t.family, walk: walkInput(t, c) })));
  const of = (fam: FamilyName) => walks.filter((w) => w.family === 'inet' || w.family === (fam === 'ipv4' ? 'ip' : 'ip6')).map((w) => w.walk);
  // An nft that is installed but unreadable may hold the only drop: the iptables views alone cannot say "open".
  const nftHidden = probe['firewall.nft']?.code !== 127 && !views.sources.includes('nft');
  const read = (fam: FamilyName) => !nftHidden && views.sources.some((s) => s === 'nft' || s.startsWith(fam === 'ipv4' ? 'iptables' : 'ip6tables'));
  const ipv6 = ipv6BeyondLoopback(probe['firewall.ipv6']?.out ?? '');
  const families: Partial<Record<FamilyName, FamilyVerdict>> = { ipv4: judgeFamily(of('ipv4'), read('ipv4')), ...(ipv6 ? { ipv6: judgeFamily(of('ipv6'), read('ipv6')) } : {}) };
  const judged = Object.entries(families) as Array<[FamilyName, FamilyVerdict]>;

  const listening = probe['firewall.ss']?.code === 0 ? exposedListeners(probe['firewall.ss'].out) : null;
  const reachable = (listening ?? []).filter((l) =>
    l.families.some((f) => {
      const v = families[f];
      return v && !v.unread && (!v.drops || admits(v.open, 'tcp', l.port));
    }),
  );
  return {
    families,
    open: judged.filter(([, v]) => !v.unread && !v.drops).map(([k]) => k),
    unread: judged.filter(([, v]) => v.unread).map(([k]) => k),
    extra: mergeRanges(judged.flatMap(([, v]) => (v.drops ? beyond(v.open, allowed) : []))),
    listening,
    reachable,
    exposedExtra: reachable.filter((l) => !allowed.includes(l.port)).map(listenerName),
    narrowed: [...new Set(walks.flatMap((w) => w.walk.narrowed))],
    opaque: [...new Set(walks.flatMap((w) => w.walk.opaque))],
    forwarded: views.tables.flatMap((t) => [...t.chains.values()].flatMap((c) => c.rules.filter((r) => r.forwards).map((r) => r.text))),
  };
}

export function evaluateFirewall({ probe, settings }: PostureInput): CheckResult {
  const views = readViews(probe);
  const uid = probe['firewall.uid']?.out.trim();
  if (!views.sources.length) {
    const who = uid && uid !== '0' ? `not root (uid ${uid}) and no passwordless sudo; ` : '';
    return result(ID, 'unknown', `cannot read the firewall: ${who}${reasons(views.errors)}`, { uid, errors: views.errors });
  }
  const allowed = settings.allowedInboundPorts;
  const f = inspect(views, probe, allowed);
  const ufw = ufwStatus(probe['firewall.ufw']);
  const evidence = {
    sources: views.sources,
    ...(Object.keys(views.errors).length ? { errors: views.errors } : {}),
    families: Object.fromEntries(
      Object.entries(f.families).map(([k, v]) => [k, v.unread ? 'unread' : { defaultDrop: v.drops, accepted: v.open.map(portName), chains: v.chains }]),
    ),
    extra: f.extra.map(portName),
    allowed,
    listening: f.listening?.map(listenerName) ?? 'ss unreadable',
    reachable: f.reachable.map(listenerName),
    ...(f.narrowed.length ? { narrowed: f.narrowed } : {}),
    ...(f.opaque.length ? { unreadRules: f.opaque } : {}),
    ...(f.forwarded.length ? { forwarded: f.forwarded } : {}),
    ...(ufw ? { ufw } : {}),
  };
  const fix = nftFix(allowed);

  if (f.open.length) {
    const also = f.exposedExtra.length ? `; reachable beyond the allowed ports: ${f.exposedExtra.join(', ')}` : '';
    return result(ID, 'fail', `inbound ${f.open.join(' and ')} is accepted by default (no drop policy or final drop rule)${also}`, evidence, fix);
  }
  if (f.extra.length) {
    const listeningOn = f.exposedExtra.length ? ` (listening: ${f.exposedExtra.join(', ')})` : '';
    return result(ID, 'fail', `inbound accepts ${f.extra.map(portName).join(', ')} beyond the allowed tcp ${allowed.join(', ')}${listeningOn}`, evidence, fix);
  }
  if (f.unread.length) return result(ID, 'unknown', `cannot read the ${f.unread.join(' and ')} firewall: ${reasons(views.errors)}`, evidence);
  if (f.forwarded.length) {
    return result(ID, 'warn', `default drop, but ${f.forwarded.length} DNAT rule(s) forward inbound traffic past the input chain (published container ports?): ${f.forwarded[0]}`, evidence, {
      text: 'Forwarded traffic is filtered in the forward hook, not input: check each DNAT is meant to be public, or bind the published port to 127.0.0.1.',
    });
  }
  if (f.opaque.length) {
    return result(ID, 'warn', `default drop, but ${f.opaque.length} accept rule(s) respond cannot read: ${f.opaque[0]}`, evidence, fix);
  }
  return result(ID, 'pass', `inbound default drop; accepted: ${f.families.ipv4!.open.map(portName).join(', ') || 'nothing'}`, evidence);
}

function reasons(errors: Record<string, string>): string {
  return Object.entries(errors).map(([k, v]) => `${k}: ${v}`).join('; ');
}

function listenerName(l: Listener): string {
  return `${l.address.includes(':') ? `[${l.address}]` : l.address}:${l.port}`;
}

function ufwStatus(p: ProbeOutput | undefined): { status: string; defaults: string } | null {
  if (p?.code !== 0) return null;
  const status = /^Status:\s*(\S+)/m.exec(p.out)?.[1] ?? '?';
  const defaults = /^Default:\s*(.+)$/m.exec(p.out)?.[1]?.trim() ?? '?';
  return { status, defaults };
}

/**
 * One file, applied in one transaction: a drop policy added before the established rule would
 * cut the SSH session applying it. ICMPv6 stays open because IPv6 neighbour discovery needs it.
 * A drop in any input chain is final, so this table closes extra ports other tables accept.
 */
export function nftFix(allowed: number[]): Fix {
  const file = '/etc/nftables.d/respond-inbound.nft';
  const ruleset = inboundRuleset(allowed);
  return {
    text: `Drop inbound by default and accept only tcp ${allowed.join(', ')}: write ${file}, check it, load it, and load it at boot (nftables.service reads /etc/nftables.conf). Run from a console if sshd is not on port 22.`,
    commands: [
      `mkdir -p /etc/nftables.d && cat > ${file} <<'EOF'\n${ruleset}EOF`,
      `nft -c -f ${file}`,
      `nft -f ${file}`,
      `grep -qF '${file}' /etc/nftables.conf || echo 'include "${file}"' >> /etc/nftables.conf`,
      'systemctl enable nftables',
    ],
  };
}

/** The fix's ruleset, an `nft -f` file that replaces only its own table. */
export function inboundRuleset(allowed: number[]): string {
  return [
    'table inet respond_inbound',
    'delete table inet respond_inbound',
    'table inet respond_inbound {',
    '  chain input {',
    '    type filter hook input priority 0; policy drop;',
    '    ct state established,related accept',
    '    iif lo accept',
    '    meta l4proto { icmp, ipv6-icmp } accept',
    `    tcp dport { ${allowed.join(', ')} } accept`,
    '  }',
    '}',
    '',
  ].join('\n');
}

/** A tool's complaint comes last (after iptables' version line). */
function lastLine(s: string): string {
  return s.trim().split('\n').filter(Boolean).pop()?.slice(0, 200) ?? '';
}
