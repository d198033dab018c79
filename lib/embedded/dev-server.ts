/** The official Temporal dev server: SQLite file, web UI, every listener on 127.0.0.1. */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createConnection } from 'node:net';
import { dirname } from 'node:path';
import { UserError } from '../errors.js';
import type { EmbeddedSettings } from '../config.js';
import { SEARCH_ATTRIBUTES } from '../search-attributes.js';

export const LOOPBACK = '127.0.0.1';

export function devServerArgs(s: EmbeddedSettings, namespace: string, codecEndpoint?: string): string[] {
  return [
    'server',
    'start-dev',
    '--ip', LOOPBACK,
    '--ui-ip', LOOPBACK,
    '--port', String(s.port),
    '--ui-port', String(s.uiPort),
    '--db-filename', s.dbFile,
    // WAL with synchronous=NORMAL survives any process crash (the server's or the worker's) and is
    // several times faster than the default rollback journal on one SQLite writer; a power cut may
    // lose the last transactions, never corrupt the file.
    '--sqlite-pragma', 'journal_mode=wal',
    '--sqlite-pragma', 'synchronous=normal',
    '--namespace', namespace,
    '--log-level', 'warn',
    // The UI asks this endpoint to decode payloads; it answers only requests carrying the token.
    ...(codecEndpoint ? ['--ui-codec-endpoint', codecEndpoint] : []),
    ...Object.entries(SEARCH_ATTRIBUTES).flatMap(([name, type]) => ['--search-attribute', `${name}=${type}`]),
  ];
}

export function requireTemporalBinary(s: EmbeddedSettings): void {
  if (!existsSync(s.temporalBin)) {
    throw new UserError(`temporal binary not found at ${s.temporalBin}: run "npm run setup" (or set RESPOND_TEMPORAL_BIN)`, 5);
  }
}

export function spawnDevServer(
  s: EmbeddedSettings,
  namespace: string,
  stdio: 'inherit' | 'ignore' | number = 'inherit',
  codecEndpoint?: string,
): ChildProcess {
  requireTemporalBinary(s);
  mkdirSync(dirname(s.dbFile), { recursive: true, mode: 0o700 });
  return spawn(s.temporalBin, devServerArgs(s, namespace, codecEndpoint), { stdio: ['ignore', stdio, stdio] });
}

export function portAccepts(port: number, host = LOOPBACK, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export async function waitForPort(port: number, timeoutMs: number, child?: ChildProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null) throw new Error(`temporal dev server exited with ${child.exitCode}`);
    if (await portAccepts(port)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`temporal dev server did not accept connections on ${LOOPBACK}:${port} within ${timeoutMs} ms`);
}
