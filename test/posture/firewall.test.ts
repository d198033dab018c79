/**
 * The firewall check against real rulesets: each case is a fresh network namespace with its own
 * nft / iptables state, reached over real SSH (ProxyCommand runs `sshd -i` inside it), its
 * probes run by runProbes exactly as a posture run does.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createTransport } from '../../activities/hosts/transports/index.js';
import { hostSchema } from '../../lib/inventory/schema.js';
import { firewallCheck, inboundRuleset } from '../../lib/posture/checks/firewall.js';
import { startNetnsHost, type NetnsHost } from '../fixtures/netns-host.js';
import { runCheck } from '../helpers/posture.js';

const ctl = mkdtempSync(join(tmpdir(), 'respond-fw-ctl-'));
const hosts: NetnsHost[] = [];
afterEach(async () => {
  await Promise.all(hosts.splice(0).map((h) => h.stop()));
});
afterAll(() => rmSync(ctl, { recursive: true, force: true }));

async function host(): Promise<NetnsHost> {
  const h = await startNetnsHost();
  hosts.push(h);
  return h;
}

/** Through the inventory schema and createTransport, as a worker builds a host's transport. */
async function check(h: NetnsHost) {
  const spec = hostSchema.parse({ name: 'fw-host', transport: h.transport(), install: { method: 'npm' } });
  const t = createTransport(spec, { controlDir: ctl });
  try {
    return await runCheck(t, firewallCheck);
  } finally {
    await t.close();
  }
}

const ALLOWED = [22, 80, 443];

