// OpenClaw's credential surface as data: every field of the credential matrix the installed
// OpenClaw ships is found in openclaw.json and each backup the real CLI writes, by JSON path,
// placeholders and SecretRefs are not, and OpenClaw's own `secrets audit` never finds more.
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONFIG_RULE_ID } from '../../activities/sweep/config-pass.js';
import { runSweep } from '../../activities/sweep/engine.js';
import { localTransport } from '../../activities/sweep/transport.js';
import { findConfigSecrets } from '../../lib/sweep/openclaw/config-secrets.js';
import { CredentialMatcher, parseMatrix, type CredentialPath } from '../../lib/sweep/openclaw/credential-matrix.js';
import { Detector } from '../../lib/sweep/detector.js';
import { loadRules } from '../../lib/sweep/rules/load.js';
import { fingerprint } from '../../lib/secrets.js';
import { ensureNode24 } from '../fixtures/node24.js';
import { ensureOpenclaw, NEWER, OLDER } from '../fixtures/openclaw.js';

const rules = loadRules();
const detector = new Detector(rules);
const root = mkdtempSync(join(tmpdir(), 'respond-config-surface-'));
let node: string;
let pkgNew: string;
let pkgOld: string;
afterAll(() => rmSync(root, { recursive: true, force: true }));

beforeAll(async () => {
  node = await ensureNode24();
  pkgNew = join(await ensureOpenclaw(NEWER), 'node_modules', 'openclaw');
  pkgOld = join(await ensureOpenclaw(OLDER), 'node_modules', 'openclaw');
});

const secret = () => `${randomBytes(18).toString('base64url')}7Q`;

/** A concrete place for a matrix path: `*` becomes a name (a sensitive header name under headers), `[]` one element. */
function concrete(p: CredentialPath): string[] {
  return p.segments.map((s, i) => (s === '*' ? (p.segments[i - 1] === 'headers' ? 'Authorization' : 'ops') : s));
}

function setPath(obj: Record<string, unknown>, segs: string[], value: unknown): void {
  let cur: Record<string, unknown> | unknown[] = obj;
  for (let i = 0; i < segs.length; i++) {
    const s = segs[i]!;
    const last = i === segs.length - 1;
    const next = segs[i + 1];
    if (s === '[]') {
      const arr = cur as unknown[];
      if (last) arr.push(value);
      else {
        if (arr.length === 0) arr.push(next === '[]' ? [] : {});
        cur = arr[0] as Record<string, unknown>;
      }
      continue;
    }
    const o = cur as Record<string, unknown>;
    if (last) o[s] = value;
    else {
      o[s] ??= next === '[]' ? [] : {};
      cur = o[s] as Record<string, unknown>;
    }
  }
}

function matrixOf(pkg: string) {
  const text = readFileSync(join(pkg, 'docs/reference/secretref-user-supplied-credentials-matrix.json'), 'utf8');
  return parseMatrix(text, 'host', NEWER);
}

