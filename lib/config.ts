/**
 * Where respond runs: the embedded default (a dev server on loopback, state under
 * ~/.local/state/respond) or, when TEMPORAL_ADDRESS is set, an existing cluster or Temporal Cloud.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { UserError } from './errors.js';
import { projectRoot } from './project-root.js';
import { codecSettings, type CodecSettings } from './codec/settings.js';

export const TEMPORAL_VERSION = '1.9.1';

export interface EmbeddedSettings {
  port: number;
  uiPort: number;
  dbFile: string;
  temporalBin: string;
}

export interface TlsSettings {
  certPath?: string;
  keyPath?: string;
  caPath?: string;
  serverName?: string;
}

export interface RespondConfig {
  mode: 'embedded' | 'external';
  address: string;
  namespace: string;
  taskQueue: string;
  /** Only for external mode. Never printed. */
  apiKey?: string;
  tls?: TlsSettings;
  stateDir: string;
  auditLogPath: string;
  /** The memory backup repository (worker side) and the git remote it pushes to, if any. */
  memoryBackup: { path: string; remote?: string };
  /** Approvers' SSH keys (git's allowed-signers format), and whether every runbook must use them. */
  approvals: { allowedSigners: string; requireSigned: boolean };
  embedded: EmbeddedSettings;
  /** Payload encryption; keys never sit in the config itself. */
  codec: CodecSettings;
  /** The codec server the embedded daemon runs for the web UI (127.0.0.1 only). */
  codecServerPort: number;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): RespondConfig {
  const stateDir =
    env.RESPOND_STATE_DIR || join(env.XDG_STATE_HOME || join(homedir(), '.local', 'state'), 'respond');
  const port = portFrom(env, 'RESPOND_TEMPORAL_PORT', 7233);
  const embedded: EmbeddedSettings = {
    port,
    uiPort: portFrom(env, 'RESPOND_UI_PORT', 8233),
    dbFile: join(stateDir, 'temporal.sqlite'),
    temporalBin: env.RESPOND_TEMPORAL_BIN || join(projectRoot(), '.tools', `temporal-${TEMPORAL_VERSION}`, 'temporal'),
  };
  const external = Boolean(env.TEMPORAL_ADDRESS);
  const tls: TlsSettings | undefined =
    env.TEMPORAL_TLS_CERT || env.TEMPORAL_TLS_CA || env.TEMPORAL_API_KEY || env.TEMPORAL_TLS === 'true'
      ? {
          certPath: env.TEMPORAL_TLS_CERT,
          keyPath: env.TEMPORAL_TLS_KEY,
          caPath: env.TEMPORAL_TLS_CA,
          serverName: env.TEMPORAL_TLS_SERVER_NAME,
        }
      : undefined;
  if (tls && Boolean(tls.certPath) !== Boolean(tls.keyPath)) {
    throw new UserError('TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY must be set together');
  }
  return {
    mode: external ? 'external' : 'embedded',
    address: external ? env.TEMPORAL_ADDRESS! : `127.0.0.1:${port}`,
    namespace: env.TEMPORAL_NAMESPACE || 'default',
    taskQueue: env.RESPOND_TASK_QUEUE || 'respond',
    apiKey: external ? env.TEMPORAL_API_KEY || undefined : undefined,
    tls: external ? tls : undefined,
    stateDir,
    auditLogPath: env.RESPOND_AUDIT_LOG || join(stateDir, 'audit.jsonl'),
    memoryBackup: {
      path: env.RESPOND_MEMORY_BACKUP || join(stateDir, 'memory-backup'),
      ...(env.RESPOND_MEMORY_BACKUP_REMOTE ? { remote: env.RESPOND_MEMORY_BACKUP_REMOTE } : {}),
    },
    approvals: {
      allowedSigners: env.RESPOND_ALLOWED_SIGNERS || join(stateDir, 'allowed_signers'),
      requireSigned: flagFrom(env, 'RESPOND_SIGNED_APPROVALS'),
    },
    embedded,
    codec: codecSettings(env, stateDir, external),
    codecServerPort: portFrom(env, 'RESPOND_CODEC_SERVER_PORT', 8234),
  };
}

function flagFrom(env: NodeJS.ProcessEnv, name: string): boolean {
  const text = (env[name] ?? '').toLowerCase();
  if (text === '' || text === '0' || text === 'false' || text === 'no') return false;
  if (text === '1' || text === 'true' || text === 'yes') return true;
  throw new UserError(`${name}=${env[name]}: expected true or false`);
}

export function uiUrl(config: RespondConfig, workflowId?: string): string | undefined {
  if (config.mode !== 'embedded') return undefined;
  const base = `http://127.0.0.1:${config.embedded.uiPort}/namespaces/${config.namespace}/workflows`;
  return workflowId ? `${base}/${encodeURIComponent(workflowId)}` : base;
}

function portFrom(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new UserError(`${name}=${text}: not a TCP port`);
  return n;
}
