/**
 * A host reached through the system OpenSSH client. One authenticated master connection per
 * host (ControlMaster, kept alive by ControlPersist) carries every command, file transfer and
 * port forward, so a runbook pays one handshake per host rather than one per command.
 */
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { sha256Hex } from '../../../lib/secrets.js';
import type { SshTransport as SshSpec } from '../../../lib/inventory/schema.js';
import { heartbeatIfInActivity } from '../heartbeat.js';
import { Redactor } from './redactor.js';
import { shQuote, TransportError, type RunOptions, type RunResult, type Transport } from './types.js';

const HEARTBEAT_EVERY_MS = 5_000;
/** Remote `timeout` fires first; this local margin only catches a wedged ssh client. */
const LOCAL_TIMEOUT_MARGIN_MS = 15_000;

export interface SshOptions {
  /** Where control sockets live: must be short (unix socket paths are limited to ~100 bytes). */
  controlDir?: string;
  controlPersistSec?: number;
  ssh?: string;
}

// Shared by every transport in this worker process so concurrent activities on one host
// wait for the same master instead of each opening their own.
const mastersStarting = new Map<string, Promise<void>>();

export class SshTransport implements Transport {
  readonly description: string;
  private readonly redactor = new Redactor();
  private readonly controlPath: string;
  private readonly controlDir: string;
  private readonly ssh: string;
  private readonly persistSec: number;

  constructor(
    private readonly spec: SshSpec,
    private readonly baseEnv: Record<string, string> = {},
    opts: SshOptions = {},
  ) {
    this.description = `ssh ${spec.user}@${spec.host}:${spec.port}`;
    this.controlDir = opts.controlDir ?? join(tmpdir(), `respond-ssh-${process.getuid?.() ?? 'u'}`);
    // The proxy is part of the identity: one name behind two bastions is two hosts.
    const proxy = spec.proxyCommand ? `|${spec.proxyCommand}` : '';
    const id = sha256Hex(`${spec.user}@${spec.host}:${spec.port}|${spec.identityFile}|${spec.knownHostsFile}${proxy}`).slice(0, 16);
    this.controlPath = join(this.controlDir, id);
    this.ssh = opts.ssh ?? 'ssh';
    this.persistSec = opts.controlPersistSec ?? 300;
  }

  private baseArgs(): string[] {
    const s = this.spec;
    const strict = s.strictHostKeyChecking
      ? ['-o', 'StrictHostKeyChecking=yes', '-o', `UserKnownHostsFile=${s.knownHostsFile}`]
      : ['-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null'];
    return [
      // The inventory is the whole truth about a host: no ~/.ssh/config surprises.
      '-F', 'none',
      '-o', 'BatchMode=yes',
      ...strict,
      '-o', 'GlobalKnownHostsFile=/dev/null',
      '-o', 'IdentitiesOnly=yes',
      '-i', s.identityFile,
      '-p', String(s.port),
      '-l', s.user,
      '-o', `ConnectTimeout=${s.connectTimeoutSec}`,
      '-o', 'ServerAliveInterval=5',
      '-o', 'ServerAliveCountMax=3',
      '-o', `ControlPath=${this.controlPath}`,
      // Only the master runs it; every later command rides the master's socket.
      ...(s.proxyCommand ? ['-o', `ProxyCommand=${s.proxyCommand}`] : []),
    ];
  }

  /** Starts the master if none is alive. Output goes to a log file, never a pipe: a backgrounded master would hold a pipe open forever. */
  private async ensureMaster(): Promise<void> {
    const check = await execa(this.ssh, [...this.baseArgs(), '-O', 'check', this.spec.host], {
      reject: false,
      timeout: 10_000,
    });
    if (check.exitCode === 0) return;
    let starting = mastersStarting.get(this.controlPath);
    if (!starting) {
      starting = this.startMaster().finally(() => mastersStarting.delete(this.controlPath));
      mastersStarting.set(this.controlPath, starting);
    }
    await starting;
  }

