/**
 * The pure half of discovery: socket addresses as /proc/net/tcp writes them, cgroup lines as
 * systemd, Docker and Podman write them, and the manager rules over a process chain. The
 * processes behind these rules are exercised for real in gateway-managers and openclaw-fleet;
 * here are the cases this machine cannot run (systemd units, Docker's cgroups).
 */
import { describe, expect, it } from 'vitest';
import { classifyManager, containerOf, isOpenclawProcess, systemdUnitOf } from '../../activities/openclaw/gateway/classify.js';
import { decodeAddress, parseDiscovery } from '../../activities/openclaw/gateway/discover.js';
import type { ProcInfo } from '../../activities/openclaw/gateway/types.js';

function proc(p: Partial<ProcInfo> & { pid: number; comm: string }): ProcInfo {
  return { ppid: 1, uid: 1000, user: 'ops', exe: null, cwd: '/', argv: [p.comm], cgroup: [], pgid: null, sid: null, envKeys: [], env: {}, ...p };
}

describe('socket addresses', () => {
  it('decodes IPv4 and IPv6 as the kernel writes them', () => {
    expect(decodeAddress('0100007F')).toBe('127.0.0.1');
    expect(decodeAddress('00000000')).toBe('0.0.0.0');
    expect(decodeAddress('00000000000000000000000001000000')).toBe('::1');
    expect(decodeAddress('00000000000000000000000000000000')).toBe('::');
    expect(decodeAddress('0000000000000000FFFF00000100007F')).toBe('127.0.0.1');
    expect(decodeAddress('B80D0120000000000000000001000000')).toBe('2001:db8::1');
  });
});

describe('cgroups', () => {
  it('names a systemd user unit and its uid, and a system unit', () => {
    expect(systemdUnitOf(proc({ pid: 5, comm: 'openclaw', cgroup: ['0::/user.slice/user-1000.slice/user@1000.service/app.slice/openclaw-gateway.service'] }))).toEqual({
      unit: 'openclaw-gateway.service',
      userUid: 1000,
    });
    expect(systemdUnitOf(proc({ pid: 5, comm: 'openclaw', cgroup: ['1:name=systemd:/system.slice/openclaw.service', '0::/system.slice/openclaw.service'] }))).toEqual({
      unit: 'openclaw.service',
      userUid: null,
    });
    // A login session is not a unit that manages the gateway.
    expect(systemdUnitOf(proc({ pid: 5, comm: 'openclaw', cgroup: ['0::/user.slice/user-1000.slice/session-4.scope'] }))).toBeNull();
    expect(systemdUnitOf(proc({ pid: 5, comm: 'openclaw', cgroup: ['0::/user.slice/user-1000.slice/user@1000.service/init.scope'] }))).toBeNull();
  });

  it('finds Docker (cgroup v1 and v2) and Podman container ids', () => {
    const id = 'a'.repeat(64);
    expect(containerOf(proc({ pid: 9, comm: 'node', cgroup: [`4:memory:/docker/${id}`] }))).toEqual({ runtime: 'docker', id });
    expect(containerOf(proc({ pid: 9, comm: 'node', cgroup: [`0::/system.slice/docker-${id}.scope`] }))).toEqual({ runtime: 'docker', id });
    // As seen here for an `openclaw fleet` cell under rootful Podman with cgroupfs.
    expect(containerOf(proc({ pid: 9, comm: 'MainThread', cgroup: [`4:memory:/libpod_parent/libpod-${id}`] }))).toEqual({ runtime: 'podman', id });
  });
});

describe('manager rules', () => {
  const launcher = proc({ pid: 20, ppid: 19, comm: 'openclaw', argv: ['openclaw'] });
  const child = proc({ pid: 21, ppid: 20, comm: 'openclaw-gatewa', argv: ['openclaw-gateway'] });

  it('a gateway in a systemd user unit is that unit', () => {
    const cg = ['0::/user.slice/user-1000.slice/user@1000.service/app.slice/openclaw-gateway.service'];
    const m = classifyManager([{ ...child, cgroup: cg }, { ...launcher, cgroup: cg }, proc({ pid: 19, comm: 'systemd' })], null, true);
    expect(m).toEqual({ kind: 'systemd-user', unit: 'openclaw-gateway.service', uid: 1000, user: 'ops', pid: 20 });
  });

  it("respond's pidfile wins; docker-proxy on the port means a container", () => {
    expect(classifyManager([child, launcher], 20, true)).toEqual({ kind: 'respond', pid: 20 });
    expect(classifyManager([proc({ pid: 7, comm: 'docker-proxy', argv: ['/usr/bin/docker-proxy', '-proto', 'tcp'] })], null, true)).toMatchObject({ kind: 'docker', runtime: 'docker', container: null });
  });

  it('pm2 and s6 are recognised by their daemons; another interpreter naming the entry is not OpenClaw', () => {
    const pm2 = proc({ pid: 19, comm: 'PM2 v5.4.2: God', argv: ['PM2 v5.4.2: God Daemon (/home/ops/.pm2)'] });
    expect(classifyManager([child, { ...launcher, env: { pm_id: '3', PM2_HOME: '/home/ops/.pm2' } }, pm2], null, true)).toMatchObject({
      kind: 'supervised-other',
      supervisor: 'pm2',
      name: '3',
      control: '/home/ops/.pm2',
    });
    const watchdog = proc({ pid: 19, comm: 'python3', argv: ['/usr/bin/python3', 'keep.py', '/usr/bin/node', '/opt/oc/node_modules/openclaw/openclaw.mjs', 'gateway'] });
    expect(isOpenclawProcess(watchdog)).toBe(false);
    expect(isOpenclawProcess(proc({ pid: 3, comm: 'node', argv: ['/usr/bin/node', '/opt/oc/node_modules/openclaw/openclaw.mjs', 'gateway'] }))).toBe(true);
    expect(classifyManager([child, launcher, watchdog], null, true)).toMatchObject({ kind: 'unknown' });
  });

  it('an unreadable owner is unknown, with the reason', () => {
    expect(classifyManager([], null, false)).toMatchObject({ kind: 'unknown', reason: expect.stringMatching(/not visible to this user/) });
  });
});

describe('parsing what the host printed', () => {
  it('keeps only names of the environment, redacts the command line, and trims a retitled argv', () => {
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    const out = [
      'listen=0100007F,123',
      '@proc 21',
      'ppid=1',
      'uid=0',
      'comm=openclaw',
      `argv=${b64('openclaw\0\0\0\0   ')}`,
      'envkeys=HOME OPENCLAW_GATEWAY_TOKEN ',
      'env.HOME=/root',
      '@proc 9',
      'ppid=1',
      `argv=${b64('tmux\0new\0OPENCLAW_GATEWAY_TOKEN=s3cr3t-value-abcdef openclaw gateway\0')}`,
    ].join('\n');
    const p = parseDiscovery(out, (s) => s.replaceAll('s3cr3t-value-abcdef', '[redacted]'));
    expect(p.listening).toEqual([{ address: '127.0.0.1', inode: 123 }]);
    expect(p.chain[0]).toMatchObject({ pid: 21, argv: ['openclaw'], envKeys: ['HOME', 'OPENCLAW_GATEWAY_TOKEN'], env: { HOME: '/root' } });
    expect(JSON.stringify(p)).not.toContain('s3cr3t-value-abcdef');
  });
});
