/**
 * `respond posture` on a real three-host fleet (2026.9.6 locally with its gateway started from a
 * shell, 2026.1.29 over a real sshd, a clean 2026.9.6), misconfigured with the real `openclaw
 * config set`, a token planted in a log and a skill dropped into a workspace; then the `harden`
 * runbook fixes what respond may fix and a second run's drift shows it. Real Temporal server and
 * worker; every captured byte is scanned for the tokens.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTransport, SshTransport } from '../../activities/hosts/transports/index.js';
import { openOpenclawHost, runOpenclaw } from '../../activities/openclaw/host.js';
import type { HostSpec } from '../../lib/inventory/schema.js';
import { launchNohup, type Launched } from '../fixtures/gateway-launchers.js';
import { setupWorkspace, writeSkill } from '../fixtures/memory.js';
import { createFixtureHost, NEWER, OLDER, type FixtureHost } from '../fixtures/openclaw.js';
import { startSshd, type SshdFixture } from '../fixtures/sshd.js';
import { historyJson } from '../helpers/runs.js';
import { ROOT, Sandbox } from '../helpers/sandbox.js';

vi.setConfig({ testTimeout: 900_000, hookTimeout: 600_000 });

interface PostureJson {
  run: string;
  hosts: Array<{ host: string; version: string | null; checks: Array<{ id: string; status: string; summary: string; evidence: Record<string, unknown>; fix?: { runbook?: string; text: string } }> }>;
  failedHosts: unknown[];
  drift: string | null;
}

let s: Sandbox;
let c: Client;
let sshd: SshdFixture;
let live: FixtureHost;
let old: FixtureHost;
let clean: FixtureHost;
let gateway: Launched;
let inventory: string;
let allowlist: string;
let tokenDir: string;
let plantedLog: string;
const runs: string[] = [];

async function configSet(spec: HostSpec, ...args: string[]): Promise<void> {
  const h = await openOpenclawHost(spec, createTransport(spec));
  try {
    const r = await runOpenclaw(h, ['config', ...args], { timeoutMs: 120_000 });
    expect(r.exitCode, `openclaw config ${args.join(' ')}: ${r.stderr}`).toBe(0);
  } finally {
    await h.t.close();
  }
}

async function posture(...extra: string[]): Promise<{ code: number; json: PostureJson }> {
  const r = await s.cli(['posture', '--inventory', inventory, '--allowlist', allowlist, '--json', ...extra]);
  expect(r.stdout.trim().startsWith('{'), r.stderr + r.stdout).toBe(true);
  const json = JSON.parse(r.stdout) as PostureJson;
  runs.push(json.run);
  return { code: r.code, json };
}

function statusOf(j: PostureJson, host: string, check: string): string {
  const h = j.hosts.find((x) => x.host === host);
  const r = h?.checks.find((x) => x.id === check);
  if (!r) throw new Error(`no ${check} on ${host}: ${JSON.stringify(j.hosts.map((x) => x.host))}`);
  return r.status;
}

function evidenceOf(j: PostureJson, host: string, check: string): Record<string, unknown> {
  return j.hosts.find((x) => x.host === host)!.checks.find((x) => x.id === check)!.evidence;
}

beforeAll(async () => {
  sshd = await startSshd();
  [live, old, clean] = await Promise.all([
    createFixtureHost({ name: 'pos-live', version: NEWER, start: false }),
    createFixtureHost({ name: 'pos-old', version: OLDER, start: false, ssh: sshd.transport() }),
    createFixtureHost({ name: 'pos-clean', version: NEWER, start: false }),
  ]);
  const [liveWs] = await Promise.all([setupWorkspace(live, NEWER), setupWorkspace(old, OLDER), setupWorkspace(clean, NEWER)]);
  // Misconfigurations the way an operator makes them: the real CLI.
  await configSet(live.spec, 'set', 'logging.level', 'debug');
  await configSet(old.spec, 'set', 'gateway.bind', 'lan');
  await configSet(old.spec, 'unset', 'gateway.auth.token');
  // The live host's token pasted into a debug note, and a skill nobody vetted.
  plantedLog = join(live.spec.env.HOME!, 'debug-notes.log');
  writeFileSync(plantedLog, `curl -H "Authorization: Bearer ${live.token}" http://127.0.0.1:${live.spec.gatewayPort}/tools/invoke\n`);
  writeSkill(join(liveWs, 'skills', 'phantom-helper'), 'phantom-helper', 'Helps with wallets');
  gateway = await launchNohup(live);

  s = await Sandbox.create();
  expect((await s.cli(['list'])).code).toBe(0);
  c = await s.client();
  inventory = join(s.dir, 'inventory.yaml');
  writeFileSync(inventory, JSON.stringify({ version: 1, hosts: [live.spec, old.spec, clean.spec] }, null, 2));
  allowlist = join(s.dir, 'skills-allowlist.yaml');
  writeFileSync(allowlist, 'allowed_skills: []\nblocked_patterns:\n  - "*wallet*"\n');
  tokenDir = join(s.dir, 'tokens');
  // The clean host has a fresh snapshot; the others have none.
  expect((await s.cli(['snapshot', '--inventory', inventory, '--hosts', 'pos-clean'])).code).toBe(0);
});

afterAll(async () => {
  if (sshd) await new SshTransport(sshd.transport()).close();
  await gateway?.stop().catch(() => undefined);
  await Promise.allSettled([s?.stop(), live?.destroy(), old?.destroy(), clean?.destroy(), sshd?.stop()]);
});

describe('respond posture', () => {
  it('finds each host’s own failures, with evidence and the fix, and exits 1', async () => {
    const handshakes = sshd.handshakes();
    const { code, json } = await posture();
    // Every check of the SSH host, its token hunt and OpenClaw's own audits over one connection.
    expect(sshd.handshakes() - handshakes).toBe(1);
    expect(code).toBe(1);
    expect(json.hosts.map((h) => h.host)).toEqual(['pos-clean', 'pos-live', 'pos-old']);
    for (const h of json.hosts) {
      for (const ch of h.checks) {
        expect(['pass', 'warn', 'fail', 'unknown']).toContain(ch.status);
        expect(typeof ch.summary).toBe('string');
        if (ch.status === 'fail') expect(ch.fix?.text, `${h.host} ${ch.id}`).toBeTruthy();
      }
    }
    // The live host: debug logging, the token in a note, an unlisted skill; bound to loopback for real.
    expect(statusOf(json, 'pos-live', 'logging')).toBe('fail');
    expect(statusOf(json, 'pos-live', 'token-leaks')).toBe('fail');
    expect(evidenceOf(json, 'pos-live', 'token-leaks').locations).toEqual([plantedLog]);
    expect(statusOf(json, 'pos-live', 'skills')).toBe('fail');
    expect(JSON.stringify(evidenceOf(json, 'pos-live', 'skills'))).toContain('phantom-helper');
    expect(statusOf(json, 'pos-live', 'bind')).toBe('pass');
    expect(evidenceOf(json, 'pos-live', 'bind').live).toBe(true);
    expect(statusOf(json, 'pos-live', 'memory-backup')).toBe('fail');
    expect(['pass', 'fail']).toContain(statusOf(json, 'pos-live', 'egress'));
    // The old host over SSH: bind lan in its config, no token at all.
    expect(statusOf(json, 'pos-old', 'bind')).toBe('fail');
    expect(statusOf(json, 'pos-old', 'auth')).toBe('fail');
    expect(statusOf(json, 'pos-old', 'version')).toBe('pass');
    expect(statusOf(json, 'pos-old', 'audit-trail')).toBe('warn');
    // The clean host: snapshot fresh, logging default, skills all allowed (none), token only in its config.
    for (const id of ['bind', 'auth', 'logging', 'memory-backup', 'skills', 'version']) expect(statusOf(json, 'pos-clean', id), id).toBe('pass');
    // `openclaw setup` keeps its previous config as .bak: a copy beside the config is a warning, not a leak.
    expect(['pass', 'warn']).toContain(statusOf(json, 'pos-clean', 'token-leaks'));
    expect(evidenceOf(json, 'pos-clean', 'token-leaks').locations).toEqual([]);
    // OpenClaw's own findings are merged in, never fewer than it reports.
    expect((evidenceOf(json, 'pos-clean', 'openclaw-audit').findings as unknown[]).length).toBeGreaterThan(0);
    expect(json.drift).toMatch(/first posture run/);
  });

  it('prints a hosts x checks matrix and the failing checks for a person', async () => {
    const r = await s.cli(['posture', '--inventory', inventory, '--allowlist', allowlist, '--skip', 'openclaw-audit']);
    runs.push(/run (\S+)/.exec(r.stdout)?.[1] ?? '');
    console.log(`posture matrix:\n${r.stdout}`);
    expect(r.code).toBe(1);
    const lines = r.stdout.split('\n');
    const header = lines.find((l) => l.startsWith('host '))!;
    expect(header).toMatch(/version\s+bind\s+auth/);
    expect(header).not.toContain('openclaw-audit');
    expect(lines.find((l) => l.startsWith('pos-old'))).toMatch(/FAIL/);
    expect(r.stdout).toMatch(/pos-old {2}bind: gateway\.bind is "lan"/);
    expect(r.stdout).toMatch(/fix \(harden\/bind\)/);
    expect(r.stdout).toMatch(/pos-live {2}token-leaks: token sha256:[0-9a-f]{12} also in 1 place/);
  });

  it('harden fixes what respond may fix; the next run’s drift shows it, the rest stays failing', async () => {
    const h = await s.cli(['start', join(ROOT, 'runbooks', 'harden.yaml'), '--inventory', inventory, '--incident', 'HARDEN-1', '--set', `allowlist=${allowlist}`, '--set', `tokenFile=${tokenDir}/{{host}}.token`, '--auto-approve', '--wait']);
    expect(h.code, h.stdout + h.stderr).toBe(0);
    // The old host got a token, delivered owner-only, and it is the one in its config now.
    const tokenFile = join(tokenDir, 'pos-old.token');
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
    const delivered = readFileSync(tokenFile, 'utf8').trim();
    const cfg = JSON.parse(readFileSync(join(old.stateDir, 'openclaw.json'), 'utf8')) as { gateway: { bind: string; auth: { token: string } } };
    expect(cfg.gateway.auth.token).toBe(delivered);
    expect(cfg.gateway.bind).toBe('loopback');
    expect(existsSync(join(tokenDir, 'pos-live.token')), 'a host with a token gets none').toBe(false);
    const liveCfg = JSON.parse(readFileSync(join(live.stateDir, 'openclaw.json'), 'utf8')) as { logging: { level: string } };
    expect(liveCfg.logging.level).toBe('info');

    const { code, json } = await posture('--skip', 'openclaw-audit');
    expect(code, 'the planted token is still a leak: harden does not rotate').toBe(1);
    expect(statusOf(json, 'pos-live', 'logging')).toBe('pass');
    expect(statusOf(json, 'pos-live', 'skills')).toBe('pass');
    expect(statusOf(json, 'pos-live', 'memory-backup')).toBe('pass');
    expect(statusOf(json, 'pos-live', 'token-leaks')).toBe('fail');
    expect(statusOf(json, 'pos-old', 'bind')).toBe('pass');
    expect(statusOf(json, 'pos-old', 'auth')).toBe('pass');
    expect(json.drift).toMatch(/newly failing, [1-9]\d* fixed/);

    const d = await s.cli(['posture', 'diff', '--json']);
    const drift = JSON.parse(d.stdout) as { fixed: Array<{ host: string; check: string }>; newlyFailing: unknown[] };
    const fixed = drift.fixed.map((f) => `${f.host}/${f.check}`);
    for (const f of ['pos-live/logging', 'pos-live/skills', 'pos-live/memory-backup', 'pos-old/bind', 'pos-old/auth']) expect(fixed, f).toContain(f);
    expect(drift.newlyFailing).toEqual([]);
    const text = await s.cli(['posture', 'diff', runs[0]!, json.run]);
    expect(text.stdout).toMatch(/FIXED pos-old {2}bind: fail -> pass/);
    const history = await s.cli(['posture', 'history']);
    expect(history.stdout.split('\n').filter(Boolean).length).toBeGreaterThanOrEqual(3);

    // Nothing printed, logged or recorded holds a token (the new one included).
    const secrets = [live.token, old.token, clean.token, delivered];
    const seen = [...s.captured, s.daemonLog(), JSON.stringify(s.audit())];
    for (const id of [...runs, 'respond-harden-HARDEN-1']) {
      if (!id) continue;
      seen.push(await historyJson(c, id));
      for (const host of ['pos-live', 'pos-old', 'pos-clean']) seen.push(await historyJson(c, `${id}/${host}`).catch(() => ''));
    }
    for (const f of readdirRecords()) seen.push(readFileSync(f, 'utf8'));
    const all = seen.join('\n');
    for (const v of secrets) expect(all.includes(v), `secret ${v.slice(0, 4)}… found`).toBe(false);
  });

  it('a posture schedule runs on its own and records its drift', async () => {
    const r = await s.cli(['posture', 'schedule', '--inventory', inventory, '--allowlist', allowlist, '--skip', 'openclaw-audit', '--every', '12h']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/schedule respond-posture-schedule created: posture every 12h; next run \d{4}-/);
    const before = JSON.parse((await s.cli(['posture', 'history', '--json'])).stdout) as unknown[];
    await c.schedule.getHandle('respond-posture-schedule').trigger();
    const after = await s.waitFor('the scheduled posture run to be recorded', async () => {
      const list = JSON.parse((await s.cli(['posture', 'history', '--json'])).stdout) as Array<{ id: string }>;
      return list.length > before.length ? list : undefined;
    }, 300_000);
    expect(after.at(-1)!.id).toMatch(/^respond-posture-scheduled/);
    await c.schedule.getHandle('respond-posture-schedule').delete();
  });

  it('a bad settings file stops before anything runs, naming the file and line', async () => {
    const bad = join(s.dir, 'posture-bad.yaml');
    writeFileSync(bad, 'snapshotMaxAge: 24h\negressAllowlist:\n  - not-an-address\n');
    const r = await s.cli(['posture', '--inventory', inventory, '--settings', bad]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`${bad}:3: egressAllowlist[0]: expected IP, IP:port, CIDR or CIDR:port`);
  });
});

function readdirRecords(): string[] {
  const dir = join(s.dir, 'state', 'posture');
  mkdirSync(dir, { recursive: true });
  return readdirSync(dir).map((f) => join(dir, f));
}
