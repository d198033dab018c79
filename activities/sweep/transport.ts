/**
 * The least a host must offer for a sweep or a scrub: run a command with stdin, copy a file up,
 * read a file back unaltered: a narrow view of the hosts' Transport (`fromHostTransport`), local
 * or SSH. Keeping it this small lets both paths share all logic above it.
 */
import { LocalTransport } from '../hosts/transports/local.js';
import type { RunOptions as HostRunOptions, RunResult as HostRunResult, Transport } from '../hosts/transports/types.js';

export type RunResult = Pick<HostRunResult, 'stdout' | 'stderr' | 'exitCode'>;

/** Patterns and hunted literals travel in `stdin`, never in argv. */
export type RunOptions = Partial<Pick<HostRunOptions, 'stdin' | 'timeoutMs' | 'env'>>;

export interface SweepTransport {
  /** Name used in findings (`local` or the inventory host name). */
  readonly host: string;
  /** True when the host is this machine, so the bundled rg can be used in place. */
  readonly local: boolean;
  run(cmd: string, args: readonly string[], opts?: RunOptions): Promise<RunResult>;
  /** Copies a file from this machine to the host. */
  upload(localPath: string, remotePath: string, mode?: number): Promise<void>;
  /**
   * The file's bytes as text, unredacted, or null if it does not exist. rg's output is read this
   * way because host transports redact token shapes from command output, which would erase the
   * very secrets the sweep is looking for.
   */
  readFile(path: string): Promise<string | null>;
  /** Atomic write (temp file in the same directory, then rename) with the given mode. */
  writeFile(path: string, content: string, mode: number): Promise<void>;
  /**
   * Runs a command and hands each stdout line to `onLine` as it arrives (stderr is collected).
   * Only the local transport offers it: there the detector works while rg is still searching.
   */
  stream?(
    cmd: string,
    args: readonly string[],
    opts: RunOptions,
    onLine: (line: string) => void,
  ): Promise<{ exitCode: number; stderr: string }>;
  /** Releases a connection, where there is one. */
  close?(): Promise<void>;
}

const DEFAULT_TIMEOUT_MS = 30 * 60_000;

/** Adapts an issue-3 host transport (local or SSH) to what the sweep needs. */
export function fromHostTransport(t: Transport, host: string, local = false): SweepTransport {
  return {
    host,
    local,
    async run(cmd, args, o = {}) {
      const r = await t.run(cmd, args, {
        timeoutMs: o.timeoutMs ?? DEFAULT_TIMEOUT_MS,
        env: o.env,
        stdin: o.stdin === undefined ? undefined : String(o.stdin),
        heartbeat: true,
      });
      if (r.timedOut) throw new Error(`${host}: ${cmd} timed out`);
      return { stdout: r.stdout, stderr: r.stderr, exitCode: r.exitCode };
    },
    upload: (l, r, mode) => t.upload(l, r, { mode }),
    readFile: (p) => t.readFile(p),
    writeFile: (p, content, mode) => t.writeFile(p, content, { mode }),
  };
}

export interface LocalTransportOptions {
  /** Prefix for every command, e.g. `['setpriv', '--reuid=65534', ...]` to sweep as an unprivileged user. */
  wrap?: readonly string[];
  /** Extra environment for every command, e.g. a fixture's HOME for default-scope discovery. */
  env?: Record<string, string>;
  host?: string;
}

/** This machine, through the one local runner, with rg's output streamed raw into the detector. */
export function localTransport(opts: LocalTransportOptions = {}): SweepTransport {
  const t = new LocalTransport(opts.env ?? {}, { wrap: opts.wrap });
  return { ...fromHostTransport(t, opts.host ?? 'local', true), stream: (cmd, args, o, onLine) => t.stream(cmd, args, o, onLine) };
}
