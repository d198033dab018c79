import { describe, expect, it } from 'vitest';
import { redactConfig } from '../../activities/openclaw/config.js';
import { resolveStateDir, type PathInputs } from '../../activities/openclaw/paths.js';
import { compareVersions } from '../../lib/openclaw-version.js';
import { fingerprint } from '../../lib/secrets.js';

const base: PathInputs = { home: '/home/u', inventory: {}, env: {}, existingHomeDirs: [] };

describe('state dir resolution follows OpenClaw', () => {
  it.each<[string, Partial<PathInputs>, string, string, string | undefined]>([
    ['nothing on disk', {}, '/home/u/.openclaw', 'default', undefined],
    ['~/.openclaw exists next to a legacy dir', { existingHomeDirs: ['.clawdbot', '.openclaw'] }, '/home/u/.openclaw', 'default', undefined],
    ['only ~/.clawdbot', { existingHomeDirs: ['.clawdbot'] }, '/home/u/.clawdbot', 'legacy', undefined],
    ['only ~/.moltbot', { existingHomeDirs: ['.moltbot'] }, '/home/u/.moltbot', 'legacy', undefined],
    ['OPENCLAW_STATE_DIR beats everything on disk', { env: { stateDir: '~/custom' }, existingHomeDirs: ['.openclaw'] }, '/home/u/custom', 'env', undefined],
    ['a profile', { env: { profile: 'work' } }, '/home/u/.openclaw-work', 'profile', undefined],
    ['the default profile is the plain dir', { inventory: { profile: 'default' } }, '/home/u/.openclaw', 'default', undefined],
    ['OPENCLAW_STATE_DIR beats a profile', { env: { stateDir: '/srv/oc', profile: 'work' } }, '/srv/oc', 'env', undefined],
    ['the inventory beats the host env', { inventory: { stateDir: '/opt/oc' }, env: { stateDir: '/srv/oc' } }, '/opt/oc', 'inventory', undefined],
    ['OPENCLAW_CONFIG_PATH is kept apart from the state dir', { env: { configPath: '~/conf/oc.json' } }, '/home/u/.openclaw', 'default', '/home/u/conf/oc.json'],
  ])('%s', (_name, over, stateDir, source, configPath) => {
    const r = resolveStateDir({ ...base, ...over });
    expect(r).toEqual({ stateDir, stateDirSource: source, ...(configPath ? { configPath } : {}) });
  });
});

describe('config redaction', () => {
  it('replaces every secret with its fingerprint and keeps settings and env references', () => {
    const cfg = {
      gateway: { auth: { mode: 'token', token: 'gw-token-123456' }, port: 18789 },
      models: { providers: { openai: { apiKey: 'sk-abcdefghijklmnopqrstuvwx' } } },
      skills: { entries: { x: { apiKey: '${X_KEY}', env: { A: 'plain' } } } },
      channels: { slack: { botToken: 'xoxb-1111', credentials: { password: 'pw-secret', list: ['a1b2c3d4'] } } },
    };
    const { config, secrets } = redactConfig(cfg);
    const c = config as any;
    expect(c.gateway.auth).toEqual({ mode: 'token', token: fingerprint('gw-token-123456') });
    expect(c.gateway.port).toBe(18789);
    expect(c.models.providers.openai.apiKey).toBe(fingerprint('sk-abcdefghijklmnopqrstuvwx'));
    expect(c.skills.entries.x.apiKey).toBe('${X_KEY}');
    expect(c.skills.entries.x.env.A).toBe(fingerprint('plain'));
    expect(c.channels.slack.botToken).toBe(fingerprint('xoxb-1111'));
    expect(c.channels.slack.credentials.list).toEqual([fingerprint('a1b2c3d4')]);
    expect(secrets.sort()).toEqual(['a1b2c3d4', 'gw-token-123456', 'plain', 'pw-secret', 'sk-abcdefghijklmnopqrstuvwx', 'xoxb-1111']);
    for (const s of secrets) expect(JSON.stringify(config)).not.toContain(s);
  });
});

describe('versions', () => {
  it('orders calendar versions, re-releases after their base', () => {
    expect(compareVersions('2026.1.29', '2026.1.30')).toBe(-1);
    expect(compareVersions('2026.9.6', '2026.10.1')).toBe(-1);
    expect(compareVersions('2026.1.24-3', '2026.1.24')).toBe(1);
    expect(compareVersions('2026.1.24-3', '2026.1.29')).toBe(-1);
    expect(compareVersions('2026.2.1', '2026.2.1')).toBe(0);
    expect(() => compareVersions('latest', '2026.1.29')).toThrow(/not an OpenClaw version/);
  });
});
