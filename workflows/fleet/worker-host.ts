/** The host a runbook without a fleet acts on: the worker's own machine, found as OpenClaw finds it. */
import type { HostSpec } from '../../lib/inventory/schema.js';

export const WORKER_HOST_NAME = 'local';

export const WORKER_HOST: HostSpec = {
  name: WORKER_HOST_NAME,
  tags: [],
  transport: { type: 'local' },
  install: { method: 'npm', npm: 'npm' },
  node: 'node',
  gatewayPort: 18789,
  env: {},
};
