/**
 * Paired devices and their tokens, through the host's own `openclaw devices` CLI (both releases
 * respond targets have `list --json` and `revoke --device --role`). A device token is a
 * credential of its own: it outlives a change of the gateway token, so a rotation must end every
 * device token issued while the old gateway token was in force.
 */
import { z } from 'zod';
import { runOpenclaw, type OpenclawHost } from './host.js';

const tokenSchema = z
  .object({ role: z.string(), createdAtMs: z.number().optional(), rotatedAtMs: z.number().optional(), revokedAtMs: z.number().optional() })
  .passthrough();
const deviceSchema = z
  .object({
    deviceId: z.string(),
    clientId: z.string().optional(),
    displayName: z.string().optional(),
    role: z.string().optional(),
    roles: z.array(z.string()).optional(),
    tokens: z.array(tokenSchema).optional(),
  })
  .passthrough();
const listSchema = z.object({ paired: z.array(deviceSchema).default([]), pending: z.array(z.unknown()).default([]) }).passthrough();

export interface DeviceToken {
  deviceId: string;
  /** What the operator recognises: the client's name or id, never a token. */
  label: string;
  role: string;
  /** When the gateway last minted this token (a rotation re-mints it); unknown on some releases. */
  issuedAtMs?: number;
}

/** Live (not revoked) device tokens, one per device and role. */
export async function listDeviceTokens(h: OpenclawHost): Promise<DeviceToken[]> {
  const r = await runOpenclaw(h, ['devices', 'list', '--json'], { timeoutMs: 60_000 });
  const start = r.stdout.indexOf('{');
  if (r.exitCode !== 0 || start < 0) {
    throw new Error(`host ${h.spec.name}: openclaw devices list failed (exit ${r.exitCode}): ${h.t.redact(oneLine(r.stderr || r.stdout))}`);
  }
  const list = listSchema.parse(JSON.parse(r.stdout.slice(start)));
  return list.paired.flatMap((d) => {
    const label = d.displayName ?? d.clientId ?? d.deviceId.slice(0, 12);
    const tokens: z.infer<typeof tokenSchema>[] = d.tokens ?? (d.roles ?? (d.role ? [d.role] : [])).map((role) => ({ role }));
    return tokens
      .filter((t) => t.revokedAtMs === undefined)
      .map((t) => {
        const issued = t.rotatedAtMs ?? t.createdAtMs;
        return { deviceId: d.deviceId, label, role: t.role, ...(issued !== undefined ? { issuedAtMs: issued } : {}) };
      });
  });
}

export async function revokeDeviceToken(h: OpenclawHost, t: DeviceToken): Promise<void> {
  const r = await runOpenclaw(h, ['devices', 'revoke', '--device', t.deviceId, '--role', t.role, '--json'], { timeoutMs: 60_000 });
  if (r.exitCode !== 0) {
    throw new Error(`host ${h.spec.name}: openclaw devices revoke --device ${t.deviceId.slice(0, 12)} --role ${t.role} failed (exit ${r.exitCode}): ${h.t.redact(oneLine(r.stderr || r.stdout))}`);
  }
}

/**
 * The device id of the host's own CLI, which older releases pair on first use: revoked last,
 * because the CLI that revokes the others authenticates with it. Read from the token cache, not
 * the identity file that holds the private key.
 */
export async function ownDeviceId(h: OpenclawHost): Promise<string | undefined> {
  const text = await h.t.readFile(`${h.stateDir}/identity/device-auth.json`);
  if (!text) return undefined;
  try {
    const id = (JSON.parse(text) as { deviceId?: unknown }).deviceId;
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim().slice(-300);
}

export interface DeviceRevocation {
  ok: boolean;
  /** `label (role)` of each token ended, for the record; never a token. */
  revoked: string[];
  detail: string;
}

/**
 * Ends every device token minted before `cutoverMs` (tokens the old gateway token could have
 * obtained), the host's own CLI last, and proves none is left. Idempotent: a retry lists again
 * and revokes only what is still live.
 */
export async function revokeDeviceTokensBefore(h: OpenclawHost, cutoverMs: number): Promise<DeviceRevocation> {
  // The gateway stamps tokens with the host's clock, the cut-over time is the worker's.
  const before = cutoverMs + (await clockSkewMs(h)) + SKEW_MARGIN_MS;
  const stale = (ts: DeviceToken[]) => ts.filter((t) => t.issuedAtMs === undefined || t.issuedAtMs < before);
  const own = await ownDeviceId(h);
  const targets = stale(await listAgain(h)).sort((a, b) => Number(a.deviceId === own) - Number(b.deviceId === own));
  for (const t of targets) await revokeDeviceToken(h, t);
  const left = stale(await listAgain(h));
  const revoked = targets.map((t) => `${t.label}${t.deviceId === own ? ' (this host\'s CLI)' : ''} ${t.role}`);
  return {
    ok: left.length === 0,
    revoked,
    detail: left.length
      ? `${left.length} device token(s) issued before the cut-over still live: ${left.map((t) => `${t.deviceId.slice(0, 12)} ${t.role}`).join(', ')}`
      : `${targets.length} paired-device token(s) issued before the cut-over revoked${targets.length ? `: ${revoked.join(', ')}` : ''}`,
  };
}

/** Erring late: a device paired just after the cut-over pairs again with the new token; a stolen one must not survive. */
const SKEW_MARGIN_MS = 2_000;

async function clockSkewMs(h: OpenclawHost): Promise<number> {
  const sent = Date.now();
  const r = await h.t.run('date', ['+%s'], { timeoutMs: 15_000 });
  const hostSec = Number(r.stdout.trim());
  if (r.exitCode !== 0 || !Number.isFinite(hostSec)) return 0;
  return hostSec * 1000 - Math.round((sent + Date.now()) / 2);
}

/** The CLI whose own device token was just revoked fails its next call once, then pairs again. */
async function listAgain(h: OpenclawHost): Promise<DeviceToken[]> {
  try {
    return await listDeviceTokens(h);
  } catch {
    await new Promise((r) => setTimeout(r, 1_000));
    return listDeviceTokens(h);
  }
}
