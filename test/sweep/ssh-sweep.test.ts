// The same sweep over SSH: a real sshd on loopback (the shared host fixture), the issue-3 SSH
// transport, an unprivileged remote user whose HOME holds a state dir made by the real openclaw
// CLI, and no rg on the host, so the bundled static rg is uploaded and removed again.
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { HUNT_RULE_ID } from '../../lib/sweep/detector.js';
import { hostTransport } from '../../activities/sweep/hosts.js';
import { runScrub } from '../../activities/sweep/scrub.js';
import { createSweepActivities, defaultSweepDeps } from '../../activities/sweep/activities.js';
import { runSweep } from '../../activities/sweep/engine.js';
import { startSshd, type SshdFixture } from '../fixtures/sshd.js';
import { sweepCli, type CliRun } from './helpers/cli.js';
import { makeOpenClawFixture, type OpenClawFixture } from './helpers/openclaw.js';
import { sarifErrors } from './helpers/sarif.js';

const USER = 'respond-sweep';
let sshd: SshdFixture;
let fx: OpenClawFixture;
let root: string;
let inventory: string;
const captured: string[] = [];

function keep(r: CliRun): CliRun {
  captured.push(r.stdout, r.stderr);
  return r;
}

const workdirs = (dir = '/tmp') => readdirSync(dir).filter((d) => d.startsWith('.respond-sweep.'));

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'respond-sweep-ssh-'));
  chmodSync(root, 0o755);
  fx = await makeOpenClawFixture(root);
  // An unprivileged account whose home is the fixture's: the sweep sees what that user can read.
  const exists = (await execa('id', ['-u', USER], { reject: false })).exitCode === 0;
  // Password '*' (no password, not locked): sshd without PAM refuses key logins to locked accounts.
  if (exists) await execa('usermod', ['-d', fx.home, '-p', '*', USER]);
  else await execa('useradd', ['-M', '-d', fx.home, '-s', '/bin/sh', '-p', '*', USER]);
  await execa('chown', ['-R', `${USER}:`, fx.home, join(root, 'logs')]);
  // Root's own copy, unreadable to the sweeping user, and a file over the size limit.
  writeFileSync(join(fx.stateDir, 'root-only.json'), `{"token":"${fx.oldToken}"}\n`, { mode: 0o600 });
  writeFileSync(join(fx.stateDir, 'huge.log'), `${'y'.repeat(2 * 1024 * 1024)}\nOPENCLAW_GATEWAY_TOKEN=${fx.oldToken}\n`);
  await execa('chown', [`${USER}:`, join(fx.stateDir, 'huge.log')]);
  sshd = await startSshd();
  // sshd reads authorized_keys as the target user: let the unprivileged account read it.
  chmodSync(sshd.dir, 0o711);
  chmodSync(join(sshd.dir, 'authorized_keys'), 0o644);
  inventory = join(root, 'inventory.yaml');
  writeFileSync(
    inventory,
    stringify({
      hosts: [
        { name: 'oc-remote', tags: ['prod'], transport: sshd.transport({ user: USER }), install: { method: 'npm' } },
        // Nothing listens on port 1: a host that cannot be reached.
        { name: 'oc-down', tags: ['prod'], transport: sshd.transport({ user: USER, port: 1, connectTimeoutSec: 2 }), install: { method: 'npm' } },
      ],
    }),
  );
});

afterAll(async () => {
  // The fixture holds (test-generated) secrets: leave nothing behind.
  if (root) rmSync(root, { recursive: true, force: true });
  await sshd?.stop();
  // The account was made for this test only.
  await execa('userdel', [USER], { reject: false });
  const secrets = [fx.oldToken, fx.newToken, Buffer.from(`operator:${fx.oldToken}`).toString('base64')];
  const all = captured.join('\n');
  for (const s of secrets) expect(all.includes(s), 'a captured output holds a full secret').toBe(false);
});