describe('firewall check over SSH into a network namespace', () => {
  it("passes on the fix's own ruleset: drop policy, only 22/80/443; a filtered listener is only evidence", async () => {
    const h = await host();
    await h.nft(inboundRuleset(ALLOWED));
    await h.listen(8080);
    const before = await h.exec(['nft', 'list', 'ruleset']);
    const { result } = await check(h);
    expect(result.status, result.summary).toBe('pass');
    expect(result.summary).toContain('tcp/22, tcp/80, tcp/443');
    // Read-only: the ruleset is as it was, and no legacy table was created by listing one.
    expect(await h.exec(['nft', 'list', 'ruleset'])).toBe(before);
    expect(await h.exec(['cat', '/proc/net/ip_tables_names', '/proc/net/ip6_tables_names'])).toBe('');
    expect(result.evidence).toMatchObject({ sources: expect.arrayContaining(['nft']), extra: [], reachable: [] });
    expect(result.evidence.listening).toContain(`${h.address}:8080`);
  });

  it('fails naming an extra accepted port, and says it is listening', async () => {
    const h = await host();
    await h.nft(`${inboundRuleset(ALLOWED)}add rule inet respond_inbound input tcp dport 8080 accept\n`);
    await h.listen(8080);
    const { result } = await check(h);
    expect(result.status).toBe('fail');
    expect(result.summary).toMatch(/accepts tcp\/8080 beyond the allowed tcp 22, 80, 443 \(listening: 10\.213\.\d+\.1:8080\)/);
    expect(result.evidence.extra).toEqual(['tcp/8080']);
    expect(result.evidence.reachable).toEqual([`${h.address}:8080`]);
    expect(result.fix?.commands?.join('\n')).toContain('tcp dport { 22, 80, 443 } accept');
  });

  it('fails on a fresh namespace (no rules: everything accepted)', async () => {
    const h = await host();
    await h.listen(8080);
    const { result } = await check(h);
    expect(result.status).toBe('fail');
    expect(result.summary).toMatch(/^inbound ipv4 and ipv6 is accepted by default/);
    expect(result.summary).toContain(`${h.address}:8080`);
    expect(result.fix?.commands?.[0]).toContain('policy drop;');
  });

  it('passes on a final reject rule, a named set and a jump; accepts narrowed to a source or a whole interface are only listed', async () => {
    const h = await host();
    await h.nft(`table inet edge {
  set web { type inet_service; elements = { 80, 443 } }
  chain services {
    tcp dport @web accept
    ip saddr 10.0.0.0/8 tcp dport 5432 accept
    iifname "wg0" accept
  }
  chain input {
    type filter hook input priority 0; policy accept;
    ct state established,related accept
    iifname "lo" accept
    tcp dport ssh accept
    jump services
    counter reject with icmpx type admin-prohibited
  }
}
`);
    const { result } = await check(h);
    expect(result.status, result.summary).toBe('pass');
    expect(result.evidence.families).toMatchObject({ ipv4: { defaultDrop: true, accepted: ['tcp/22', 'tcp/80', 'tcp/443'] } });
    expect(result.evidence.narrowed).toEqual([expect.stringContaining('10.0.0.0'), expect.stringContaining('"wg0"')]);
  });

  it('warns on an accept it cannot read (a verdict map) behind a drop policy', async () => {
    const h = await host();
    await h.nft(`${inboundRuleset(ALLOWED)}add rule inet respond_inbound input tcp dport vmap { 8080 : accept, 8081 : drop }\n`);
    const { result } = await check(h);
    expect(result.status, result.summary).toBe('warn');
    expect(result.summary).toMatch(/^default drop, but 1 accept rule\(s\) respond cannot read: nft inet respond_inbound input: .*vmap/);
  });

  it('warns when a DNAT forwards a port past the input chain', async () => {
    const h = await host();
    await h.nft(`${inboundRuleset(ALLOWED)}table ip nat {
  chain prerouting {
    type nat hook prerouting priority dstnat; policy accept;
    tcp dport 8080 dnat to 10.88.0.2:80
  }
}
`);
    const { result } = await check(h);
    expect(result.status, result.summary).toBe('warn');
    expect(result.summary).toMatch(/^default drop, but 1 DNAT rule\(s\) forward inbound traffic past the input chain .*10\.88\.0\.2/);
    expect(result.evidence.extra).toEqual([]);
  });

  // iptables-nft's rules are nft tables too (read through iptables -S: nft shows its matches as
  // opaque xt); legacy tables are only seen by the legacy tool.
  describe.each([
    ['iptables (nf_tables)', '', 'iptables'],
    ['iptables-legacy', '-legacy', 'iptables-legacy'],
  ])('%s', (_name, variant, source) => {
    async function load(h: NetnsHost, extra: string[] = []) {
      for (const [tool, icmp] of [['iptables', 'icmp'], ['ip6tables', 'ipv6-icmp']] as const) {
        await h.exec([`${tool}${variant}-restore`], iptablesRuleset(icmp, extra));
      }
    }

    it('passes on a drop-policy ruleset with a user chain (ufw-style), v4 and v6', async () => {
      const h = await host();
      await load(h);
      const { result } = await check(h);
      expect(result.status, result.summary).toBe('pass');
      expect(result.evidence.sources).toContain(source);
      expect(result.evidence.families).toMatchObject({
        ipv4: { defaultDrop: true, accepted: ['tcp/22', 'tcp/80', 'tcp/443'], chains: [expect.stringMatching(new RegExp(`^${source} ip filter INPUT`))] },
        ipv6: { defaultDrop: true, accepted: ['tcp/22', 'tcp/80', 'tcp/443'] },
      });
    });

    it('fails when the user chain also accepts new connections to 8080 on one interface', async () => {
      const h = await host();
      await load(h, ['-A user-input -i respond0 -p tcp -m conntrack --ctstate NEW -m tcp --dport 8080 -j ACCEPT']);
      const { result } = await check(h);
      expect(result.status).toBe('fail');
      expect(result.evidence.extra).toEqual(['tcp/8080']);
      expect(result.summary).toContain('tcp/8080');
    });
  });

  it('is unknown, saying why, when no tool can read the ruleset (not root)', async () => {
    const h = await host();
    await h.nft(inboundRuleset(ALLOWED));
    const t = createTransport(hostSchema.parse({ name: 'fw-host', transport: h.transport(), install: { method: 'npm' } }), { controlDir: ctl });
    try {
      // The same probes as an unprivileged user on the same host (setpriv drops root for the script).
      const probes = Object.fromEntries(Object.entries(firewallCheck.probes).map(([k, v]) => [k, `exec setpriv --reuid=65534 --regid=65534 --clear-groups sh -c '${v.replace(/'/g, `'\\''`)}'`]));
      const { result } = await runCheck(t, { ...firewallCheck, probes });
      expect(result.status).toBe('unknown');
      expect(result.summary).toMatch(/^cannot read the firewall: not root \(uid 65534\) and no passwordless sudo/);
      expect(result.summary).toMatch(/nft: .*(Operation not permitted|Permission denied)/i);
    } finally {
      await t.close();
    }
  });
});

function iptablesRuleset(icmp: string, extra: string[] = []): string {
  return [
    '*filter',
    ':INPUT DROP [0:0]',
    ':FORWARD DROP [0:0]',
    ':OUTPUT ACCEPT [0:0]',
    ':user-input - [0:0]',
    '-A INPUT -i lo -j ACCEPT',
    '-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
    '-A INPUT -m conntrack --ctstate INVALID -j DROP',
    `-A INPUT -p ${icmp} -j ACCEPT`,
    '-A INPUT -j user-input',
    '-A INPUT -j LOG --log-prefix "[blocked] "',
    '-A user-input -p tcp -m tcp --dport 22 -j ACCEPT',
    '-A user-input -p tcp -m multiport --dports 80,443 -m comment --comment "web server" -j ACCEPT',
    ...extra,
    'COMMIT',
    '',
  ].join('\n');
}
