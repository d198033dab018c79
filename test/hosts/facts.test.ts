import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHostActivities } from '../../activities/hosts/activities.js';
import { SshTransport } from '../../activities/hosts/transports/index.js';
import { createOpenclawActivities } from '../../activities/openclaw/activities.js';
import type { HostSpec } from '../../lib/inventory/schema.js';
import { fingerprint } from '../../lib/secrets.js';
import { createFixtureHost, NEWER, OLDER, type FixtureHost } from '../fixtures/openclaw.js';
import { NODE24_VERSION } from '../fixtures/node24.js';
import { startSshd, type SshdFixture } from '../fixtures/sshd.js';

let sshd: SshdFixture;
let older: FixtureHost;
let newer: FixtureHost;
let legacy: FixtureHost;
const acts = createOpenclawActivities();
const WRONG = `wrong-${'x'.repeat(20)}-token`;

beforeAll(async () => {
  sshd = await startSshd();
  // OLDER finds its state through OPENCLAW_STATE_DIR, NEWER through the default ~/.openclaw.
  older = await createFixtureHost({ name: 'older', version: OLDER, stateLayout: 'env' });
  newer = await createFixtureHost({ name: 'newer', version: NEWER, stateLayout: 'default' });
  legacy = await createFixtureHost({ name: 'legacy', version: OLDER, stateLayout: 'legacy', start: false });
  process.env.RESPOND_TEST_WRONG_TOKEN = WRONG;
});

afterAll(async () => {
  // End the SSH master now rather than at ControlPersist expiry.
  if (sshd) await new SshTransport(sshd.transport()).close();
  await Promise.allSettled([older?.destroy(), newer?.destroy(), legacy?.destroy(), sshd?.stop()]);
});

const viaSsh = (spec: HostSpec): HostSpec => ({ ...spec, transport: sshd.transport() });
const secretsOf = () => [older.token, newer.token, legacy.token, WRONG];

function expectNoSecrets(value: unknown) {
  const text = JSON.stringify(value);
  for (const s of secretsOf()) expect(text).not.toContain(s);
}

describe.each([
  ['local', (h: FixtureHost) => h.spec],
  ['ssh', (h: FixtureHost) => viaSsh(h.spec)],
])('facts over %s', (_via, specOf) => {
  it.each([
    // Both gateways run, so their own view decides; respond starts a gateway with
    // OPENCLAW_STATE_DIR set to what it resolved (the default ~/.openclaw for NEWER).
    ['older', OLDER, 3, 'env'],
    ['newer', NEWER, 4, 'env'],
  ] as const)('%s host: versions, state, redacted config, live gateway accepting its token, audit', async (which, version, protocol, source) => {
    const h = which === 'older' ? older : newer;
    const facts = await acts.openclawFacts({ host: specOf(h) });
    expect(facts.openclaw).toMatchObject({ package: 'openclaw', version, legacy: false });
    expect(facts.node.version).toBe(`v${NODE24_VERSION}`);
    expect(facts.stateDir).toBe(h.stateDir);
    expect(facts.stateDirSource).toBe(source);
    expect(facts.pathsFrom).toBe('gateway-process');
    expect(facts.gateway.manager.kind).toBe('respond');
    expect(facts.configPath).toBe(join(h.stateDir, 'openclaw.json'));
    expect((facts.config as any).gateway.auth.token).toBe(fingerprint(h.token));
    expect(facts.gateway).toMatchObject({
      bind: 'loopback',
      authMode: 'token',
      port: h.spec.gatewayPort,
      configPort: h.spec.gatewayPort,
      live: true,
      protocol,
      tokenFingerprint: fingerprint(h.token),
      token: { fingerprint: fingerprint(h.token), verdict: 'accepted' },
    });
    expect(facts.gateway.managedPid).toBeGreaterThan(0);
    expect(facts.audit.error).toBeUndefined();
    expect(facts.audit.findings.length).toBeGreaterThan(0);
    expect(facts.audit.findings.every((f) => typeof f.checkId === 'string' && typeof f.severity === 'string')).toBe(true);
    expect(facts.audit.summary).toBeDefined();
    expectNoSecrets(facts);
  });

  it.each(['older', 'newer'] as const)('%s host: a wrong token is rejected by the live gateway, and appears only as a fingerprint', async (which) => {
    const h = which === 'older' ? older : newer;
    const facts = await acts.openclawFacts({ host: specOf(h), tokenRef: 'env:RESPOND_TEST_WRONG_TOKEN', audit: false });
    expect(facts.gateway.live).toBe(true);
    expect(facts.gateway.token).toMatchObject({ fingerprint: fingerprint(WRONG), verdict: 'rejected' });
    expect(facts.gateway.token.detail).toMatch(/token mismatch/);
    expectNoSecrets(facts);
  });
});

describe('host activities redact before returning', () => {
  it.each(['local', 'ssh'] as const)('over %s, a config read or cat shows the token only as a fingerprint', async (via) => {
    const hostActs = createHostActivities();
    const spec = via === 'local' ? older.spec : viaSsh(older.spec);
    const config = join(older.stateDir, 'openclaw.json');
    const read = await hostActs.hostReadFile({ host: spec, path: config });
    const ran = await hostActs.hostRun({ host: spec, cmd: 'sh', args: ['-c', `cat ${config}; echo ${older.token} >&2`], timeoutMs: 10_000 });
    expect(read.content).toContain(fingerprint(older.token));
    expect(ran.stdout).toContain(fingerprint(older.token));
    expectNoSecrets([read, ran]);
  });
});

describe('facts edge cases', () => {
  it('finds a legacy ~/.clawdbot state dir and reports a stopped gateway as not live', async () => {
    const facts = await acts.openclawFacts({ host: legacy.spec, audit: false });
    expect(facts.stateDir).toBe(legacy.stateDir);
    expect(facts.stateDir.endsWith('/.clawdbot')).toBe(true);
    expect(facts.stateDirSource).toBe('legacy');
    expect(facts.gateway.live).toBe(false);
    expect(facts.gateway.token.verdict).toBe('not-checked');
    expect((facts.config as any).gateway.auth.token).toBe(fingerprint(legacy.token));
    expectNoSecrets(facts);
  });

  it('probing registered no device on the gateway', () => {
    for (const h of [older, newer]) {
      const paired = join(h.stateDir, 'devices', 'paired.json');
      const devices = existsSync(paired) ? Object.keys(JSON.parse(readFileSync(paired, 'utf8'))) : [];
      expect(devices).toEqual([]);
    }
  });

  it('a docker install answers "not supported yet"', async () => {
    const spec: HostSpec = { ...older.spec, install: { method: 'docker', container: 'openclaw' } };
    await expect(acts.openclawFacts({ host: spec })).rejects.toThrow(/install method "docker" is not supported yet/);
  });
});
