/** A gateway run as a supervisord program: `supervisorctl stop|start`, with the supervisor's own config file. */
import type { OpenclawHost } from '../../host.js';
import type { ManagerRef } from '../types.js';
import { runManagerCommand } from './run.js';

type Ref = Extract<ManagerRef, { kind: 'supervised-other' }>;

function args(ref: Ref, verb: 'stop' | 'start'): string[] {
  return [...(ref.control ? ['-c', ref.control] : []), verb, ref.name ?? '<program>'];
}

export const supervisordControl = {
  commands: (ref: Ref) => ({ stop: ['supervisorctl', ...args(ref, 'stop')].join(' '), start: ['supervisorctl', ...args(ref, 'start')].join(' ') }),
  async run(h: OpenclawHost, ref: Ref, verb: 'stop' | 'start'): Promise<void> {
    if (!ref.name) throw new Error('the supervisord program name is unknown (SUPERVISOR_PROCESS_NAME not readable)');
    // supervisorctl waits for the program's startsecs on start and its stopwaitsecs on stop.
    await runManagerCommand(h, 'supervisorctl', args(ref, verb), { timeoutMs: 120_000 });
  },
};
