/**
 * The gateway token (or password) of one OpenClaw host. The gateway holds one value, so there is
 * no overlap: installing the new value is the cut-over, and the gateway applies it live (hot
 * reload on 2026.9.x, an in-process restart on 2026.1.x). Proof is the real WebSocket handshake
 * plus the HTTP bearer check of `/tools/invoke`, both through the host's transport.
 */
import { randomBytes } from 'node:crypto';
import { UserError } from '../../../lib/errors.js';
import { compareVersions, isOpenclawVersion } from '../../../lib/openclaw-version.js';
import { getPath } from '../../openclaw/config.js';
import { revokeDeviceTokensBefore } from '../../openclaw/devices.js';
import { probeHostGateway } from '../../openclaw/gateway-process.js';
import { gatewaySettings, runOpenclaw, type OpenclawHost } from '../../openclaw/host.js';
import { heartbeatIfInActivity } from '../../hosts/heartbeat.js';
import { cellCliHost, cellToken, isFleetCell, recreateWithNewToken, recreateWithToken } from './openclaw-fleet-cell.js';
import type { ProofResult, RotationProvider } from './types.js';

/** `config patch --stdin` keeps the value off the host's process list; older versions only have `config set`. */
const PATCH_STDIN_SINCE = '2026.9.6';
const LIVE_WAIT_MS = 30_000;

/** The field the gateway checks, as the rest of respond reads the auth mode. */
function authField(h: OpenclawHost): 'token' | 'password' {
  return gatewaySettings(h).authMode === 'password' ? 'password' : 'token';
}

async function httpStatus(h: OpenclawHost, bearer: string): Promise<number | null> {
  const fwd = await h.t.forwardPort(h.spec.gatewayPort);
  try {
    const r = await fetch(`http://127.0.0.1:${fwd.localPort}/tools/invoke`, {
      method: 'POST',
      headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
      body: '{}',
      signal: AbortSignal.timeout(10_000),
    });
    await r.body?.cancel();
    return r.status;
  } catch {
    return null;
  } finally {
    await fwd.close();
  }
}

/** Polls until `want` holds or the wait ends; the gateway takes a moment to reload. */
async function until(want: () => Promise<ProofResult>, ms = LIVE_WAIT_MS): Promise<ProofResult> {
  const deadline = Date.now() + ms;
  let last = await want();
  while (!last.ok && Date.now() < deadline) {
    heartbeatIfInActivity({ waiting: 'gateway reload' });
    await new Promise((r) => setTimeout(r, 300));
    last = await want();
  }
  return last;
}

/**
 * A plain-JSON config is rewritten in place (atomically, 0600): no CLI start-up of several
 * seconds before the cut-over, the value never on a command line, and no new `.bak` copy of the
 * old token. A JSON5 file (comments, trailing commas) goes through `openclaw config`, which
 * understands it. Returns false when the CLI must do it.
 */
async function writeDirectly(h: OpenclawHost, field: 'token' | 'password', value: string): Promise<boolean> {
  const text = await h.t.readFile(h.configPath);
  if (text === null) return false;
  let cfg: Record<string, any>;
  try {
    cfg = JSON.parse(text) as Record<string, any>;
  } catch {
    return false;
  }
  if (typeof cfg.gateway?.auth !== 'object' || cfg.gateway.auth === null) return false;
  cfg.gateway.auth[field] = value;
  await h.t.writeFile(h.configPath, JSON.stringify(cfg, null, 2) + '\n', { mode: 0o600 });
  return true;
}

export const openclawGateway: RotationProvider<null> = {
  name: 'openclaw-gateway',
  overlapKind: 'cut-over',
  async current(h) {
    // An `openclaw fleet` cell keeps its token in the container environment only.
    if (isFleetCell(h)) return cellToken(h);
    const field = authField(h);
    const v = getPath(h.rawConfig, ['gateway', 'auth', field]);
    if (v && typeof v === 'object') {
      throw new UserError(`host ${h.spec.name}: gateway.auth.${field} in ${h.configPath} is a SecretRef; rotate the value in its store, then run \`openclaw secrets reload\``);
    }
    if (typeof v === 'string' && v.startsWith('${')) {
      throw new UserError(`host ${h.spec.name}: gateway.auth.${field} in ${h.configPath} comes from the variable ${v}; change it where that variable is set`);
    }
    if (typeof v !== 'string' || v === '') {
      throw new UserError(`host ${h.spec.name}: no gateway.auth.${field} in ${h.configPath} to rotate (a token from the environment only is not supported yet)`);
    }
    h.t.addSecrets([v]);
    return { value: v };
  },
  async issue() {
    return { value: randomBytes(32).toString('base64url') };
  },
  // A fleet cell's container is recreated by the fleet, which generates the token.
  async generatesOnInstall(h) {
    return isFleetCell(h) ? 'openclaw fleet create (the cell container is recreated; state and port kept)' : undefined;
  },
  installGenerated: (h, _c, old) => recreateWithNewToken(h, old),
  async install(h, _c, { value }) {
    h.t.addSecrets([value]);
    if (isFleetCell(h)) return recreateWithToken(h, { value });
    const field = authField(h);
    if (await writeDirectly(h, field, value)) return;
    const version = h.pkg?.version;
    const r =
      version && isOpenclawVersion(version) && compareVersions(version, PATCH_STDIN_SINCE) >= 0
        ? await runOpenclaw(h, ['config', 'patch', '--stdin'], { timeoutMs: 120_000, stdin: JSON.stringify({ gateway: { auth: { [field]: value } } }) })
        : await runOpenclaw(h, ['config', 'set', `gateway.auth.${field}`, value], { timeoutMs: 120_000 });
    if (r.exitCode !== 0) {
      throw new Error(`host ${h.spec.name}: openclaw config could not set gateway.auth.${field} (exit ${r.exitCode}): ${(r.stderr || r.stdout).trim().split('\n').slice(-2).join(' ')}`);
    }
  },
  async test(h, _c, { value: next }, { value: old }) {
    return until(async () => {
      const [n, o] = [await probeHostGateway(h, next, 5_000), await probeHostGateway(h, old, 5_000)];
      const ok = n.token === 'accepted' && o.token === 'rejected';
      return { ok, detail: `new ${n.token}, old ${o.token} over the WebSocket handshake${ok ? '' : ` (${h.t.redact(n.detail ?? o.detail ?? '')})`}` };
    });
  },
  // The cut-over already ended the old value: revoke is the proof, after any restart the step did.
  async revoke(h, _c, { value: old }) {
    return until(async () => {
      const ws = await probeHostGateway(h, old, 5_000);
      const http = await httpStatus(h, old);
      const ok = ws.token === 'rejected' && (http === 401 || http === 403);
      return { ok, detail: `old value: WebSocket ${ws.token}, HTTP /tools/invoke ${http ?? 'no answer'}` };
    });
  },
  // A stolen device token outlives the gateway token; devices paired after the cut-over used the new one.
  // A cell's devices are listed and revoked by the cell's own CLI, which reaches its gateway.
  revokeIssuedUnder: async (h, _c, cutoverMs) => revokeDeviceTokensBefore(isFleetCell(h) ? await cellCliHost(h) : h, cutoverMs),
  // Nothing to remove: a gateway token exists nowhere until it is installed.
  async discard() {},
};
