/**
 * The least a host must offer for a sweep or a scrub: run a command with stdin, and copy a file
 * up. Issue 3's SSH transport satisfies it; `localTransport` runs on this machine. Keeping the
 * interface this small lets both sweep paths share every line of logic above it.
 */
import { chmod, copyFile } from 'node:fs/promises';
import { execa } from 'execa';

export interface RunResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export interface RunOptions {
  /** Patterns and hunted literals travel here, never in argv. */
  stdin?: string | Buffer;
  timeoutMs?: number;
  env?: Record<string, string>;
}

export interface SweepTransport {
  /** Name used in findings (`local` or the inventory host name). */
  readonly host: string;
  /** True when the host is this machine, so the bundled rg can be used in place. */
  readonly local: boolean;
  run(cmd: string, args: readonly string[], opts?: RunOptions): Promise<RunResult>;
  /** Copies a file from this machine to the host. */
  upload(localPath: string, remotePath: string, mode?: number): Promise<void>;
}

export interface LocalTransportOptions {
  /** Prefix for every command, e.g. `['setpriv', '--reuid=65534', ...]` to sweep as an unprivileged user. */
  wrap?: readonly string[];
}

export function localTransport(opts: LocalTransportOptions = {}): SweepTransport {
  const wrap = opts.wrap ?? [];
  return {
    host: 'local',
    local: true,
    async run(cmd, args, o = {}) {
      const [file, ...pre] = wrap.length > 0 ? [...wrap, cmd] : [cmd];
      const r = await execa(file!, [...pre, ...args], {
        input: o.stdin,
        timeout: o.timeoutMs,
        env: o.env,
        reject: false,
        stripFinalNewline: false,
        maxBuffer: 1024 * 1024 * 1024,
        encoding: 'utf8',
      });
      if (r.failed && r.exitCode === undefined) {
        throw new Error(`${cmd}: ${r.shortMessage}`);
      }
      return { stdout: r.stdout, stderr: r.stderr, exitCode: r.exitCode ?? -1 };
    },
    async upload(localPath, remotePath, mode = 0o600) {
      await copyFile(localPath, remotePath);
      await chmod(remotePath, mode);
    },
  };
}
