/** What every transport offers; activities only ever see this. */
export interface RunOptions {
  timeoutMs: number;
  env?: Record<string, string>;
  stdin?: string;
  cwd?: string;
  /** Heartbeat while the command runs, for commands that may take minutes (installs). */
  heartbeat?: boolean;
}

export interface RunResult {
  exitCode: number;
  /** Redacted: every secret the transport was told about is replaced by its fingerprint. */
  stdout: string;
  stderr: string;
  timedOut: boolean;
  durationMs: number;
}

export interface Transport {
  readonly description: string;
  run(cmd: string, args: readonly string[], opts: RunOptions): Promise<RunResult>;
  /** Raw content (it may hold secrets: callers redact), or null when the file does not exist. */
  readFile(path: string): Promise<string | null>;
  /** Atomic (temp file + rename), creating parent directories. */
  writeFile(path: string, content: string, opts?: { mode?: number }): Promise<void>;
  upload(localPath: string, remotePath: string, opts?: { mode?: number }): Promise<void>;
  /** A worker-local 127.0.0.1 port that reaches `remotePort` on the host's loopback. */
  forwardPort(remotePort: number): Promise<{ localPort: number; close(): Promise<void> }>;
  /** Values to scrub from every output this transport returns from now on. */
  addSecrets(values: readonly string[]): void;
  /** Scrubs text this transport did not produce (e.g. a probe's error) with the same secrets. */
  redact(text: string): string;
  close(): Promise<void>;
}

export type TransportFailureKind = 'unreachable' | 'host-key' | 'auth' | 'timeout' | 'transport';

/** The host could not be reached or trusted; `kind` lets the retry policy tell them apart. */
export class TransportError extends Error {
  constructor(
    readonly kind: TransportFailureKind,
    message: string,
  ) {
    super(message);
    this.name = 'TransportError';
  }
}

export function shQuote(s: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
