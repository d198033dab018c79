/** Gateways under a process supervisor: stopped and started through that supervisor, never behind its back. */
import { verbManager } from './types.js';
import { pm2Control } from './pm2.js';
import { runitControl } from './runit.js';
import { supervisordControl } from './supervisord.js';

const CONTROLS = { supervisord: supervisordControl, runit: runitControl, pm2: pm2Control } as const;

function controlFor(supervisor: string) {
  const c = CONTROLS[supervisor as keyof typeof CONTROLS];
  if (!c) throw new Error(`respond cannot drive ${supervisor} yet`);
  return c;
}

export const supervisedManager = verbManager(
  'supervised-other',
  (_h, ref) => {
    const c = CONTROLS[ref.supervisor as keyof typeof CONTROLS];
    return c ? c.commands(ref) : { stop: `stop it through ${ref.supervisor}`, start: `start it through ${ref.supervisor}` };
  },
  (h, ref, verb) => controlFor(ref.supervisor).run(h, ref, verb),
);
