/** Containment edits as OpenClaw's incident-response guide orders them, from a parsed config. */
import { describe, expect, it } from 'vitest';
import { applyEdits, containEdits, exposureOf } from '../../lib/contain/exposure.js';

const exposed = {
  gateway: { bind: 'lan', auth: { mode: 'token', token: 'not-shown' }, tailscale: { mode: 'funnel' } },
  channels: {
    telegram: { dmPolicy: 'open', allowFrom: ['*'], groupAllowFrom: ['12345', '*'] },
    slack: { accounts: { work: { dmPolicy: 'open', allowFrom: ['*', 'U123'] } }, dmPolicy: 'pairing' },
    discord: { dmPolicy: 'allowlist', allowFrom: ['987'] },
  },
};

describe('containment edits', () => {
  it('bind loopback, Tailscale off, open DMs disabled, "*" removed at every level', () => {
    expect(containEdits(exposed).map((e) => [e.path, e.before, e.after])).toEqual([
      ['gateway.bind', 'lan', 'loopback'],
      ['gateway.tailscale.mode', 'funnel', 'off'],
      ['channels.telegram.dmPolicy', 'open', 'disabled'],
      ['channels.telegram.allowFrom', ['*'], []],
      ['channels.telegram.groupAllowFrom', ['12345', '*'], ['12345']],
      ['channels.slack.accounts.work.dmPolicy', 'open', 'disabled'],
      ['channels.slack.accounts.work.allowFrom', ['*', 'U123'], ['U123']],
    ]);
    expect(exposureOf(exposed)).toMatchObject({ bind: 'lan', authMode: 'token', tailscale: 'funnel', openDms: ['channels.telegram', 'channels.slack.accounts.work'] });
  });

  it('applied edits leave nothing to contain, and never carry a credential', () => {
    const cfg = structuredClone(exposed) as Record<string, unknown>;
    const edits = containEdits(cfg);
    expect(JSON.stringify(edits)).not.toContain('not-shown');
    applyEdits(cfg, edits);
    expect(containEdits(cfg)).toEqual([]);
    expect((cfg.gateway as { auth: { token: string } }).auth.token).toBe('not-shown');
  });

  it('a loopback gateway with closed policies needs nothing; an unset bind is the loopback default', () => {
    expect(containEdits({ gateway: { auth: { token: 'x' } }, channels: { telegram: { dmPolicy: 'pairing' } } })).toEqual([]);
    expect(containEdits({ gateway: { bind: 'loopback' } })).toEqual([]);
    expect(exposureOf({}).bind).toBe('loopback (default)');
    expect(containEdits(null)).toEqual([]);
  });
});
