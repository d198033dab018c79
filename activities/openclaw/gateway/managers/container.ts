/** A gateway in a container of its own (Docker, Podman, Compose): `docker stop|start <container>` with the same runtime. */
import type { GatewayManager } from './types.js';
import { runManagerCommand } from './run.js';

export const containerManager: GatewayManager<'docker'> = {
  kind: 'docker',
  commands: (_h, ref) => ({
    stop: `${ref.runtime} stop ${ref.container ?? '<container>'}`,
    start: `${ref.runtime} start ${ref.container ?? '<container>'}`,
  }),
  async stop(h, ref) {
    if (!ref.container) throw new Error(`the container publishing port ${h.spec.gatewayPort} is unknown (${ref.runtime} ps found none)`);
    await runManagerCommand(h, ref.runtime, ['stop', ref.container]);
    return {};
  },
  async start(h, ref) {
    if (!ref.container) throw new Error('the container is unknown');
    await runManagerCommand(h, ref.runtime, ['start', ref.container]);
    return ref;
  },
};
