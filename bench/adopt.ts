/**
 * Adopting a gateway someone started by hand, as JSON on stdout: the wall time of one
 * adopt-stop-upgrade-start cycle (2026.1.29 -> 2026.9.6, started with nohup from a shell) with
 * respond, locally and over SSH, split into its phases; and the same cycle as a plain script
 * (kill, npm install, nohup start, wait for the port) on the same kind of host, as the anchor.
 * `npm run bench:adopt [-- --runs N]`
 */
import { dirname } from 'node:path';
import { execa } from 'execa';
import { SshTransport } from '../activities/hosts/transports/index.js';
import { createOpenclawActivities } from '../activities/openclaw/activities.js';
import type { HostSpec } from '../lib/inventory/schema.js';
import { directUpgradeOps, runUpgrade, type UpgradeOps } from '../workflows/upgrade-flow.js';
import { createFixtureHost, NEWER, OLDER, type FixtureHost } from '../test/fixtures/openclaw.js';
import { launchNohup, waitClosed, waitListening } from '../test/fixtures/gateway-launchers.js';
import { startSshd } from '../test/fixtures/sshd.js';
import { arg } from './args.js';

const acts = createOpenclawActivities();

/** The upgrade's own operations, each timed. */
function timedOps(spec: HostSpec, phases: Record<string, number>): UpgradeOps {
  const ops = directUpgradeOps(acts, spec, NEWER);
  const wrap = <A extends unknown[], R>(name: string, fn: (...a: A) => Promise<R>) => async (...a: A) => {
    const t = Date.now();
    try {
      return await fn(...a);
    } finally {
      phases[name] = (phases[name] ?? 0) + (Date.now() - t);
    }
  };
  return { ...ops, plan: wrap('planMs', ops.plan), stop: wrap('adoptAndStopMs', ops.stop), install: wrap('installMs', ops.install), start: wrap('startMs', ops.start), verify: wrap('verifyMs', ops.verify) };
}

async function respondCycle(fx: FixtureHost, spec: HostSpec) {
  await launchNohup(fx);
  const before = await acts.openclawGatewayDiscover({ host: spec });
  if (before.manager.kind !== 'bare') throw new Error(`expected a bare gateway, found ${before.manager.kind}`);
  const phases: Record<string, number> = {};
  const t = Date.now();
  const outcome = await runUpgrade(timedOps(spec, phases));
  const totalMs = Date.now() - t;
  const after = await acts.openclawFacts({ host: spec, audit: false });
  if (!outcome.changed || after.openclaw.version !== NEWER || after.gateway.token.verdict !== 'accepted' || after.gateway.manager.kind !== 'respond') {
    throw new Error(`cycle did not end on ${NEWER} under respond with the token accepted`);
  }
  return { totalMs, ...phases };
}

/** What an operator's script does: SIGTERM the pid on the port, npm install, nohup the same command. */
async function scriptCycle(fx: FixtureHost) {
  await launchNohup(fx);
  const port = fx.spec.gatewayPort;
  const entry = `${fx.prefix}/node_modules/openclaw/openclaw.mjs`;
  const script = [
    'set -e',
    // npm and the package's install scripts must see the host's Node 24, as respond's do.
    `export PATH=${dirname(fx.spec.node)}:$PATH`,
    `pid=$(ss -ltnpH 'sport = :${port}' | grep -o 'pid=[0-9]*' | head -n 1 | cut -d= -f2)`,
    'ppid=$(awk \'/^PPid:/ {print $2}\' /proc/$pid/status)',
    'kill -TERM $ppid',
    `npm --prefix ${fx.prefix} install --no-audit --no-fund --save-exact openclaw@${NEWER} >/dev/null 2>&1`,
    `cd ${fx.root}`,
    // Its own line, so no subshell keeps this script's output pipes open for the gateway's life.
    `nohup setsid ${fx.spec.node} ${entry} gateway --port ${port} --bind loopback >>${fx.root}/bare.log 2>&1 </dev/null &`,
  ].join('\n');
  const t = Date.now();
  await execa('bash', ['-c', script], { env: { ...process.env, ...fx.spec.env } });
  await waitListening(port, 180_000);
  return { totalMs: Date.now() - t };
}

async function fresh(name: string): Promise<FixtureHost> {
  return createFixtureHost({ name, version: OLDER, start: false });
}

async function main() {
  const runs = Number(arg('--runs', '1'));
  const local: unknown[] = [];
  const ssh: unknown[] = [];
  const script: unknown[] = [];
  const sshd = await startSshd();
  try {
    for (let i = 0; i < runs; i++) {
      const a = await fresh(`adopt-local-${i}`);
      local.push(await respondCycle(a, a.spec).finally(() => a.destroy()));
      console.error(`local: ${JSON.stringify(local.at(-1))}`);
      const b = await fresh(`adopt-ssh-${i}`);
      const spec = { ...b.spec, transport: sshd.transport() };
      ssh.push(await respondCycle(b, spec).finally(async () => {
        await new SshTransport(sshd.transport()).close();
        await b.destroy();
      }));
      console.error(`ssh: ${JSON.stringify(ssh.at(-1))}`);
      const c = await fresh(`adopt-script-${i}`);
      script.push(
        await scriptCycle(c).finally(async () => {
          await execa('sh', ['-c', `kill $(ss -ltnpH 'sport = :${c.spec.gatewayPort}' | grep -o 'pid=[0-9]*' | cut -d= -f2) 2>/dev/null`], { reject: false });
          await waitClosed(c.spec.gatewayPort).catch(() => undefined);
          await c.destroy();
        }),
      );
    }
  } finally {
    await sshd.stop();
  }
  console.log(JSON.stringify({ bench: 'adopt', from: OLDER, to: NEWER, runs, respondLocal: local, respondSsh: ssh, plainScript: script }, null, 2));
}

await main();
