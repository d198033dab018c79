/**
 * The least a host must offer for a sweep or a scrub: run a command with stdin, copy a file up,
 * read a file back unaltered. `localTransport` runs on this machine; `fromHostTransport` adapts
 * issue 3's transports. Keeping the interface this small lets both paths share all logic above it.
 */
import { chmod, copyFile, readFile, rename, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { execa } from 'execa';
import type { Transport } from '../hosts/transports/types.js';

export interface RunResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export interface RunOptions {
  /** Patterns and hunted literals travel here, never in argv. */
  stdin?: string;
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

export function localTransport(opts: LocalTransportOptions = {}): SweepTransport {
  const wrap = opts.wrap ?? [];
  return {
    host: opts.host ?? 'local',
    local: true,
    async run(cmd, args, o = {}) {
      const [file, ...pre] = wrap.length > 0 ? [...wrap, cmd] : [cmd];
      const r = await execa(file!, [...pre, ...args], {
        input: o.stdin,
        timeout: o.timeoutMs,
        env: { ...opts.env, ...o.env },
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
    async stream(cmd, args, o, onLine) {
      const [file, ...pre] = wrap.length > 0 ? [...wrap, cmd] : [cmd];
      const sub = execa(file!, [...pre, ...args], {
        input: o.stdin,
        timeout: o.timeoutMs,
        env: { ...opts.env, ...o.env },
        reject: false,
        buffer: { stdout: false, stderr: true },
        maxBuffer: 256 * 1024 * 1024,
        encoding: 'utf8',
      });
      // Split on \n only: readline would also split on a lone \r inside a matched line.
      sub.stdout!.setEncoding('utf8');
      let rest = '';
      for await (const chunk of sub.stdout! as AsyncIterable<string>) {
        const text = rest + chunk;
        let start = 0;
        for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
          onLine(text.slice(start, nl));
          start = nl + 1;
        }
        rest = text.slice(start);
      }
      if (rest.length > 0) onLine(rest);
      const r = await sub;
      if (r.failed && r.exitCode === undefined) throw new Error(`${cmd}: ${r.shortMessage}`);
      return { exitCode: r.exitCode ?? -1, stderr: String(r.stderr ?? '') };
    },
    async writeFile(path, content, mode) {
      const tmp = join(dirname(path), `.${basename(path)}.respond-${process.pid}-${Date.now()}`);
      await writeFile(tmp, content, { mode });
      await chmod(tmp, mode);
      await rename(tmp, path);
    },
    async readFile(path) {
      try {
        return await readFile(path, 'utf8');
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw e;
      }
    },
  };
}
