/**
 * Figures for the hosts work, as JSON on stdout: fixture set-up cold and warm, gateway start
 * per version, upgrade wall time locally and over SSH, SSH handshakes per upgrade.
 * `npm run bench:hosts` (add `-- --skip-cold` to reuse the fixture cache for the cold figure).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SshTransport } from '../activities/hosts/transports/index.js';
import { createOpenclawActivities } from '../activities/openclaw/activities.js';
import { startGateway, stopGateway } from '../activities/openclaw/gateway/control.js';
import { openOpenclawHost } from '../activities/openclaw/host.js';
import { createTransport } from '../activities/hosts/transports/index.js';
import { directUpgradeOps, runUpgrade } from '../workflows/upgrade-flow.js';
import type { HostSpec } from '../lib/inventory/schema.js';
import { createFixtureHost, ensureOpenclaw, NEWER, OLDER } from '../test/fixtures/openclaw.js';
import { ensureNode24, NODE24_VERSION } from '../test/fixtures/node24.js';
import { startSshd } from '../test/fixtures/sshd.js';

const acts = createOpenclawActivities();

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t = Date.now();
  const v = await fn();
  return [v, Date.now() - t];
}

async function setupAll() {
  await ensureNode24();
  await ensureOpenclaw(OLDER);
  await ensureOpenclaw(NEWER);
}

async function coldSetup(): Promise<number | null> {
  if (process.argv.includes('--skip-cold')) return null;
  const saved = process.env.XDG_CACHE_HOME;
  const scratch = mkdtempSync(join(tmpdir(), 'respond-bench-cache-'));
  process.env.XDG_CACHE_HOME = scratch;
  try {
    return (await timed(setupAll))[1];
  } finally {
    if (saved === undefined) delete process.env.XDG_CACHE_HOME;
    else process.env.XDG_CACHE_HOME = saved;
    rmSync(scratch, { recursive: true, force: true });
  }
}

async function gatewayStarts(version: string) {
  const fx = await createFixtureHost({ name: `bench-${version}`, version, start: false });
  try {
    const open = () => openOpenclawHost(fx.spec, createTransport(fx.spec));
    const first = (await startGateway(await open())).readyMs;
    await stopGateway(await open());
    const second = (await startGateway(await open())).readyMs;
    return { firstStartMs: first, warmStartMs: second };
  } finally {
    await fx.destroy();
  }
}

async function upgradeOnce(spec: HostSpec) {
  const [outcome, ms] = await timed(() => runUpgrade(directUpgradeOps(acts, spec, NEWER)));
  if (!outcome.changed || outcome.verified?.version !== NEWER) throw new Error('upgrade did not happen');
  const [again, rerunMs] = await timed(() => runUpgrade(directUpgradeOps(acts, spec, NEWER)));
  if (again.changed) throw new Error('re-run changed something');
  return { upgradeMs: ms, idempotentRerunMs: rerunMs };
}

async function main() {
  const coldMs = await coldSetup();
  const [, warmMs] = await timed(setupAll);
  const [hostFx, hostCreateMs] = await timed(() => createFixtureHost({ name: 'bench-copy', version: OLDER, start: false }));
  await hostFx.destroy();

  const gateway = { [OLDER]: await gatewayStarts(OLDER), [NEWER]: await gatewayStarts(NEWER) };

  const local = await createFixtureHost({ name: 'bench-local', version: OLDER });
  const localUpgrade = await upgradeOnce(local.spec).finally(() => local.destroy());

  const sshd = await startSshd();
  const remote = await createFixtureHost({ name: 'bench-ssh', version: OLDER });
  let sshUpgrade;
  let handshakes;
  try {
    const spec: HostSpec = { ...remote.spec, transport: sshd.transport() };
    await new SshTransport(sshd.transport()).close();
    const before = sshd.handshakes();
    sshUpgrade = await upgradeOnce(spec);
    handshakes = sshd.handshakes() - before;
  } finally {
    await new SshTransport(sshd.transport()).close();
    await remote.destroy();
    await sshd.stop();
  }

  console.log(
    JSON.stringify(
      {
        versions: { older: OLDER, newer: NEWER, node: NODE24_VERSION },
        fixtureSetup: {
          coldMs,
          warmMs,
          note: 'cold = empty respond-fixtures cache (Node 24 + both openclaw trees installed); npm download cache as found',
          hostCopyMs: hostCreateMs,
        },
        gatewayStart: gateway,
        upgrade: {
          local: localUpgrade,
          ssh: { ...sshUpgrade, handshakesForUpgradeAndRerun: handshakes },
        },
      },
      null,
      2,
    ),
  );
}

await main();
