/** A gateway run as a runit service: `sv down|up <service dir>` (the dir runsv runs in). */
import type { OpenclawHost } from '../../host.js';
import type { ManagerRef } from '../types.js';
import { runManagerCommand } from './run.js';

type Ref = Extract<ManagerRef, { kind: 'supervised-other' }>;

function dir(ref: Ref): string {
  if (!ref.control) throw new Error('the runit service directory is unknown');
  return ref.control;
}

export const runitControl = {
  commands: (ref: Ref) => ({ stop: `sv -w 40 down ${ref.control ?? '<service dir>'}`, start: `sv up ${ref.control ?? '<service dir>'}` }),
  async run(h: OpenclawHost, ref: Ref, verb: 'stop' | 'start'): Promise<void> {
    // `sv down` exits non-zero on its own -w timeout; the caller's wait for the port decides.
    if (verb === 'stop') await runManagerCommand(h, 'sv', ['-w', '40', 'down', dir(ref)], { timeoutMs: 60_000 });
    else await runManagerCommand(h, 'sv', ['up', dir(ref)], { timeoutMs: 30_000 });
  },
};
