/**
 * A private respond installation for one test file: its own state dir, audit log and loopback
 * ports, driven through the real CLI (which starts the real embedded Temporal dev server).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import type { Client } from '@temporalio/client';
import { loadConfig, type RespondConfig } from '../../lib/config.js';
import { daemonFiles, readPid } from '../../lib/embedded/daemon.js';
import { connectClient } from '../../lib/temporal-connection.js';
import type { AuditEvent } from '../../activities/audit/audit-log.js';
import { expect } from 'vitest';
import { scanForSecrets } from './secret-scan.js';

export const ROOT = join(import.meta.dirname, '..', '..');
export const CLI = join(ROOT, 'bin', 'respond.js');

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export class Sandbox {
  /** Every byte any command printed, for secret scans. */
  readonly captured: string[] = [];
  private clients: Client[] = [];

  private constructor(
    readonly dir: string,
    readonly env: Record<string, string>,
  ) {}

  static async create(extraEnv: Record<string, string> = {}): Promise<Sandbox> {
    const dir = mkdtempSync(join(tmpdir(), 'respond-test-'));
    const env = {
      RESPOND_STATE_DIR: join(dir, 'state'),
      RESPOND_TEMPORAL_PORT: String(await freePort()),
      RESPOND_UI_PORT: String(await freePort()),
      RESPOND_CODEC_SERVER_PORT: String(await freePort()),
      RESPOND_ACTOR: 'tester',
      ...extraEnv,
    };
    return new Sandbox(dir, env);
  }

  get config(): RespondConfig {
    return loadConfig({ ...process.env, ...this.env, TEMPORAL_ADDRESS: '' });
  }

  async cli(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
    const r = await execa(process.execPath, [CLI, ...args], {
      env: { ...this.env, ...env, TEMPORAL_ADDRESS: '' },
      reject: false,
      stdin: 'ignore',
      // Whole runbooks run under `start --wait` (clawhavoc on a fleet: minutes on a loaded machine);
      // each test's own timeout is the real bound.
      timeout: 900_000,
    });
    const result = { code: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
    this.captured.push(result.stdout, result.stderr);
    return result;
  }

  async client(): Promise<Client> {
    const c = await connectClient(this.config);
    this.clients.push(c);
    return c;
  }

  audit(): AuditEvent[] {
    try {
      return readFileSync(this.config.auditLogPath, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as AuditEvent);
    } catch {
      return [];
    }
  }

  daemonLog(): string {
    try {
      return readFileSync(daemonFiles(this.config).log, 'utf8');
    } catch {
      return '';
    }
  }

  pids() {
    const f = daemonFiles(this.config);
    return { daemon: readPid(f.pid), server: readPid(f.serverPid), worker: readPid(f.workerPid) };
  }

  async waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 60_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = await probe();
      if (v !== undefined && v !== false) return v;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${this.daemonLog().slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  async stop(): Promise<void> {
    // Before anything goes away: every history, log and byte printed, scanned for issued secrets
    // (in test files; the benches reuse sandboxes outside vitest).
    const scan = (globalThis as { respondTestFile?: boolean }).respondTestFile
      ? await scanForSecrets(
          { dir: this.dir, captured: this.captured, auditText: () => JSON.stringify(this.audit()), daemonLog: () => this.daemonLog() },
          this.pids().server ? await this.client().catch(() => undefined) : undefined,
          expect.getState().testPath ?? 'unknown',
        )
      : { hits: [] };
    for (const c of this.clients) await c.connection.close().catch(() => undefined);
    await this.cli(['server', '--stop']);
    await this.waitFor('daemon exit', () => (this.pids().daemon ? undefined : true), 30_000).catch(() => undefined);
    const { server, worker, daemon } = this.pids();
    for (const pid of [server, worker, daemon]) if (pid) process.kill(pid, 'SIGKILL');
    rmSync(this.dir, { recursive: true, force: true });
    if (scan.hits.length > 0) {
      throw new Error(`secret scan: ${scan.hits.length} hit(s): ${scan.hits.slice(0, 5).map((h) => `${h.label} (${h.secret}) in ${h.where}`).join('; ')}`);
    }
  }
}
