import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UserError } from '../../lib/errors.js';
import { loadInventory, selectHosts } from '../../lib/inventory/load.js';

const dir = mkdtempSync(join(tmpdir(), 'respond-inv-'));
const key = join(dir, 'id_ed25519');
const knownHosts = join(dir, 'known_hosts');
writeFileSync(key, 'not read by the loader, only checked for existence\n');
writeFileSync(knownHosts, '');

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

const good = `
version: 1
hosts:
  - name: gw-local
    tags: [canary, prod]
    transport: local
    install: { method: npm, prefix: /opt/openclaw }
    node: /opt/node24/bin/node
  - name: gw-ssh
    tags: [prod]
    transport:
      type: ssh
      host: 127.0.0.1
      port: 2222
      user: root
      identityFile: ./id_ed25519
      knownHostsFile: ./known_hosts
    install: { method: npm }
    gatewayPort: 28789
  - name: gw-docker
    transport: local
    install: { method: docker, container: openclaw }
`;

describe('inventory', () => {
  it('loads hosts with defaults and resolves key paths against the inventory file', () => {
    const inv = loadInventory(write('good.yaml', good));
    expect(inv.hosts.map((h) => h.name)).toEqual(['gw-local', 'gw-ssh', 'gw-docker']);
    const ssh = inv.hosts[1]!;
    expect(ssh.transport).toMatchObject({ type: 'ssh', port: 2222, strictHostKeyChecking: true, identityFile: key, knownHostsFile: knownHosts });
    expect(inv.hosts[0]!.gatewayPort).toBe(18789);
    expect(inv.hosts[2]!.node).toBe('node');
  });

  it('reads a credential overlap of 0 (YAML writes it as a number) as none, and names a bad one', () => {
    const text = (overlap: string) => `version: 1\nhosts:\n  - name: gw\n    transport: local\n    install: { method: npm }\n    credentials:\n      s3: { provider: aws-iam-access-key, iamUser: skill, overlap: ${overlap} }\n`;
    const inv = loadInventory(write('overlap0.yaml', text('0')));
    expect(inv.hosts[0]!.credentials!.s3!.overlap).toBe('0s');
    expect(loadInventory(write('overlap-default.yaml', text('30m'))).hosts[0]!.credentials!.s3!.overlap).toBe('30m');
    expect(() => loadInventory(write('overlap-bad.yaml', text('soon')))).toThrow(/overlap-bad\.yaml.*overlap.*expected 0 or a duration/);
  });

  it('marks an IAM user read by several hosts as one shared credential, and refuses it under two names', () => {
    const host = (name: string, cred: string, user: string) => `  - name: ${name}\n    transport: local\n    install: { method: npm }\n    credentials:\n      ${cred}: { provider: aws-iam-access-key, iamUser: ${user} }\n`;
    const inv = loadInventory(write('shared.yaml', `version: 1\nhosts:\n${host('a', 's3', 'fleet')}${host('b', 's3', 'fleet')}${host('c', 's3', 'solo')}`));
    expect(inv.hosts.map((h) => (h.credentials!.s3 as { consumers?: string[] }).consumers)).toEqual([['a', 'b'], ['a', 'b'], undefined]);
    expect(() => loadInventory(write('shared-bad.yaml', `version: 1\nhosts:\n${host('a', 's3', 'fleet')}${host('b', 'backup', 'fleet')}`))).toThrow(
      /shared-bad\.yaml: hosts a \(s3\) and b \(backup\) read the keys of IAM user fleet under different names/,
    );
  });

  it('selects by name, tag and all, in inventory order', () => {
    const inv = loadInventory(write('sel.yaml', good));
    expect(selectHosts(inv, 'tag:prod').map((h) => h.name)).toEqual(['gw-local', 'gw-ssh']);
    expect(selectHosts(inv, 'tag:canary').map((h) => h.name)).toEqual(['gw-local']);
    expect(selectHosts(inv, 'gw-docker,gw-local').map((h) => h.name)).toEqual(['gw-local', 'gw-docker']);
    expect(selectHosts(inv, 'all')).toHaveLength(3);
    expect(() => selectHosts(inv, 'gw-typo')).toThrow(/unknown host "gw-typo"/);
    expect(() => selectHosts(inv, 'tag:nope')).toThrow(/no host has tag "nope"/);
  });

  const bad: Array<[string, string, RegExp]> = [
    [
      'unknown transport',
      `hosts:\n  - name: a\n    transport: telnet\n    install: { method: npm }\n`,
      /bad\.yaml:3: hosts\[0\]\.transport\.type: unknown transport \(expected "local" or "ssh"\)/,
    ],
    [
      'missing key file',
      `hosts:\n  - name: a\n    transport:\n      type: ssh\n      host: h\n      user: u\n      identityFile: ./nope\n      knownHostsFile: ./known_hosts\n    install: { method: npm }\n`,
      /bad\.yaml:7: hosts\[0\]\.transport\.identityFile: key file not found: .*\/nope/,
    ],
    [
      'duplicate host names',
      `hosts:\n  - name: a\n    transport: local\n    install: { method: npm }\n  - name: a\n    transport: local\n    install: { method: npm }\n`,
      /bad\.yaml:5: hosts\[1\]\.name: duplicate host name "a" \(first at .*bad\.yaml:2\)/,
    ],
    [
      'unknown field',
      `hosts:\n  - name: a\n    transport: local\n    install: { method: npm }\n    gatewayPrt: 1\n`,
      /bad\.yaml:5: hosts\[0\]\.gatewayPrt: unknown field "gatewayPrt"/,
    ],
    [
      'missing required field',
      `hosts:\n  - name: a\n    transport: local\n`,
      /bad\.yaml:2: hosts\[0\]\.install: required field is missing/,
    ],
    [
      'known_hosts missing with strict checking',
      `hosts:\n  - name: a\n    transport:\n      type: ssh\n      host: h\n      user: u\n      identityFile: ./id_ed25519\n      knownHostsFile: ./absent_known_hosts\n    install: { method: npm }\n`,
      /bad\.yaml:8: hosts\[0\]\.transport\.knownHostsFile: known_hosts file not found/,
    ],
    ['invalid YAML', `hosts:\n  - name: [a\n`, /bad\.yaml:\d+: invalid YAML/],
  ];

  it.each(bad)('rejects %s with file:line and field', (_name, text, message) => {
    const file = write('bad.yaml', text);
    let err: unknown;
    try {
      loadInventory(file);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UserError);
    const msg = (err as Error).message;
    expect(msg).toMatch(message);
    expect(msg.split('\n')).toHaveLength(1);
  });
});