  private async startMaster(): Promise<void> {
    mkdirSync(this.controlDir, { recursive: true, mode: 0o700 });
    const log = `${this.controlPath}.log`;
    rmSync(log, { force: true });
    // `-O check` just failed, so a socket file here is left by a dead master; ssh would refuse
    // to bind over it and silently fall back to one handshake per command.
    rmSync(this.controlPath, { force: true });
    const r = await execa(
      this.ssh,
      [
        ...this.baseArgs(),
        '-o', 'ControlMaster=yes',
        '-o', `ControlPersist=${this.persistSec}`,
        '-E', log,
        '-N', '-f',
        this.spec.host,
      ],
      { reject: false, stdio: 'ignore', timeout: this.spec.connectTimeoutSec * 1000 + 10_000 },
    );
    if (r.exitCode === 0 && !r.timedOut) return;
    let detail = '';
    try {
      detail = readFileSync(log, 'utf8');
    } catch {
      // No log: the client died before writing one.
    }
    if (r.timedOut) detail = `${detail}\nconnection attempt timed out`;
    throw classify(this.description, detail, this.spec);
  }

  async run(cmd: string, args: readonly string[], opts: RunOptions): Promise<RunResult> {
    await this.ensureMaster();
    const started = Date.now();
    const env = { ...this.baseEnv, ...opts.env };
    const timeoutSec = Math.max(1, Math.ceil(opts.timeoutMs / 1000));
    const remote = [
      opts.cwd ? `cd ${shQuote(opts.cwd)} &&` : '',
      'exec env',
      ...Object.entries(env).map(([k, v]) => shQuote(`${k}=${v}`)),
      // The remote side enforces the timeout too, so a killed client never leaves a command running.
      `timeout -k 5 ${timeoutSec}`,
      shQuote(cmd),
      ...args.map(shQuote),
    ]
      .filter(Boolean)
      .join(' ');
    const beat = opts.heartbeat ? setInterval(() => heartbeatIfInActivity(), HEARTBEAT_EVERY_MS) : undefined;
    try {
      const r = await execa(this.ssh, [...this.baseArgs(), '-o', 'ControlMaster=no', '-T', this.spec.host, '--', remote], {
        input: opts.stdin ?? '',
        timeout: opts.timeoutMs + LOCAL_TIMEOUT_MARGIN_MS,
        forceKillAfterDelay: 2_000,
        reject: false,
        stripFinalNewline: false,
      });
      const stderr = String(r.stderr ?? '');
      if (r.exitCode === 255 && isSshFailure(stderr)) throw classify(this.description, stderr, this.spec);
      const exitCode = r.exitCode ?? 124;
      return {
        exitCode,
        stdout: this.redactor.redact(String(r.stdout ?? '')),
        stderr: this.redactor.redact(stderr),
        timedOut: Boolean(r.timedOut) || exitCode === 124,
        durationMs: Date.now() - started,
      };
    } finally {
      if (beat) clearInterval(beat);
    }
  }

  async readFile(path: string): Promise<string | null> {
    const r = await this.rawRun(['sh', '-c', 'test -e "$1" || exit 44; exec cat -- "$1"', 'sh', path], {});
    if (r.exitCode === 44) return null;
    if (r.exitCode !== 0) throw new Error(`${this.description}: cannot read ${path}: ${this.redactor.redact(r.stderr).trim()}`);
    return r.stdout;
  }

  async writeFile(path: string, content: string, opts: { mode?: number } = {}): Promise<void> {
    await this.putStream(path, { input: content }, opts.mode);
  }

  async upload(localPath: string, remotePath: string, opts: { mode?: number } = {}): Promise<void> {
    await this.putStream(remotePath, { inputFile: localPath }, opts.mode);
  }

