/**
 * Transports as activities: run a command, read, write or upload a file on an inventory host.
 * Inputs carry the host's inventory entry (plain data, no secrets); outputs are redacted.
 */
import type { HostSpec } from '../../lib/inventory/schema.js';
import { asActivity } from './failures.js';
import { createTransport, type RunResult, type Transport } from './transports/index.js';
import type { SshOptions } from './transports/ssh.js';

export interface HostActivityDeps {
  ssh?: SshOptions;
  /** Override for tests; by default a transport per call (the SSH master is shared anyway). */
  transportFor?: (host: HostSpec) => Transport;
}

export interface HostRunInput {
  host: HostSpec;
  cmd: string;
  args?: string[];
  timeoutMs: number;
  stdin?: string;
}

export function createHostActivities(deps: HostActivityDeps = {}) {
  const transportFor = deps.transportFor ?? ((host: HostSpec) => createTransport(host, deps.ssh));
  return {
    async hostRun(input: HostRunInput): Promise<RunResult> {
      return asActivity(() =>
        transportFor(input.host).run(input.cmd, input.args ?? [], { timeoutMs: input.timeoutMs, stdin: input.stdin, heartbeat: true }),
      );
    },
    /** Content redacted like command output: a file read into history must not carry a token. */
    async hostReadFile(input: { host: HostSpec; path: string }): Promise<{ content: string | null }> {
      return asActivity(async () => {
        const t = transportFor(input.host);
        const raw = await t.readFile(input.path);
        return { content: raw === null ? null : t.redact(raw) };
      });
    },
    async hostWriteFile(input: { host: HostSpec; path: string; content: string; mode?: number }): Promise<void> {
      return asActivity(() => transportFor(input.host).writeFile(input.path, input.content, { mode: input.mode }));
    },
    async hostUpload(input: { host: HostSpec; localPath: string; remotePath: string; mode?: number }): Promise<void> {
      return asActivity(() => transportFor(input.host).upload(input.localPath, input.remotePath, { mode: input.mode }));
    },
  };
}

export type HostActivities = ReturnType<typeof createHostActivities>;
