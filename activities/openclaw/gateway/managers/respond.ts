/** Gateways respond runs itself, under its pidfile; after an adoption, started from the adoption record. */
import { launchRespondManaged, stopRespondManaged } from '../../gateway-process.js';
import { respondPidfile } from '../discover.js';
import { readAdopted, startFromRecord } from './bare.js';
import type { GatewayManager } from './types.js';

export const respondManager: GatewayManager<'respond'> = {
  kind: 'respond',
  commands(h, ref) {
    return {
      stop: `SIGTERM the process group of pid ${ref.pid} (${respondPidfile(h.stateDir)}), SIGKILL after 20 s`,
      start: `${h.spec.node} ${h.pkg?.bin ?? '<openclaw entry>'} gateway --port ${h.spec.gatewayPort} (or the adopted command line, if respond adopted this gateway), detached, pidfile`,
    };
  },
  async stop(h) {
    await stopRespondManaged(h);
    return {};
  },
  async start(h) {
    const rec = await readAdopted(h);
    const pid = rec ? await startFromRecord(h, rec) : await launchRespondManaged(h);
    return { kind: 'respond', pid: pid ?? 0 };
  },
};