describe('credential matrix', () => {
  it('finds a value at every path of 2026.9.6\'s matrix and its runtime-managed and documented extras, and nothing where a SecretRef or placeholder sits', () => {
    const surface = matrixOf(pkgNew);
    const entries = JSON.parse(readFileSync(join(pkgNew, 'docs/reference/secretref-user-supplied-credentials-matrix.json'), 'utf8')).entries as unknown[];
    expect(surface.paths.filter((p) => p.origin === 'matrix')).toHaveLength(entries.length);
    const matcher = new CredentialMatcher(surface);
    for (const file of ['openclaw.json', 'auth-profile-store', 'agent-models'] as const) {
      const paths = surface.paths.filter((p) => p.file === file);
      const planted = new Map<string, string>();
      const cfg: Record<string, unknown> = {};
      const refs: Record<string, unknown> = {};
      paths.forEach((p, i) => {
        const at = concrete(p);
        const v = secret();
        planted.set(at.join('.').replace(/\.\[\]/g, '[]'), v);
        setPath(cfg, at, v);
        // Half SecretRefs, half placeholders of the kinds OpenClaw's docs use.
        setPath(refs, at, i % 2 ? { source: 'env', provider: 'default', id: `CRED_${i}` } : ['${CRED}', '<your-token>', '__OPENCLAW_REDACTED__', 'example-token-not-real'][i % 4 === 0 ? (i / 2) % 4 : 0]);
      });
      // JSON5 with a comment, as people edit it by hand.
      const text = `// edited by hand\n${JSON.stringify(cfg, null, 2)}\n`;
      const found = findConfigSecrets(text, file, matcher, (v) => detector.isPlaceholder(v))!;
      const byPath = new Map(found.map((f) => [f.jsonPath, f]));
      for (const [at, v] of planted) {
        expect(byPath.get(at)?.value, `${file} ${at}`).toBe(v);
        const f = byPath.get(at)!;
        expect(f.lineText.slice(f.index, f.index + f.length)).toBe(v);
      }
      expect(found).toHaveLength(planted.size);
      expect(findConfigSecrets(JSON.stringify(refs), file, matcher, (v) => detector.isPlaceholder(v))).toEqual([]);
    }
    // A header that carries no credential is not one.
    const hdr = findConfigSecrets(JSON.stringify({ models: { providers: { x: { headers: { 'Content-Type': 'application/json-seq-v2', 'X-Api-Key': 'k9FzQ2mWv8pLx4Rt' } } } } }), 'openclaw.json', matcher, () => false)!;
    expect(hdr.map((h) => h.jsonPath)).toEqual(['models.providers.x.headers.X-Api-Key']);
    // A backup cut off mid-write is no JSON: the pass says so and the content rules take over.
    expect(findConfigSecrets('{"channels": {"telegram": {"botToken": "7526', 'openclaw.json', matcher, () => false)).toBeNull();
  });
});