  private async putStream(path: string, input: { input?: string; inputFile?: string }, mode = 0o600): Promise<void> {
    const script =
      'umask 077; mkdir -p "$(dirname "$1")" && t="$1.respond-tmp.$$" && cat > "$t" && chmod "$2" "$t" && mv -f "$t" "$1"';
    const r = await this.rawRun(['sh', '-c', script, 'sh', path, mode.toString(8)], input);
    if (r.exitCode !== 0) throw new Error(`${this.description}: cannot write ${path}: ${this.redactor.redact(r.stderr).trim()}`);
  }

  /** File plumbing: no env, stdout kept raw for the caller (readFile) to parse. */
  private async rawRun(argv: string[], input: { input?: string; inputFile?: string }) {
    await this.ensureMaster();
    const r = await execa(
      this.ssh,
      [...this.baseArgs(), '-o', 'ControlMaster=no', '-T', this.spec.host, '--', argv.map(shQuote).join(' ')],
      { ...input, ...(input.input === undefined && input.inputFile === undefined ? { input: '' } : {}), timeout: 120_000, reject: false, stripFinalNewline: false },
    );
    const stderr = String(r.stderr ?? '');
    if (r.exitCode === 255 && isSshFailure(stderr)) throw classify(this.description, stderr, this.spec);
    return { exitCode: r.exitCode ?? 124, stdout: String(r.stdout ?? ''), stderr };
  }

  async forwardPort(remotePort: number) {
    await this.ensureMaster();
    const localPort = await freeLoopbackPort();
    const spec = `127.0.0.1:${localPort}:127.0.0.1:${remotePort}`;
    const fwd = await execa(this.ssh, [...this.baseArgs(), '-O', 'forward', '-L', spec, this.spec.host], {
      reject: false,
      timeout: 10_000,
    });
    if (fwd.exitCode !== 0) {
      throw new TransportError('transport', `${this.description}: port forward to ${remotePort} failed: ${String(fwd.stderr).trim()}`);
    }
    return {
      localPort,
      close: async () => {
        await execa(this.ssh, [...this.baseArgs(), '-O', 'cancel', '-L', spec, this.spec.host], { reject: false, timeout: 10_000 });
      },
    };
  }

  addSecrets(values: readonly string[]): void {
    this.redactor.add(values);
  }

  redact(text: string): string {
    return this.redactor.redact(text);
  }

  /** Ends the master now instead of at ControlPersist expiry. */
  async close(): Promise<void> {
    await execa(this.ssh, [...this.baseArgs(), '-O', 'exit', this.spec.host], { reject: false, timeout: 10_000 });
  }
}

function isSshFailure(stderr: string): boolean {
  return /Host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED|Connection refused|Connection timed out|No route to host|Could not resolve hostname|Permission denied|Connection closed by|kex_exchange_identification|banner exchange/i.test(
    stderr,
  );
}

function classify(who: string, detail: string, spec: SshSpec): TransportError {
  const last = detail.trim().split('\n').filter(Boolean).pop() ?? 'ssh failed';
  if (/REMOTE HOST IDENTIFICATION HAS CHANGED|Host key verification failed|host key .* (?:differs|mismatch)/i.test(detail)) {
    const changed = /HAS CHANGED/.test(detail);
    return new TransportError(
      'host-key',
      `${who}: host key ${changed ? 'does not match' : 'is not in'} ${spec.knownHostsFile} (refusing to connect)`,
    );
  }
  if (/Permission denied/i.test(detail)) {
    return new TransportError('auth', `${who}: authentication failed with ${spec.identityFile}`);
  }
  if (/timed out/i.test(detail)) return new TransportError('unreachable', `${who}: unreachable (connection timed out)`);
  if (/Connection refused|No route to host|Could not resolve hostname|Network is unreachable|Connection closed by|kex_exchange_identification/i.test(detail)) {
    return new TransportError('unreachable', `${who}: unreachable (${last.replace(/^ssh: /, '')})`);
  }
  return new TransportError('transport', `${who}: ${last}`);
}

function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}
