/** A gateway run under pm2: `pm2 stop|start <id>`, with the daemon's PM2_HOME. */
import type { OpenclawHost } from '../../host.js';
import type { ManagerRef } from '../types.js';
import { runManagerCommand } from './run.js';

type Ref = Extract<ManagerRef, { kind: 'supervised-other' }>;

export const pm2Control = {
  commands: (ref: Ref) => ({
    stop: `${ref.control ? `PM2_HOME=${ref.control} ` : ''}pm2 stop ${ref.name ?? '<id>'}`,
    start: `${ref.control ? `PM2_HOME=${ref.control} ` : ''}pm2 start ${ref.name ?? '<id>'}`,
  }),
  async run(h: OpenclawHost, ref: Ref, verb: 'stop' | 'start'): Promise<void> {
    if (!ref.name) throw new Error('the pm2 process id is unknown');
    await runManagerCommand(h, 'pm2', [verb, ref.name], { env: ref.control ? { PM2_HOME: ref.control } : undefined });
  },
};
