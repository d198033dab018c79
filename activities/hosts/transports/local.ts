/**
 * The worker's own machine: commands via execa, files via fs. The one local command runner: host
 * activities, the sweep (which also streams rg's raw output) and `exec` all run through it.
 */
import { copyFile, mkdir, readFile, rename, writeFile, chmod } from 'node:fs/promises';
import { dirname } from 'node:path';
import { execa } from 'execa';
import { heartbeatIfInActivity } from '../heartbeat.js';
import { Redactor } from './redactor.js';
import type { RunOptions, RunResult, Transport } from './types.js';

const HEARTBEAT_EVERY_MS = 5_000;

/**
 * The worker's environment minus what configures the worker's own Node runtime or test runner:
 * a host command must behave as it would from a shell (OpenClaw 2026.9 prints nothing when it
 * sees VITEST set, for one).
 */
const WORKER_ONLY = /^(VITEST|VITE_|TSX_|NODE_OPTIONS$|NODE_ENV$|npm_|INIT_CWD$)/;

function workerEnv(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined && !WORKER_ONLY.test(e[0])),
  );
}

export interface LocalOptions {
  /**
   * Prefix for every command: `setpriv --pdeathsig KILL --` so a SIGKILLed worker takes its
   * command with it, or `setpriv --reuid=…` to act as another user.
   */
  wrap?: readonly string[];
}

export class LocalTransport implements Transport {
  readonly description = 'local';
  private readonly redactor = new Redactor();

  constructor(
    private readonly baseEnv: Record<string, string> = {},
    private readonly opts: LocalOptions = {},
  ) {}

  private argv(cmd: string, args: readonly string[]): [string, string[]] {
    const wrap = this.opts.wrap ?? [];
    return wrap.length ? [wrap[0]!, [...wrap.slice(1), cmd, ...args]] : [cmd, [...args]];
  }

  async run(cmd: string, args: readonly string[], opts: RunOptions): Promise<RunResult> {
    const started = Date.now();
    const beat = opts.heartbeat ? setInterval(() => heartbeatIfInActivity(), HEARTBEAT_EVERY_MS) : undefined;
    try {
      const [file, argv] = this.argv(cmd, args);
      const r = await execa(file, argv, {
        env: { ...workerEnv(), ...this.baseEnv, ...opts.env },
        extendEnv: false,
        cwd: opts.cwd,
        input: opts.stdin ?? '',
        timeout: opts.timeoutMs,
        forceKillAfterDelay: 3_000,
        reject: false,
        stripFinalNewline: false,
        maxBuffer: 1024 * 1024 * 1024,
      });
      return {
        exitCode: r.exitCode ?? (r.timedOut ? 124 : 1),
        stdout: this.redactor.redact(String(r.stdout ?? '')),
        // A command that could not start has no stderr of its own: say why instead.
        stderr: this.redactor.redact(String(r.stderr || (r.failed && r.exitCode === undefined ? r.shortMessage : ''))),
        timedOut: Boolean(r.timedOut),
        durationMs: Date.now() - started,
      };
    } finally {
      if (beat) clearInterval(beat);
    }
  }

  /**
   * Each stdout line, raw, as it arrives (stderr is collected and redacted). For the sweep, whose
   * detector must see the very values output redaction would erase; it fingerprints them itself.
   */
  async stream(
    cmd: string,
    args: readonly string[],
    opts: Partial<Pick<RunOptions, 'stdin' | 'timeoutMs' | 'env'>>,
    onLine: (line: string) => void,
  ): Promise<{ exitCode: number; stderr: string }> {
    const [file, argv] = this.argv(cmd, args);
    const sub = execa(file, argv, {
      env: { ...workerEnv(), ...this.baseEnv, ...opts.env },
      extendEnv: false,
      input: opts.stdin ?? '',
      timeout: opts.timeoutMs,
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
    return { exitCode: r.exitCode ?? -1, stderr: this.redactor.redact(String(r.stderr ?? '')) };
  }

  async readFile(path: string): Promise<string | null> {
    try {
      return await readFile(path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw e;
    }
  }

  async writeFile(path: string, content: string, opts: { mode?: number } = {}): Promise<void> {
    await mkdir(dirname(path), { recursive: true });
    const tmp = `${path}.respond-tmp.${process.pid}`;
    await writeFile(tmp, content, { mode: opts.mode ?? 0o600 });
    await chmod(tmp, opts.mode ?? 0o600);
    await rename(tmp, path);
  }

  async upload(localPath: string, remotePath: string, opts: { mode?: number } = {}): Promise<void> {
    await mkdir(dirname(remotePath), { recursive: true });
    const tmp = `${remotePath}.respond-tmp.${process.pid}`;
    await copyFile(localPath, tmp);
    await chmod(tmp, opts.mode ?? 0o600);
    await rename(tmp, remotePath);
  }

  async forwardPort(remotePort: number) {
    return { localPort: remotePort, close: async () => {} };
  }

  addSecrets(values: readonly string[]): void {
    this.redactor.add(values);
  }

  redact(text: string): string {
    return this.redactor.redact(text);
  }

  async close(): Promise<void> {}
}
