/** The rotation vault and the version data, without hosts: owner-only files, idempotent phases, values dropped at the end. */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveSecretRef } from '../../activities/secrets/refs.js';
import { RotationVault, rotationDir, viewOf, type RotationRecord } from '../../activities/rotation/vault.js';
import { fingerprint } from '../../lib/secrets.js';
import { issuesFor } from '../../lib/rotation/known-issues.js';

const state = mkdtempSync(join(tmpdir(), 'respond-vault-'));
afterAll(() => rmSync(state, { recursive: true, force: true }));

function record(vault: RotationVault, run: string): RotationRecord {
  const key = RotationVault.keyOf(run, 'gateway');
  return vault.put({
    key,
    provider: 'openclaw-gateway',
    credential: 'gateway',
    host: 'gw1',
    run,
    incident: 'INC-1',
    state: 'pending',
    fingerprints: { old: fingerprint('old-value-1234567890'), new: fingerprint('new-value-0987654321') },
    times: { created: '2026-12-01T00:00:00.000Z' },
    overlapKind: 'cut-over',
    overlapMs: 0,
    notes: [],
    values: { old: 'old-value-1234567890', new: 'new-value-0987654321' },
  });
}

describe('rotation vault', () => {
  const vault = new RotationVault(rotationDir(state));

  it('keeps each record in an owner-only file in an owner-only dir, keyed by run and credential', () => {
    const rec = record(vault, 'respond-rotate-INC-1/gw1');
    expect(RotationVault.keyOf('respond-rotate-INC-1/gw1', 'gateway')).toBe(rec.key);
    expect(RotationVault.keyOf('respond-rotate-INC-2/gw1', 'gateway')).not.toBe(rec.key);
    expect(statSync(rotationDir(state)).mode & 0o777).toBe(0o700);
    expect(statSync(join(rotationDir(state), `${rec.key}.json`)).mode & 0o777).toBe(0o600);
    expect(JSON.stringify(viewOf(vault.get(rec.key)!))).not.toContain('value-');
  });

  it('stamps each state once, so a retried phase keeps the first time', () => {
    const { key } = record(vault, 'respond-rotate-INC-3/gw1');
    const first = vault.advance(key, 'installed').times.installed;
    const again = vault.advance(key, 'installed').times.installed;
    expect(again).toBe(first);
  });

  it('resolves rotation:<key>:old for the hunt while the values are kept, and refuses once they are dropped', async () => {
    const { key } = record(vault, 'respond-rotate-INC-4/gw1');
    const env = { ...process.env, RESPOND_STATE_DIR: state };
    expect(await resolveSecretRef(`rotation:${key}:old`, env)).toBe('old-value-1234567890');
    vault.advance(key, 'finished', (r) => delete r.values);
    await expect(resolveSecretRef(`rotation:${key}:old`, env)).rejects.toThrow(/no longer kept/);
    expect(() => vault.get('../../etc/passwd')).toThrow(/not a rotation key/);
  });
});

describe('versions where a rotation takes without a restart', () => {
  it('names the advisories that apply below each fix, and none at or above the last one', () => {
    expect(issuesFor('2026.1.29', 'gateway-auth').map((i) => i.id)).toEqual(['GHSA-68x5-xx89-w9mm', 'CVE-2026-43585']);
    expect(issuesFor('2026.4.8', 'gateway-auth').map((i) => i.id)).toEqual(['CVE-2026-43585']);
    expect(issuesFor('2026.9.6', 'gateway-auth')).toEqual([]);
    expect(issuesFor('2026.3.30', 'device-token').map((i) => i.id)).toEqual(['CVE-2026-41356']);
    expect(issuesFor(null, 'device-token')).toHaveLength(2);
  });
});
