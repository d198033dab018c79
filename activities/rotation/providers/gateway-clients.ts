/**
 * Machines whose OpenClaw is a remote client of a rotated gateway (inventory `clientOf`) read its
 * token from their own `gateway.remote.token` (or password). The gateway's cut-over carries them
 * along: written right after the gateway's own value, proven by each client's own CLI reaching the
 * gateway, and put back with the gateway's old value if any of them cannot be reached, so no
 * client is left with a token the gateway refuses while the run reports success.
 */
import { UserError } from '../../../lib/errors.js';
import type { HostSpec } from '../../../lib/inventory/schema.js';
import { createTransport } from '../../hosts/transports/index.js';
import { getPath } from '../../openclaw/config.js';
import { gatewaySettings, openOpenclawHost, runOpenclaw, type OpenclawHost } from '../../openclaw/host.js';
import type { ProofResult, RotationProvider } from './types.js';

export function remoteClientsOf(spec: HostSpec): HostSpec[] {
  return (spec.remoteClients ?? []) as unknown as HostSpec[];
}

async function onClient<T>(spec: HostSpec, secrets: string[], fn: (h: OpenclawHost) => Promise<T>): Promise<T> {
  const h = await openOpenclawHost(spec, createTransport(spec));
  h.t.addSecrets(secrets);
  try {
    return await fn(h);
  } finally {
    await h.t.close();
  }
}

/** The client's current remote value, then the new one written in place (JSON) or by its CLI (JSON5). */
async function writeRemote(h: OpenclawHost, field: 'token' | 'password', value: string): Promise<string | undefined> {
  const text = await h.t.readFile(h.configPath);
  if (text === null) throw new UserError(`client ${h.spec.name}: no OpenClaw config at ${h.configPath}`);
  const before = getPath(h.rawConfig, ['gateway', 'remote', field]);
  if (before !== undefined && typeof before !== 'string') {
    throw new UserError(`client ${h.spec.name}: gateway.remote.${field} in ${h.configPath} is a SecretRef; rotate it in its store`);
  }
  let cfg: Record<string, any> | undefined;
  try {
    cfg = JSON.parse(text) as Record<string, any>;
  } catch {
    cfg = undefined;
  }
  if (cfg && typeof cfg.gateway?.remote === 'object' && cfg.gateway.remote !== null) {
    cfg.gateway.remote[field] = value;
    await h.t.writeFile(h.configPath, JSON.stringify(cfg, null, 2) + '\n', { mode: 0o600 });
  } else {
    const r = await runOpenclaw(h, ['config', 'patch', '--stdin'], { timeoutMs: 120_000, stdin: JSON.stringify({ gateway: { remote: { [field]: value } } }) });
    if (r.exitCode !== 0) throw new Error(`client ${h.spec.name}: openclaw config could not set gateway.remote.${field} (exit ${r.exitCode}): ${h.t.redact(r.stderr.trim().split('\n').at(-1) ?? '')}`);
  }
  return before;
}

/** The gateway provider, carrying its remote clients along at install and proving them at test. */
export function withRemoteClients(p: RotationProvider<null>): RotationProvider<null> {
  return {
    ...p,
    async install(h, c, v) {
      const clients = remoteClientsOf(h.spec);
      const before = clients.length ? await p.current(h, c) : undefined;
      await p.install(h, c, v);
      const field = gatewaySettings(h).authMode === 'password' ? 'password' : 'token';
      const done: Array<{ spec: HostSpec; was: string | undefined }> = [];
      for (const spec of clients) {
        try {
          done.push({ spec, was: await onClient(spec, [v.value, before!.value], (ch) => writeRemote(ch, field, v.value)) });
        } catch (e) {
          // Back to where it was everywhere: the gateway and every client already switched.
          await p.install(h, c, before!);
          for (const d of done) await onClient(d.spec, [v.value, before!.value], (ch) => writeRemote(ch, field, d.was ?? before!.value));
          throw new UserError(`client ${spec.name} of ${h.spec.name} could not take the new token (${(e as Error).message.split('\n')[0]}); the old token was put back on the gateway and its clients`);
        }
      }
    },
    async test(h, c, next, old): Promise<ProofResult> {
      const own = await p.test(h, c, next, old);
      if (!own.ok) return own;
      const reached: string[] = [];
      for (const spec of remoteClientsOf(h.spec)) {
        const r = await onClient(spec, [next.value, old.value], (ch) => runOpenclaw(ch, ['gateway', 'call', 'health', '--json'], { timeoutMs: 60_000 }));
        if (r.exitCode !== 0) return { ok: false, detail: `${own.detail}; client ${spec.name} does not reach the gateway with its token: ${r.stderr.trim().split('\n').at(-1) ?? `exit ${r.exitCode}`}` };
        reached.push(spec.name);
      }
      return reached.length ? { ok: true, detail: `${own.detail}; clients ${reached.join(', ')} reach it with the new token (openclaw gateway call health)` } : own;
    },
  };
}

