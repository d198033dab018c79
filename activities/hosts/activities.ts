/**
 * Transports as activities: run a command, read, write or upload a file on an inventory host.
 * Inputs carry the host's inventory entry (plain data, no secrets); outputs are redacted.
 */
import type { HostSpec } from '../../lib/inventory/schema.js';
import { openOpenclawHost } from '../openclaw/host.js';
import { asActivity } from './failures.js';
import { createTransport, type RunResult, type Transport } from './transports/index.js';
import type { SshOptions } from './transports/ssh.js';

const MAX_OUTPUT = 64 * 1024;

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
  const make = deps.transportFor ?? ((host: HostSpec) => createTransport(host, deps.ssh));
  /**
   * A transport that already knows the host's OpenClaw secrets (read from its config), so exact
   * values are scrubbed, not only the credential shapes. Best effort: a host without OpenClaw
   * still gets shape-based redaction.
   */
  const transportFor = async (host: HostSpec): Promise<Transport> => {
    const t = make(host);
    if (host.install.method === 'npm') await openOpenclawHost(host, t).catch(() => undefined);
    return t;
  };
  return {
    /** Output is redacted and cut to its last 64 KiB per stream so history stays small. */
    async hostRun(input: HostRunInput): Promise<RunResult & { truncated: boolean }> {
      return asActivity(async () => {
        const r = await (await transportFor(input.host)).run(input.cmd, input.args ?? [], {
          timeoutMs: input.timeoutMs,
          stdin: input.stdin,
          heartbeat: true,
        });
        const truncated = r.stdout.length > MAX_OUTPUT || r.stderr.length > MAX_OUTPUT;
        return { ...r, stdout: r.stdout.slice(-MAX_OUTPUT), stderr: r.stderr.slice(-MAX_OUTPUT), truncated };
      });
    },
    /** Content redacted like command output: a file read into history must not carry a token. */
    async hostReadFile(input: { host: HostSpec; path: string }): Promise<{ content: string | null }> {
      return asActivity(async () => {
        const t = await transportFor(input.host);
        const raw = await t.readFile(input.path);
        return { content: raw === null ? null : t.redact(raw) };
      });
    },
    async hostWriteFile(input: { host: HostSpec; path: string; content: string; mode?: number }): Promise<void> {
      return asActivity(() => make(input.host).writeFile(input.path, input.content, { mode: input.mode }));
    },
    async hostUpload(input: { host: HostSpec; localPath: string; remotePath: string; mode?: number }): Promise<void> {
      return asActivity(() => make(input.host).upload(input.localPath, input.remotePath, { mode: input.mode }));
    },
  };
}

export type HostActivities = ReturnType<typeof createHostActivities>;