describe('sweep over SSH', () => {
  it('finds every copy of the rotated token in the remote default scope, reports what it could not read, and cleans up', async () => {
    const before = workdirs();
    const r = keep(
      await sweepCli(
        ['--host', 'oc-remote', '--inventory', inventory, '--format', 'json', '--hunt-ref', 'env:OLD_GW', '--max-filesize', '1M'],
        { OLD_GW: fx.oldToken, PATH: process.env.PATH! },
      ),
    );
    expect(r.code, r.stderr).toBe(1);
    const report = JSON.parse(r.stdout);
    const host = report.hosts[0];
    expect(host.host).toBe('oc-remote');
    // No rg on the host: the bundled rg 15 was uploaded, and its private dir is gone again.
    expect(host.stats.rgVersion).toMatch(/^ripgrep 15\./);
    expect(workdirs()).toEqual(before);

    const hunted = new Set(
      report.findings.filter((f: { ruleId: string }) => f.ruleId === HUNT_RULE_ID).map((f: { path: string }) => f.path),
    );
    const readable = fx.filesWithOldToken().filter((f) => !f.endsWith('root-only.json') && !f.endsWith('huge.log'));
    expect(readable.some((f) => /openclaw\.json\.bak/.test(f))).toBe(true);
    expect(readable).toEqual(expect.arrayContaining([fx.logFile, fx.transcript, fx.history]));
    expect([...hunted].sort()).toEqual(readable.sort());
    const skipped = host.skipped.map((s: { reason: string; path: string }) => `${s.reason} ${s.path}`);
    expect(skipped).toContain(`unreadable ${join(fx.stateDir, 'root-only.json')}`);
    expect(skipped).toContain(`too-large ${join(fx.stateDir, 'huge.log')}`);
    for (const f of report.findings) expect(f.host).toBe('oc-remote');
    // The config pass read the remote openclaw.json and its backups by credential path; no
    // OpenClaw on this host's PATH, so the pinned matrix was used.
    expect(host.surface).toMatchObject({ source: 'bundled' });
    const byPath = report.findings.filter((f: { ruleId: string; description: string }) => f.ruleId === 'openclaw-config-credential' && /gateway\.auth\.token/.test(f.description));
    expect(byPath.map((f: { path: string }) => f.path)).toEqual(expect.arrayContaining([join(fx.stateDir, 'openclaw.json'), join(fx.stateDir, 'openclaw.json.bak')]));
  });

  it('gives the same findings as a local sweep of the same files, and valid SARIF', async () => {
    const args = ['--format', 'sarif', '--hunt-ref', 'env:OLD_GW', fx.stateDir];
    const env = { OLD_GW: fx.oldToken, PATH: process.env.PATH! };
    const remote = keep(await sweepCli(['--host', 'oc-remote', '--inventory', inventory, ...args], env));
    const local = keep(await sweepCli(args, env));
    const ids = (s: string) =>
      JSON.parse(s)
        .runs[0].results.map((x: { ruleId: string; locations: Array<{ physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }>; partialFingerprints: Record<string, string> }) =>
          `${x.ruleId} ${x.locations[0]!.physicalLocation.artifactLocation.uri}:${x.locations[0]!.physicalLocation.region.startLine} ${x.partialFingerprints['secretSha256Prefix/v1']}`,
        )
        .sort();
    expect(sarifErrors(JSON.parse(remote.stdout))).toEqual([]);
    // Root reads root-only.json locally; the remote user cannot. Everything else is identical.
    expect(ids(remote.stdout)).toEqual(ids(local.stdout).filter((l: string) => !l.includes('root-only.json')));
    expect(ids(remote.stdout).length).toBeGreaterThan(3);
  });

  it('scrubs over SSH: quarantine and manifest on the host, owner-only, value gone, ownership kept', async () => {
    const { transport } = await hostTransport('oc-remote', inventory);
    const hunts = [{ ref: 'env:OLD_GW', value: fx.oldToken }];
    try {
      const found = await runSweep(transport, { rules: { rules: [], allowlists: [], warnings: [] }, hunts });
      const paths = [...new Set(found.findings.map((f) => f.path))];
      expect(paths.length).toBeGreaterThan(3);
      const base = join(fx.home, '.respond-quarantine');
      const res = await runScrub(transport, { paths, hunts, quarantineBase: base, label: 'INC-1.scrub' });
      expect(res.scrubbed.map((e) => e.path).sort()).toEqual(paths.sort());
      const uid = Number((await execa('id', ['-u', USER])).stdout);
      expect(statSync(res.quarantineDir).mode & 0o777).toBe(0o700);
      expect(statSync(res.quarantineDir).uid).toBe(uid);
      for (const e of res.scrubbed) {
        expect(readFileSync(e.path, 'utf8').includes(fx.oldToken)).toBe(false);
        // The manifest's sha256 is the original's, and the quarantined copy is that original.
        expect(createHash('sha256').update(readFileSync(e.quarantinedAs)).digest('hex')).toBe(e.sha256);
        expect(statSync(e.path).uid).toBe(uid);
      }
      const again = await runSweep(transport, { rules: { rules: [], allowlists: [], warnings: [] }, hunts, roots: [fx.stateDir, fx.history, fx.logDir] });
      expect(again.findings).toEqual([]);
      captured.push(JSON.stringify(res), JSON.stringify(again));
    } finally {
      await transport.close?.();
    }
  });

  it('falls back to $HOME when /tmp is mounted noexec, and leaves nothing behind', async () => {
    const noexec = mkdtempSync(join(tmpdir(), 'respond-noexec-'));
    await execa('mount', ['-t', 'tmpfs', '-o', 'noexec,mode=1777,size=64m', 'tmpfs', noexec]);
    const { transport } = await hostTransport('oc-remote', inventory);
    try {
      const r = await runSweep(transport, {
        roots: [fx.stateDir],
        rules: { rules: [], allowlists: [], warnings: [] },
        // The live token: the scrub above already removed the old one.
        hunts: [{ ref: 'env:NEW_GW', value: fx.newToken }],
        workdirParents: [noexec, '~'],
      });
      expect(r.stats.rgVersion).toMatch(/^ripgrep 15\./);
      expect(r.findings.length).toBeGreaterThan(0);
      expect(workdirs(noexec)).toEqual([]);
      expect(workdirs(fx.home)).toEqual([]);
      captured.push(JSON.stringify(r));
    } finally {
      await transport.close?.();
      await execa('umount', [noexec], { reject: false });
      rmSync(noexec, { recursive: true, force: true });
    }
  });

  it('sweeps a tag of hosts: an unreachable host is reported and makes the exit code 5, the others still report', async () => {
    const r = keep(await sweepCli(['--host', 'tag:prod', '--inventory', inventory, '--format', 'json', fx.stateDir], { PATH: process.env.PATH! }));
    expect(r.code).toBe(5);
    const report = JSON.parse(r.stdout);
    expect(report.summary.hosts).toEqual(['oc-remote', 'oc-down']);
    expect(report.findings.length).toBeGreaterThan(0);
    expect(report.findings.every((f: { host: string }) => f.host === 'oc-remote')).toBe(true);
    expect(report.hosts[1].warnings.join(' ')).toMatch(/^sweep failed: /);
  });

  it('the scrub activity quarantines on a remote host under that user\'s own state dir', async () => {
    const notes = join(fx.home, 'notes');
    mkdirSync(notes, { recursive: true });
    writeFileSync(join(notes, 'pasted.txt'), `gateway token was ${fx.newToken}\n`);
    await execa('chown', ['-R', `${USER}:`, notes]);
    process.env.RESPOND_TEST_SCRUB_NEW_GW = fx.newToken;
    try {
      // Worker's own base is a path that does not exist on the host: it must not be used there.
      const acts = createSweepActivities({ ...defaultSweepDeps(), quarantineBase: '/nonexistent/respond-quarantine', quarantineBasePinned: false });
      const res = await acts.scrubHost({
        host: 'oc-remote',
        inventory,
        roots: [notes],
        hunt: { new_gw: 'env:RESPOND_TEST_SCRUB_NEW_GW' },
        label: 'INC-2.scrub',
      });
      captured.push(JSON.stringify(res));
      expect(res.quarantineDir).toBe(join(fx.home, '.local', 'state', 'respond', 'quarantine', 'INC-2.scrub'));
      expect(statSync(res.quarantineDir).mode & 0o777).toBe(0o700);
      expect(res.scrubbed.map((e) => e.path)).toEqual([join(notes, 'pasted.txt')]);
      expect(readFileSync(join(notes, 'pasted.txt'), 'utf8')).not.toContain(fx.newToken);
    } finally {
      delete process.env.RESPOND_TEST_SCRUB_NEW_GW;
    }
  });
});
