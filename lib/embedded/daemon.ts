/**
 * The embedded default: one supervisor process keeps a dev server and a worker alive in the
 * background between CLI commands, because a runbook may wait hours for an approval after the
 * terminal that started it is closed. Children that die are restarted.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RespondConfig } from '../config.js';
import { UserError } from '../errors.js';
import { codecEndpoint, serveCodec } from '../codec/serve.js';
import type { Server } from 'node:http';
import { portAccepts, requireTemporalBinary, spawnDevServer, waitForPort } from './dev-server.js';

export interface DaemonFiles {
  pid: string;
  workerPid: string;
  serverPid: string;
  log: string;
}

export function daemonFiles(config: RespondConfig): DaemonFiles {
  return {
    pid: join(config.stateDir, 'daemon.pid'),
    workerPid: join(config.stateDir, 'worker.pid'),
    serverPid: join(config.stateDir, 'server.pid'),
    log: join(config.stateDir, 'daemon.log'),
  };
}

export function readPid(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    if (!Number.isInteger(pid) || pid <= 0) return undefined;
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}

/**
 * Runs in the foreground (`respond server`): the dev server, then a worker child, each restarted
 * with backoff when it dies, until SIGINT/SIGTERM.
 */
export async function superviseEmbedded(config: RespondConfig, cliEntry: string, log: (line: string) => void): Promise<void> {
  requireTemporalBinary(config.embedded);
  const files = daemonFiles(config);
  mkdirSync(config.stateDir, { recursive: true, mode: 0o700 });
  const running = readPid(files.pid);
  if (running && running !== process.pid) throw new UserError(`respond server already runs (pid ${running})`, 5);
  if (await portAccepts(config.embedded.port)) {
    throw new UserError(`port 127.0.0.1:${config.embedded.port} is already in use (set RESPOND_TEMPORAL_PORT)`, 5);
  }
  writeFileSync(files.pid, String(process.pid));

  let stopping = false;
  let server: ChildProcess | undefined;
  let worker: ChildProcess | undefined;
  const keepAlive = (name: string, start: () => ChildProcess, pidFile: string, set: (c: ChildProcess) => void) => {
    let restarts = 0;
    const launch = () => {
      const child = start();
      set(child);
      if (child.pid) writeFileSync(pidFile, String(child.pid));
      log(`${name} started (pid ${child.pid})`);
      const startedAt = Date.now();
      child.once('exit', (code, signal) => {
        rmSync(pidFile, { force: true });
        if (stopping) return;
        // A child that ran a while earns a fresh backoff; one that dies at once backs off to 30 s.
        restarts = Date.now() - startedAt > 60_000 ? 0 : restarts + 1;
        const delay = Math.min(30_000, 500 * 2 ** restarts);
        log(`${name} exited (${signal ?? code}); restarting in ${delay} ms`);
        setTimeout(() => !stopping && launch(), delay);
      });
    };
    launch();
  };

  // A busy codec port must not keep runbooks from running: the UI then shows payloads encrypted.
  let codecServer: Server | undefined;
  if (config.codec.mode !== 'off') {
    try {
      codecServer = await serveCodec(config, config.codecServerPort, log);
      log(`codec server on ${codecEndpoint(config)}`);
    } catch (err) {
      log(`codec server not started: ${(err as Error).message}`);
    }
  }
  const uiCodec = codecServer ? codecEndpoint(config) : undefined;
  keepAlive('temporal dev server', () => spawnDevServer(config.embedded, config.namespace, 'inherit', uiCodec), files.serverPid, (c) => (server = c));
  await waitForPort(config.embedded.port, 30_000, server);
  log(`temporal dev server ready on 127.0.0.1:${config.embedded.port}, UI http://127.0.0.1:${config.embedded.uiPort}`);
  keepAlive(
    'worker',
    () => spawn(process.execPath, [cliEntry, 'worker'], { stdio: 'inherit', env: process.env }),
    files.workerPid,
    (c) => (worker = c),
  );

  await new Promise<void>((resolve) => {
    const stop = () => {
      if (stopping) return;
      stopping = true;
      log('stopping');
      codecServer?.close();
      const children = [worker, server].filter((c): c is ChildProcess => !!c && c.exitCode === null && c.signalCode === null);
      if (children.length === 0) return resolve();
      let left = children.length;
      for (const c of children) {
        c.once('exit', () => --left === 0 && resolve());
        c.kill('SIGTERM');
      }
      setTimeout(() => children.forEach((c) => c.kill('SIGKILL')), 15_000).unref();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  rmSync(files.pid, { force: true });
}

/** Starts the supervisor in the background unless it (or another server on the port) is up. */
export async function ensureEmbedded(config: RespondConfig, cliEntry: string, note: (line: string) => void): Promise<void> {
  if (config.mode !== 'embedded') return;
  const files = daemonFiles(config);
  if (readPid(files.pid) && (await portAccepts(config.embedded.port))) return;
  if (!readPid(files.pid)) {
    if (await portAccepts(config.embedded.port)) {
      // Someone else's server (e.g. `temporal server start-dev`): use it; a worker must be run separately.
      return;
    }
    requireTemporalBinary(config.embedded);
    mkdirSync(config.stateDir, { recursive: true, mode: 0o700 });
    const out = openSync(files.log, 'a', 0o600);
    const child = spawn(process.execPath, [cliEntry, 'server'], {
      detached: true,
      stdio: ['ignore', out, out],
      env: process.env,
    });
    child.unref();
    closeSync(out);
    note(`starting the embedded Temporal server on 127.0.0.1:${config.embedded.port} (log: ${files.log})`);
  }
  await waitForPort(config.embedded.port, 30_000);
}

export function stopDaemon(config: RespondConfig): number | undefined {
  const pid = readPid(daemonFiles(config).pid);
  if (pid) process.kill(pid, 'SIGTERM');
  return pid;
}
