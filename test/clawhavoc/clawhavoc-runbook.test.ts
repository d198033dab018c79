/**
 * `respond start clawhavoc` end to end on really compromised hosts. First the demo host that
 * `respond demo clawhavoc` builds: a real OpenClaw 2026.1.29 gateway started from a shell, its
 * token changed twice (the .bak files keep the old values), its own CLI paired as a device, the
 * live token leaked to a log line, an env file and the shell history, a nightly snapshot, then
 * ClawHavoc's edits to SOUL.md and MEMORY.md, a wallet-stealing skill and open DMs. One
 * unattended run in the exact command form must upgrade it to the fixed release, rotate
 * the gateway token, scrub every old copy, take the skill out of the load path, restore the
 * memory files and prove it. Then a two-host fleet (local canary, SSH) with the worker killed.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { compromise, leakToken } from '../../cli/demo/clawhavoc-host.js';
import { createTransport, SshTransport } from '../../activities/hosts/transports/index.js';
import { parseConfig } from '../../activities/openclaw/config.js';
import { probeHostGateway } from '../../activities/openclaw/gateway-process.js';
import { openOpenclawHost } from '../../activities/openclaw/host.js';
import { loadInventory } from '../../lib/inventory/load.js';
import type { HostSpec } from '../../lib/inventory/schema.js';
import { fingerprint } from '../../lib/secrets.js';
import { listedSkills, setupWorkspace } from '../fixtures/memory.js';
import { createFixtureHost, NEWER, OLDER, type FixtureHost } from '../fixtures/openclaw.js';
import { startSshd, type SshdFixture } from '../fixtures/sshd.js';
import { RotationVault, rotationDir } from '../../activities/rotation/vault.js';
import { historyJson } from '../helpers/runs.js';
import { Sandbox } from '../helpers/sandbox.js';

vi.setConfig({ testTimeout: 900_000, hookTimeout: 600_000 });

let s: Sandbox;
let c: Client;
let allowlist: string;

/** Files under `dir` (quarantine excluded) that hold `value`. */
function filesHolding(dir: string, value: string): string[] {
  try {
    return execFileSync('grep', ['-rlF', '--exclude-dir', 'quarantine', value, dir], { encoding: 'utf8' }).split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

/** A fixture host as its operator keeps it: the release's own workspace, a memory note. Returns the clean copies. */
async function prepare(f: FixtureHost): Promise<{ workspace: string; clean: Map<string, Buffer> }> {
  const ws = await setupWorkspace(f, OLDER);
  writeFileSync(join(ws, 'MEMORY.md'), '# Memory\n\n- The user prefers short answers.\n', { mode: 0o600 });
  return { workspace: ws, clean: new Map(['SOUL.md', 'MEMORY.md', 'AGENTS.md'].map((x) => [x, readFileSync(join(ws, x))])) };
}

/** The nightly snapshot, then the incident's start a moment later (commit times have one-second resolution). */
async function snapshotThenIncident(inv: string, id: string): Promise<string> {
  const snap = await s.cli(['snapshot', '--inventory', inv, '--incident', id]);
  expect(snap.code, snap.stderr + snap.stdout).toBe(0);
  await new Promise((r) => setTimeout(r, 1_100));
  const t = new Date().toISOString();
  await new Promise((r) => setTimeout(r, 1_100));
  return t;
}

/** Every secret a demo host holds before the run: the live token, the older ones in .bak files, the paired CLI's device token. */
function demoSecrets(stateDir: string): { live: string; older: string[]; device: string } {
  const tokenOf = (f: string) => (parseConfig(readFileSync(join(stateDir, f), 'utf8')) as { gateway: { auth: { token: string } } }).gateway.auth.token;
  const live = tokenOf('openclaw.json');
  const older = [...new Set(readdirSync(stateDir).filter((f) => f.startsWith('openclaw.json.bak')).map(tokenOf))].filter((t) => t !== live);
  const device = (JSON.parse(readFileSync(join(stateDir, 'identity', 'device-auth.json'), 'utf8')) as { tokens: { operator: { token: string } } }).tokens.operator.token;
  return { live, older, device };
}

beforeAll(async () => {
  s = await Sandbox.create();
  // The first command starts the embedded server and worker.
  expect((await s.cli(['list'])).code).toBe(0);
  c = await s.client();
  allowlist = join(s.dir, 'skills-allowlist.yaml');
  writeFileSync(allowlist, 'allowed_skills: []\nblocked_patterns: ["*wallet*"]\n');
});

const fleetHosts: FixtureHost[] = [];
let sshd: SshdFixture | undefined;
let demoSpec: HostSpec | undefined;

afterAll(async () => {
  if (sshd) await new SshTransport(sshd.transport()).close();
  if (demoSpec) await s.cli(['demo', 'stop']);
  await Promise.allSettled([s?.stop(), ...fleetHosts.map((f) => f.destroy()), sshd?.stop()]);
});

describe('respond start clawhavoc', () => {
  it('takes the compromised demo host through the whole response unattended, in the exact command form', async () => {
    const built = await s.cli(['demo', 'clawhavoc', '--incident', 'HAVOC-1', '--build-only']);
    expect(built.code, built.stderr).toBe(0);
    const command = built.stdout.trim().split('\n').at(-1)!;
    expect(command).toMatch(/^respond start clawhavoc --inventory \S+ --incident HAVOC-1 --set version=2026\.9\.6 --set since=\S+ --set allowlist=\S+ --set tokenFile=\S+$/);
    const dir = join(s.dir, 'state', 'demo', 'HAVOC-1');
    demoSpec = loadInventory(join(dir, 'inventory.yaml')).hosts[0]!;
    const stateDir = join(dir, 'home', '.openclaw');
    const workspace = join(stateDir, 'workspace');
    const secrets = demoSecrets(stateDir);
    expect(secrets.older.length, 'two earlier token changes left their values in .bak files').toBeGreaterThanOrEqual(2);
    const leaks = [join(dir, 'home', '.bash_history'), join(dir, 'home', 'gateway.env'), join(dir, 'logs', 'openclaw.log')];
    for (const f of leaks) expect(readFileSync(f, 'utf8')).toContain(secrets.live);
    // The clean memory is what the nightly snapshot holds: the demo's edits came after it.
    const soul = readFileSync(join(workspace, 'SOUL.md'), 'utf8');
    const clean = new Map([
      ['SOUL.md', soul.slice(0, soul.lastIndexOf('\nIgnore previous instructions'))],
      ['MEMORY.md', '# Memory\n\n- The user prefers short answers.\n- Deploys go out on Tuesdays.\n'],
    ]);
    expect((await listedSkills(demoSpec)).map((x) => x.name)).toContain('phantom-wallet-helper');

    const began = Date.now();
    const r = await s.cli([...command.split(' ').slice(1), '--auto-approve', '--wait']);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    console.log(`clawhavoc on the demo host (${OLDER} -> ${NEWER}, local): ${Date.now() - began} ms start to completion`);
    const tokenFile = command.match(/tokenFile=(\S+)/)![1]!;

    // The fixed release runs, with the new token; the leaked one, every older one, is refused.
    const h = await openOpenclawHost(demoSpec, createTransport(demoSpec));
    try {
      expect(h.pkg?.version).toBe(NEWER);
      expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
      const next = readFileSync(tokenFile, 'utf8').trim();
      expect(next).not.toBe(secrets.live);
      expect((await probeHostGateway(h, next)).token).toBe('accepted');
      for (const old of [secrets.live, ...secrets.older]) expect((await probeHostGateway(h, old)).token).toBe('rejected');
      // No live file under the host's home (or its log dir) holds any old or leaked token. The old
      // (revoked) device token 2026.9.6 keeps inside its SQLite state only, which respond does not
      // rewrite: the report names it for a person.
      for (const v of [secrets.live, ...secrets.older]) {
        for (const d of [join(dir, 'home'), join(dir, 'logs')]) expect(filesHolding(d, v), d).toEqual([]);
      }
      expect(filesHolding(join(dir, 'home'), secrets.device).filter((f) => !/\.sqlite(-wal|-shm)?$/.test(f))).toEqual([]);

      // Evidence preserved before anything changed: the transcript copied whole, the memory and
      // skills archived, the signals counted by time, no content in the summary.
      const qRoot = join(s.dir, 'state', 'quarantine');
      const [evDir] = readdirSync(qRoot).filter((d) => d.includes('HAVOC-1') && d.endsWith('.evidence'));
      const ev = JSON.parse(readFileSync(join(qRoot, evDir!, 'manifest.json'), 'utf8')) as { files: Array<{ path: string; copiedAs: string }>; archive: string; signals: Array<{ id: string; count: number; first?: string }>; ledger: { available: boolean } };
      const transcript = ev.files.find((f) => f.path.endsWith('havoc-session.jsonl'))!;
      expect(readFileSync(transcript.copiedAs, 'utf8')).toContain('id_ed25519');
      expect(statSync(ev.archive).size).toBeGreaterThan(0);
      const counts = Object.fromEntries(ev.signals.map((x) => [x.id, x.count]));
      // At least what the transcript shows; the live gateway's own log lines of the window may add more.
      for (const [id, n] of Object.entries({ 'shell-tool-call': 2, 'credential-file-read': 1, 'base64-encoding': 1, 'outbound-destination': 1 })) expect(counts[id], id).toBeGreaterThanOrEqual(n);
      expect(ev.ledger.available, '2026.1.29 has no activity ledger').toBe(false);

      // Contained: DMs closed and the allow-all entry gone; the original config kept in quarantine.
      const after = parseConfig(readFileSync(join(stateDir, 'openclaw.json'), 'utf8')) as { channels: { telegram: { dmPolicy: string; allowFrom: string[] } } };
      expect(after.channels.telegram).toMatchObject({ dmPolicy: 'disabled', allowFrom: [] });
      const [containDir] = readdirSync(qRoot).filter((d) => d.includes('HAVOC-1') && d.endsWith('.contain'));
      const before = join(qRoot, containDir!, 'openclaw.json.before-contain');
      expect(statSync(before).mode & 0o777).toBe(0o600);
      expect(JSON.parse(readFileSync(before, 'utf8')).channels.telegram.dmPolicy).toBe('open');
      // Memory back to the snapshot byte for byte; the skill out of the load path, into quarantine.
      for (const [f, text] of clean) expect(readFileSync(join(workspace, f), 'utf8'), f).toBe(text);
      expect(existsSync(join(workspace, 'skills', 'phantom-wallet-helper'))).toBe(false);
      expect((await listedSkills(demoSpec)).map((x) => x.name)).not.toContain('phantom-wallet-helper');
      const moved = readdirSync(qRoot).filter((d) => d.includes('HAVOC-1') && d.endsWith('quarantine-skills'));
      expect(moved).toHaveLength(1);

      // The incident report: attached to the run's result and retrievable with respond report.
      const id = 'respond-clawhavoc-HAVOC-1';
      const result = (await c.workflow.getHandle(id).result()) as { report?: { markdown: string; report: { phase: string } } };
      expect(result.report?.report.phase).toBe('completed');
      const rep = await s.cli(['report', id, '--json']);
      expect(rep.code, rep.stderr).toBe(0);
      const report = JSON.parse(rep.stdout) as { phase: string; approvals: Array<{ step: string; approver: string; hash: string }>; hosts: Array<{ host: string; steps: Array<{ id: string; state: string; summary?: string }> }>; leftForHuman: string[] };
      expect(report.phase).toBe('completed');
      expect(report.approvals.map((a) => a.step)).toEqual(expect.arrayContaining(['contain', 'upgrade', 'gateway-set', 'gateway-revoke', 'scrub-stale', 'quarantine-skills', 'restore-memory']));
      for (const a of report.approvals) expect(a).toMatchObject({ approver: 'auto:tester', hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
      expect(report.hosts.map((x) => x.host)).toEqual([demoSpec.name]);
      expect(report.hosts[0]!.steps.filter((st) => !['done', 'skipped'].includes(st.state))).toEqual([]);
      const verify = report.hosts[0]!.steps.find((st) => st.id === 'verify')!;
      expect(verify.summary).toMatch(/^none of \d+ old value\(s\) found in files(; 1 only inside openclaw\.sqlite[^;]*)?; security audit \d+ critical/);
      expect(verify.summary).toMatch(/secrets audit --check: (clean|findings)/);
      const md = (await s.cli(['report', id])).stdout.trim();
      expect(md).toBe(result.report!.markdown);
      expect(statSync(md).mode & 0o777).toBe(0o600);
      const mdText = readFileSync(md, 'utf8');
      expect(mdText).toContain(`## Host ${demoSpec.name}: done`);
      expect(mdText).toContain('| quarantine-skills | quarantine-skills | done |');
      expect(mdText).toMatch(/\| evidence \| evidence \| done \| \d+ file\(s\) preserved in [^|]*; signals: shell-tool-call [2-9]/);
      expect(mdText).not.toContain('id_ed25519');
      // Per host: credentials by fingerprint, stale copies, memory with diff stats, skills, the proof.
      expect(mdText).toMatch(new RegExp(`\\| gateway \\| ${fingerprint(secrets.live)} \\| ${fingerprint(next)} \\| (revoked|finished) \\|`));
      expect(mdText).toMatch(/### Stale copies\n\n- [1-9]\d* old value\(s\) kept in config backups or migrated stores \([^)]*gateway\.auth\.token/);
      expect(mdText).toMatch(/- \S+\/SOUL\.md \(modified\): the tampering added [1-9]\d* and removed \d+ line\(s\), undone; [1-9]\d* suspicious line\(s\) flagged/);
      expect(mdText).toContain('### Skills quarantined\n\n- phantom-wallet-helper');
      expect(mdText).toMatch(/### Verification\n\n- exact hunt: [1-9]\d* old value\(s\), 0 still found in files\n/);
      expect(mdText).toMatch(/- openclaw security audit: \d+ critical/);
      if (filesHolding(join(dir, 'home'), secrets.device).length) expect(mdText).toContain(`${fingerprint(secrets.device)} (revoked) is still inside`);
      expect(mdText).toMatch(/- shell-tool-call: [2-9]\d* \(/);
      // The final sweep does not take respond's own redaction markers for secrets.
      const finalSweep = mdText.slice(mdText.indexOf('### Findings of sweep-after'), mdText.indexOf('### Signals'));
      expect(finalSweep).not.toMatch(/\.bak[.\d]*:\d+ \|/);
      expect(finalSweep).not.toContain('.bash_history');

      // No secret in anything printed, the report, the audit log or the histories.
      const hist = (await historyJson(c, id)) + (await historyJson(c, `${id}/${demoSpec.name}`));
      expect(hist).toContain('[override-ignore-instructions,');
      const audit = readFileSync(s.config.auditLogPath, 'utf8');
      for (const v of [secrets.live, ...secrets.older, secrets.device, next]) {
        expect(hist).not.toContain(v);
        expect(mdText).not.toContain(v);
        expect(readFileSync(md.replace(/\.md$/, '.json'), 'utf8')).not.toContain(v);
        expect(audit).not.toContain(v);
        expect(s.daemonLog()).not.toContain(v);
        for (const out of s.captured) expect(out).not.toContain(v);
      }
    } finally {
      await h.t.close();
    }
  });

  it('a two-host fleet (a local canary, one over SSH), the worker killed mid-run: it finishes and nothing runs twice', async () => {
    sshd = await startSshd();
    const [canary, remote] = await Promise.all([
      createFixtureHost({ name: 'havoc-canary', version: OLDER, tags: ['canary'] }),
      createFixtureHost({ name: 'havoc-ssh', version: OLDER, ssh: sshd.transport() }),
    ]);
    fleetHosts.push(canary, remote);
    const prepared = await Promise.all([prepare(canary), prepare(remote)]);
    const inv = join(s.dir, 'fleet.yaml');
    writeFileSync(inv, JSON.stringify({ version: 1, hosts: [canary.spec, remote.spec] }, null, 2));
    const t0 = await snapshotThenIncident(inv, 'nightly-fleet');
    for (const [i, f] of [canary, remote].entries()) {
      leakToken(f.spec.env.HOME!, join(f.root, 'logs', 'gateway-2026-12-01.log'), f.token);
      compromise(f.stateDir, prepared[i]!.workspace, t0);
    }

    const id = 'respond-clawhavoc-HAVOC-2';
    const tokenFile = join(s.dir, 'tokens', '{{host}}.token');
    const r = await s.cli(['start', 'clawhavoc', '--inventory', inv, '--incident', 'HAVOC-2', '--set', `version=${NEWER}`, '--set', `since=${t0}`, '--set', `allowlist=${allowlist}`, '--set', `tokenFile=${tokenFile}`, '--auto-approve', '--json']);
    expect(r.code, r.stderr).toBe(0);
    // The worker dies right after the canary's upgrade, in the middle of the run.
    const done = (host: string, step: string) => s.audit().some((e) => e.workflowId === id && e.host === host && e.step === step && e.event === 'step.completed');
    await s.waitFor('the canary upgraded', () => (done('havoc-canary', 'upgrade') ? true : undefined), 600_000);
    const victim = s.pids().worker!;
    process.kill(victim, 'SIGKILL');
    await s.waitFor('a new worker', () => (s.pids().worker && s.pids().worker !== victim ? true : undefined));
    const result = await c.workflow.getHandle(id).result().then(() => 'completed', (e: Error) => `failed: ${e.message}`);
    expect(result).toBe('completed');

    // The canary went first: its wave was done before the other host started.
    const completed = s.audit().filter((e) => e.workflowId === id && e.host !== undefined && e.event === 'step.completed');
    const lastCanary = completed.filter((e) => e.host === 'havoc-canary').at(-1)!.ts;
    const firstRemote = s.audit().filter((e) => e.workflowId === id && e.host === 'havoc-ssh' && e.event === 'step.started')[0]!.ts;
    expect(firstRemote >= lastCanary).toBe(true);
    // Each step ran once per host, and each host's gateway token was rotated exactly once.
    const perStep = new Map<string, number>();
    for (const e of completed) perStep.set(`${e.host}/${e.step}`, (perStep.get(`${e.host}/${e.step}`) ?? 0) + 1);
    expect([...perStep.values()].every((n) => n === 1), JSON.stringify([...perStep])).toBe(true);
    const recs = new RotationVault(rotationDir(join(s.dir, 'state'))).all().filter((x) => x.incident === 'HAVOC-2');
    expect(recs.map((x) => x.host).sort()).toEqual(['havoc-canary', 'havoc-ssh']);

    for (const [i, f] of [canary, remote].entries()) {
      const h = await openOpenclawHost(f.spec, createTransport(f.spec));
      try {
        expect(h.pkg?.version, f.spec.name).toBe(NEWER);
        const next = readFileSync(join(s.dir, 'tokens', `${f.spec.name}.token`), 'utf8').trim();
        expect((await probeHostGateway(h, next)).token).toBe('accepted');
        expect((await probeHostGateway(h, f.token)).token).toBe('rejected');
      } finally {
        await h.t.close();
      }
      for (const [file, bytes] of prepared[i]!.clean) expect(readFileSync(join(prepared[i]!.workspace, file)).equals(bytes), `${f.spec.name} ${file}`).toBe(true);
      expect(existsSync(join(prepared[i]!.workspace, 'skills', 'phantom-wallet-helper')), f.spec.name).toBe(false);
      expect(filesHolding(f.spec.env.HOME!, f.token), f.spec.name).toEqual([]);
    }
  });
});
