import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

// Each case may run two npm installs of ~1 GB trees and two gateway starts.
vi.setConfig({ testTimeout: 600_000 });
import { createOpenclawActivities } from '../../activities/openclaw/activities.js';
import { directUpgradeOps, runUpgrade } from '../../workflows/upgrade-flow.js';
import type { UpgradePlan } from '../../activities/openclaw/upgrade.js';
import { SshTransport } from '../../activities/hosts/transports/index.js';
import type { HostSpec } from '../../lib/inventory/schema.js';
import { createFixtureHost, NEWER, OLDER, type FixtureHost } from '../fixtures/openclaw.js';
import { startSshd, type SshdFixture } from '../fixtures/sshd.js';

let sshd: SshdFixture;
let fx: FixtureHost;
let host: HostSpec;
const acts = createOpenclawActivities();
const log: string[] = [];

beforeAll(async () => {
  sshd = await startSshd();
  fx = await createFixtureHost({ name: 'up', version: OLDER });
  host = { ...fx.spec, transport: sshd.transport() };
});

afterAll(async () => {
  // End the SSH master now rather than at ControlPersist expiry.
  if (sshd) await new SshTransport(sshd.transport()).close();
  await Promise.allSettled([fx?.destroy(), sshd?.stop()]);
});

function recorder() {
  const events: Array<{ event: string; details: Record<string, unknown> }> = [];
  return {
    events,
    record: async (event: string, details: Record<string, unknown>) => {
      events.push({ event, details });
      log.push(JSON.stringify({ event, details }));
    },
  };
}

async function state() {
  const facts = await acts.openclawFacts({ host, audit: false });
  return { version: facts.openclaw.version, live: facts.gateway.live, token: facts.gateway.token.verdict, pid: facts.gateway.managedPid };
}

describe('upgrade over ssh', () => {
  it('refuses a target below the minimum safe version, default or configured', async () => {
    await expect(acts.openclawUpgradePlan({ host, target: '2026.1.24' })).rejects.toThrow(/below the minimum safe version 2026\.1\.29; refusing/);
    await expect(acts.openclawUpgradePlan({ host, target: NEWER, minimumVersion: '2026.10.1' })).rejects.toThrow(
      /2026\.9\.6 is below the minimum safe version 2026\.10\.1/,
    );
    await expect(acts.openclawUpgradePlan({ host, target: 'latest' })).rejects.toThrow(/not an OpenClaw version/);
  });

  it('rolls back when the target cannot install: the old version runs again and accepts its token', async () => {
    const before = await state();
    const rec = recorder();
    const err = await runUpgrade(directUpgradeOps(acts, host, '2026.99.1', { record: rec.record })).catch((e) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err.message).toMatch(/npm install openclaw@2026\.99\.1 failed/);
    log.push(err.message);
    expect(rec.events.map((e) => e.event)).toEqual(['upgrade.start', 'upgrade.compensate.start', 'upgrade.compensate.done']);
    const after = await state();
    expect(after).toMatchObject({ version: OLDER, live: true, token: 'accepted' });
    // The gateway was really stopped and started again by the compensation.
    expect(after.pid).not.toBe(before.pid);
  });

  it('rolls back a real install that fails verification: the old version is reinstalled and serves its token', async () => {
    const rec = recorder();
    const ops = directUpgradeOps(acts, host, NEWER, { record: rec.record });
    const realVerify = ops.verify;
    // Forced failure after the new version is installed and started: the worst moment to fail.
    ops.verify = async (version) => {
      if (version === NEWER) {
        const seen = await realVerify(version);
        expect(seen.version).toBe(NEWER);
        throw new Error('forced failure after install');
      }
      return realVerify(version);
    };
    await expect(runUpgrade(ops)).rejects.toThrow('forced failure after install');
    expect(rec.events.map((e) => e.event)).toEqual(['upgrade.start', 'upgrade.compensate.start', 'upgrade.compensate.done']);
    expect(rec.events.at(-1)!.details).toMatchObject({ version: OLDER, live: true, token: 'accepted' });
    expect(await state()).toMatchObject({ version: OLDER, live: true, token: 'accepted' });
  });

  it('upgrades the older version to the newer one, showing the plan first, in one SSH handshake', async () => {
    // A fresh master, so the count covers everything the upgrade does.
    await new SshTransport(sshd.transport()).close();
    const handshakesBefore = sshd.handshakes();
    const rec = recorder();
    let shown: UpgradePlan | undefined;
    const outcome = await runUpgrade(
      directUpgradeOps(acts, host, NEWER, {
        record: rec.record,
        approve: async (plan) => {
          shown = plan;
        },
      }),
    );
    expect(shown).toMatchObject({ host: 'up', current: OLDER, target: NEWER, action: 'upgrade', gatewayLive: true });
    expect(shown!.commands.join('\n')).toContain(`--prefix ${fx.prefix} install --no-audit --no-fund --save-exact openclaw@${NEWER}`);
    expect(shown!.rollback.join('\n')).toContain(`openclaw@${OLDER}`);
    expect(outcome).toMatchObject({ changed: true, verified: { version: NEWER, live: true, token: 'accepted' } });
    log.push(JSON.stringify(outcome));
    expect(rec.events.map((e) => e.event)).toEqual(['upgrade.start', 'upgrade.done']);
    expect(sshd.handshakes() - handshakesBefore).toBe(1);
    expect(await state()).toMatchObject({ version: NEWER, live: true, token: 'accepted' });
  });

  it('re-running on the upgraded host changes nothing', async () => {
    const before = await state();
    const rec = recorder();
    let asked = false;
    const outcome = await runUpgrade(
      directUpgradeOps(acts, host, NEWER, {
        record: rec.record,
        approve: async () => {
          asked = true;
        },
      }),
    );
    expect(outcome).toMatchObject({ changed: false, plan: { action: 'none', commands: [] } });
    expect(asked).toBe(false);
    expect(rec.events.map((e) => e.event)).toEqual(['upgrade.noop']);
    expect(await state()).toEqual(before);
  });

  it('never put the gateway token in any recorded event, result or error', () => {
    expect(log.length).toBeGreaterThan(0);
    for (const line of log) expect(line).not.toContain(fx.token);
  });
});