describe('sweep of a state dir the real CLI wrote', () => {
  let home: string;
  let stateDir: string;
  const values: Record<string, string> = {};
  const env = () => ({ PATH: `${dirname(node)}:${process.env.PATH}`, HOME: home, OPENCLAW_STATE_DIR: stateDir, NO_COLOR: '1', OPENCLAW_DISABLE_BONJOUR: '1' });

  beforeAll(async () => {
    home = join(root, 'home');
    stateDir = join(home, '.openclaw');
    mkdirSync(home, { recursive: true });
    const oc = (...args: string[]) => execa(node, [join(pkgNew, 'openclaw.mjs'), ...args], { env: env(), extendEnv: false, stdin: 'ignore' });
    values.oldTelegram = `75${randomBytes(4).readUInt32BE(0) % 100000000}`.padEnd(10, '7') + `:AA${randomBytes(25).toString('base64url').slice(0, 33)}`;
    values.newTelegram = `75${randomBytes(4).readUInt32BE(0) % 100000000}`.padEnd(10, '7') + `:AA${randomBytes(25).toString('base64url').slice(0, 33)}`;
    values.slackBot = `xoxb-${randomBytes(6).readUIntBE(0, 6)}-${randomBytes(6).readUIntBE(0, 6)}-${randomBytes(18).toString('base64url').replace(/[-_]/g, 'x')}`;
    values.slackSigning = randomBytes(16).toString('hex');
    values.discord = `MTA${randomBytes(16).toString('base64url').slice(0, 21)}.${randomBytes(6).toString('base64url').slice(0, 6)}.${randomBytes(28).toString('base64url').slice(0, 38)}`;
    values.irc = `irc-${randomBytes(9).toString('base64url')}`;
    values.feishu = randomBytes(16).toString('base64url');
    values.gateway = randomBytes(24).toString('hex');
    await oc('setup', '--baseline');
    await oc('config', 'set', 'gateway.mode', 'local');
    await oc('config', 'set', 'gateway.auth.token', values.gateway);
    await oc('config', 'set', 'channels.telegram.botToken', values.oldTelegram);
    await oc('config', 'set', 'channels.slack.botToken', values.slackBot);
    await oc('config', 'set', 'channels.slack.signingSecret', values.slackSigning);
    await oc('config', 'set', 'channels.discord.token', values.discord);
    await oc('config', 'set', 'channels.irc.password', values.irc);
    await oc('config', 'set', 'channels.feishu.appSecret', values.feishu);
    await oc('config', 'set', 'skills.entries.notion.apiKey', '<your-notion-key>');
    // The rotation: the live config gets a new bot token; the CLI's backups keep the old one.
    await oc('config', 'set', 'channels.telegram.botToken', values.newTelegram);
    // The agent's generated models.json and a --token-file, as a real host has them.
    values.modelsKey = `sk-${randomBytes(24).toString('base64url')}`;
    const agentDir = join(stateDir, 'agents', 'main', 'agent');
    mkdirSync(agentDir, { recursive: true });
    writeFileSync(join(agentDir, 'models.json'), JSON.stringify({ providers: { deepseek: { baseUrl: 'https://api.deepseek.com', apiKey: values.modelsKey, headers: { 'User-Agent': 'openclaw' } } } }, null, 2));
    writeFileSync(join(stateDir, 'gateway.token'), `${values.gateway}\n`, { mode: 0o600 });
  });

  it('finds every channel credential in openclaw.json and each backup, by path, with OpenClaw\'s audit merged and no value in the result', async () => {
    const r = await runSweep(localTransport({ env: env() }), { rules, openclaw: { node, packageDirs: [pkgNew], env: { OPENCLAW_STATE_DIR: stateDir } } });
    expect(r.surface).toMatchObject({ source: 'host', version: NEWER });
    expect(r.surface!.paths).toBeGreaterThanOrEqual(150);
    const files = readdirSync(stateDir).filter((f) => f.startsWith('openclaw.json'));
    expect(files.length).toBeGreaterThanOrEqual(4);
    for (const [name, value] of Object.entries(values)) {
      if (name === 'modelsKey') continue;
      const holders = files.filter((f) => readFileSync(join(stateDir, f), 'utf8').includes(value));
      expect(holders.length, name).toBeGreaterThan(0);
      for (const f of holders) {
        const hit = r.findings.find((x) => x.path === join(stateDir, f) && x.fingerprint === fingerprint(value));
        expect(hit?.ruleId, `${name} in ${f}`).toBe(CONFIG_RULE_ID);
        // One finding per secret and place: the content rules' copies are folded into it.
        expect(r.findings.filter((x) => x.path === hit!.path && x.line === hit!.line && x.fingerprint === hit!.fingerprint)).toHaveLength(1);
      }
    }
    const old = r.findings.filter((f) => f.fingerprint === fingerprint(values.oldTelegram));
    expect(old.map((f) => f.path.split('/').pop()).every((p) => /\.bak/.test(p!))).toBe(true);
    expect(old[0]!.description).toContain('channels.telegram.botToken');
    expect(r.findings.find((f) => f.path.endsWith('agent/models.json'))?.description).toContain('providers.deepseek.apiKey');
    expect(r.findings.find((f) => f.path.endsWith('gateway.token'))?.fingerprint).toBe(fingerprint(values.gateway));

    // OpenClaw's audit ran on the same state: every residue it names is a finding; the
    // placeholder it counts as plaintext is reported, at low severity, and nothing else is.
    expect(r.openclawAudit).toMatchObject({ version: NEWER, ran: true, unread: 0 });
    expect(r.openclawAudit!.residues).toBeGreaterThanOrEqual(4);
    expect(r.openclawAudit!.covered! + r.openclawAudit!.added!).toBe(r.openclawAudit!.residues);
    const fromAudit = r.findings.filter((f) => f.ruleId === 'openclaw-secrets-audit');
    expect(fromAudit.length).toBeGreaterThan(0);
    expect(fromAudit.every((f) => f.severity === 'low' && /notion/.test(f.description))).toBe(true);
    const all = JSON.stringify(r);
    for (const v of Object.values(values)) expect(all).not.toContain(v);
  });

  it('falls back to the pinned matrix for a version that ships none, and still finds channel credentials', async () => {
    const r = await runSweep(localTransport({ env: env() }), { roots: [stateDir], rules, openclaw: { packageDirs: [pkgOld], audit: false } });
    expect(r.surface?.source).toBe('bundled');
    expect(r.surface?.version).toContain(`host has ${OLDER}`);
    expect(r.openclawAudit).toBeUndefined();
    expect(r.findings.some((f) => f.ruleId === CONFIG_RULE_ID && f.fingerprint === fingerprint(values.discord))).toBe(true);
  });
});
