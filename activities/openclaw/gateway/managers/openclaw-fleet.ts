/**
 * A cell of OpenClaw's own `openclaw fleet` (2026.9.x): stopped and started with `openclaw fleet
 * stop|start <tenant>`, run by the host's OpenClaw CLI against the fleet owner's state dir, so the
 * fleet's ownership checks, recorded runtime and hardening profile apply. Never `docker stop`
 * behind the fleet's back.
 */
import { posix } from 'node:path';
import { runOpenclaw, type OpenclawHost } from '../../host.js';
import type { ManagerRef } from '../types.js';
import { verbManager } from './types.js';

type Ref = Extract<ManagerRef, { kind: 'openclaw-fleet' }>;

function asOwner(h: OpenclawHost, ref: Ref): OpenclawHost {
  if (!ref.ownerStateDir) throw new Error(`the state dir of the fleet that owns cell ${ref.tenant} is unknown`);
  return { ...h, stateDir: ref.ownerStateDir, configPath: posix.join(ref.ownerStateDir, 'openclaw.json') };
}

async function fleet(h: OpenclawHost, ref: Ref, verb: 'stop' | 'start'): Promise<void> {
  const r = await runOpenclaw(asOwner(h, ref), ['fleet', verb, ref.tenant], { timeoutMs: 180_000, heartbeat: true });
  if (r.exitCode !== 0) {
    throw new Error(`openclaw fleet ${verb} ${ref.tenant} failed (exit ${r.exitCode}): ${`${r.stderr}\n${r.stdout}`.replace(/\s+/g, ' ').trim().slice(0, 300)}`);
  }
}

export const openclawFleetManager = verbManager(
  'openclaw-fleet',
  (_h, ref) => {
    const env = ref.ownerStateDir ? `OPENCLAW_STATE_DIR=${ref.ownerStateDir} ` : '';
    return { stop: `${env}openclaw fleet stop ${ref.tenant}`, start: `${env}openclaw fleet start ${ref.tenant}` };
  },
  fleet,
);
