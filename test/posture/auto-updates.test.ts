/**
 * The auto-updates check on this machine through the local transport. Once as the machine
 * really is (the expectation from dpkg-query and apt-config run here directly), then with the
 * answers under the test's control: apt-config reads the file APT_CONFIG names before anything
 * else (here: no parts dir, no main file, only our settings) and dpkg-query reads the database
 * DPKG_ADMINDIR names. Both are the real tools reading real files, set through the inventory's
 * per-host env as an operator would.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { createTransport } from '../../activities/hosts/transports/index.js';
import { hostSchema } from '../../lib/inventory/schema.js';
import { autoUpdatesCheck, periodicSettings } from '../../lib/posture/checks/auto-updates.js';
import { runCheck } from '../helpers/posture.js';

const work = mkdtempSync(join(tmpdir(), 'respond-auto-updates-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function local(env: Record<string, string> = {}) {
  return createTransport(hostSchema.parse({ name: 'self', transport: 'local', install: { method: 'npm' }, env }));
}

let n = 0;
/** An apt configuration of only `lines` (apt.conf.d/ replaced by an empty dir of our own). */
function aptConfig(lines: string[]): { APT_CONFIG: string; parts: string } {
  const dir = join(work, `apt-${n++}`);
  const parts = join(dir, 'apt.conf.d');
  mkdirSync(parts, { recursive: true });
  writeFileSync(join(dir, 'apt.conf'), [`Dir::Etc::Parts "${parts}/";`, 'Dir::Etc::Main "/dev/null";', ...lines, ''].join('\n'));
  return { APT_CONFIG: join(dir, 'apt.conf'), parts };
}

/** A dpkg database holding unattended-upgrades in `status` (or nothing at all). */
function dpkgDb(status: string | null): string {
  const dir = join(work, `dpkg-${n++}`);
  mkdirSync(join(dir, 'updates'), { recursive: true });
  mkdirSync(join(dir, 'info'), { recursive: true });
  const stanza = status
    ? `Package: unattended-upgrades\nStatus: ${status}\nPriority: optional\nSection: admin\nVersion: 2.9.1+nmu3\nArchitecture: all\nMaintainer: Debian <debian@example.org>\nDescription: automatic installation of security upgrades\n\n`
    : '';
  writeFileSync(join(dir, 'status'), stanza);
  return dir;
}

const ON = ['APT::Periodic::Update-Package-Lists "1";', 'APT::Periodic::Unattended-Upgrade "1";'];

