/** The worker's own machine: commands via execa, files via fs. */
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

export class LocalTransport implements Transport {
  readonly description = 'local';
  private readonly redactor = new Redactor();

  constructor(private readonly baseEnv: Record<string, string> = {}) {}

  async run(cmd: string, args: readonly string[], opts: RunOptions): Promise<RunResult> {
    const started = Date.now();
    const beat = opts.heartbeat ? setInterval(() => heartbeatIfInActivity(), HEARTBEAT_EVERY_MS) : undefined;
    try {
      const r = await execa(cmd, args, {
        env: { ...workerEnv(), ...this.baseEnv, ...opts.env },
        extendEnv: false,
        cwd: opts.cwd,
        input: opts.stdin ?? '',
        timeout: opts.timeoutMs,
        forceKillAfterDelay: 3_000,
        reject: false,
        stripFinalNewline: false,
      });
      return {
        exitCode: r.exitCode ?? (r.timedOut ? 124 : 1),
        stdout: this.redactor.redact(String(r.stdout ?? '')),
        stderr: this.redactor.redact(String(r.stderr ?? (r.failed && r.exitCode === undefined ? r.message : ''))),
        timedOut: Boolean(r.timedOut),
        durationMs: Date.now() - started,
      };
    } finally {
      if (beat) clearInterval(beat);
    }
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
