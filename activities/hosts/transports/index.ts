import type { HostSpec } from '../../../lib/inventory/schema.js';
import { LocalTransport } from './local.js';
import { SshTransport, type SshOptions } from './ssh.js';
import type { Transport } from './types.js';

export * from './types.js';
export { LocalTransport } from './local.js';
export { SshTransport } from './ssh.js';

export function createTransport(host: HostSpec, opts: SshOptions = {}): Transport {
  return host.transport.type === 'local'
    ? new LocalTransport(host.env)
    : new SshTransport(host.transport, host.env, opts);
}