describe('auto-updates check on this machine (local transport)', () => {
  it('reports what dpkg-query and apt-config say here', async () => {
    const dpkg = await execa('dpkg-query', ['-W', '-f=${Status}', 'unattended-upgrades'], { reject: false });
    const periodic = periodicSettings((await execa('apt-config', ['dump'])).stdout);
    const enabled = ['update-package-lists', 'unattended-upgrade'].every((k) => !['', '0', undefined].includes(periodic.get(k)));
    const expected = dpkg.stdout === 'install ok installed' && enabled ? 'pass' : 'fail';

    const { result } = await runCheck(local(), autoUpdatesCheck);
    expect(result.status, result.summary).toBe(expected);
    expect(result.evidence.packaging).toBe('dpkg');
    if (dpkg.stdout !== 'install ok installed') {
      expect(result.summary).toContain('unattended-upgrades is not installed');
      expect(result.fix?.commands?.[0]).toBe('apt-get update && apt-get install -y unattended-upgrades');
    }
  });

  it('passes when installed and both periodic settings are on', async () => {
    const { APT_CONFIG } = aptConfig(ON);
    const { result } = await runCheck(local({ APT_CONFIG, DPKG_ADMINDIR: dpkgDb('install ok installed') }), autoUpdatesCheck);
    expect(result.status, result.summary).toBe('pass');
    expect(result.evidence).toMatchObject({
      unattendedUpgrades: 'installed',
      periodic: { 'APT::Periodic::Update-Package-Lists': '1', 'APT::Periodic::Unattended-Upgrade': '1' },
      setBy: [`${APT_CONFIG}: APT::Periodic::Update-Package-Lists "1";`, `${APT_CONFIG}: APT::Periodic::Unattended-Upgrade "1";`],
    });
    expect(result.fix).toBeUndefined();
  });

  it('fails naming the setting that is off, and its fix turns it on', async () => {
    const { APT_CONFIG, parts } = aptConfig(['APT::Periodic::Update-Package-Lists "1";', 'APT::Periodic::Unattended-Upgrade "0";']);
    const env = { APT_CONFIG, DPKG_ADMINDIR: dpkgDb('install ok installed') };
    const { result } = await runCheck(local(env), autoUpdatesCheck);
    expect(result.status).toBe('fail');
    expect(result.summary).toBe('APT::Periodic::Unattended-Upgrade is "0"');
    const commands = result.fix?.commands ?? [];
    expect(commands).toHaveLength(1);
    expect(commands[0]).toContain('/etc/apt/apt.conf.d/20auto-upgrades');

    // The fix's file, written where this test's apt reads its parts (it is read after APT_CONFIG, so it wins).
    await execa('sh', ['-c', commands[0]!.replace('/etc/apt/apt.conf.d/', `${parts}/`)]);
    const after = await runCheck(local(env), autoUpdatesCheck);
    expect(after.result.status, after.result.summary).toBe('pass');
    expect(after.result.evidence.setBy).toContain(`${parts}/20auto-upgrades: APT::Periodic::Unattended-Upgrade "1";`);
  });

  it('fails when the package is absent or only its config remains, whatever apt says', async () => {
    const { APT_CONFIG } = aptConfig(ON);
    for (const status of [null, 'deinstall ok config-files']) {
      const { result } = await runCheck(local({ APT_CONFIG, DPKG_ADMINDIR: dpkgDb(status) }), autoUpdatesCheck);
      expect(result.status).toBe('fail');
      expect(result.summary).toBe('unattended-upgrades is not installed');
      expect(result.fix?.commands).toEqual(['apt-get update && apt-get install -y unattended-upgrades']);
    }
  });

  it('fails on unset settings and on APT::Periodic::Enable "0"', async () => {
    const db = dpkgDb('install ok installed');
    const unset = await runCheck(local({ ...aptConfig([]), DPKG_ADMINDIR: db }), autoUpdatesCheck);
    expect(unset.result.summary).toBe('APT::Periodic::Update-Package-Lists is unset; APT::Periodic::Unattended-Upgrade is unset');
    const disabled = await runCheck(local({ ...aptConfig([...ON, 'APT::Periodic::Enable "0";']), DPKG_ADMINDIR: db }), autoUpdatesCheck);
    expect(disabled.result.status).toBe('fail');
    expect(disabled.result.summary).toBe('APT::Periodic::Enable is "0"');
  });

  it('is unknown, with the reason, on a host with neither dpkg nor rpm', async () => {
    // PATH without the package tools: the probes' own `need` finds neither.
    const bin = join(work, 'bin');
    mkdirSync(bin, { recursive: true });
    for (const tool of ['sh', 'timeout', 'printf', 'cat', 'grep', 'sed']) {
      const path = (await execa('sh', ['-c', `command -v ${tool}`])).stdout.trim();
      if (path.startsWith('/')) await execa('ln', ['-sf', path, join(bin, tool)]);
    }
    const { result } = await runCheck(local({ PATH: bin }), autoUpdatesCheck);
    expect(result.status).toBe('unknown');
    expect(result.summary).toBe('neither dpkg nor rpm on this host: respond cannot tell how it updates');
    expect(result.evidence).toEqual({ dpkg: 'dpkg-query: not installed', rpm: 'rpm: not installed' });
  });
});
