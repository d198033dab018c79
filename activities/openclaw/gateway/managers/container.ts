/** A gateway in a container of its own (Docker, Podman, Compose): `docker stop|start <container>` with the same runtime. */
import { verbManager } from './types.js';
import { runManagerCommand } from './run.js';

export const containerManager = verbManager(
  'docker',
  (_h, ref) => ({
    stop: `${ref.runtime} stop ${ref.container ?? '<container>'}`,
    start: `${ref.runtime} start ${ref.container ?? '<container>'}`,
  }),
  async (h, ref, verb) => {
    if (!ref.container) throw new Error(`the container publishing port ${h.spec.gatewayPort} is unknown (${ref.runtime} ps found none)`);
    await runManagerCommand(h, ref.runtime, [verb, ref.container]);
  },
);
