/**
 * `respond credentials --inventory F [--hosts SEL] [--json]`: each known credential per host (the
 * gateway token and every credential under the host's `credentials:`) with its fingerprint, age,
 * last rotation and overlap state. respond's own rotation records come first; for a credential
 * respond never rotated, the best evidence on hand: an IAM key's creation date, else the change
 * time of the file the value sits in. Read-only, run directly (no workflow); never prints a value.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { createTransport } from '../../activities/hosts/transports/index.js';
import { openOpenclawHost } from '../../activities/openclaw/host.js';
import { providerFor } from '../../activities/rotation/activities.js';
import { iamKeyCreated, pathOn } from '../../activities/rotation/providers/aws-iam-access-key.js';
import { RotationVault, rotationDir, viewOf } from '../../activities/rotation/vault.js';
import { loadConfig } from '../../lib/config.js';
import { loadInventory, selectHosts } from '../../lib/inventory/load.js';
import type { HostSpec } from '../../lib/inventory/schema.js';
import type { RotationView } from '../../lib/rotation/types.js';
import { fingerprint } from '../../lib/secrets.js';
import { EXIT } from '../exit-codes.js';

export interface CredentialRow {
  host: string;
  credential: string;
  provider: string;
  /** Of the value the host uses now; null when it cannot be read. */
  fingerprint: string | null;
  /** The service's public id of it (an IAM access key id), where it has one. */
  id?: string;
  /** Where the age comes from: respond's record of the last rotation, IAM's creation date, or the holding file's change time. */
  since: string | null;
  sinceFrom: 'rotation-record' | 'iam-create-date' | 'config-ctime' | 'file-ctime' | 'unknown';
  ageDays: number | null;
  lastRotation: { incident: string; state: RotationView['state']; at: string | undefined; old?: string; new: string } | null;
  overlap: string;
  error?: string;
}

/** A record about this host's credential: its own, or a shared one it consumes. */
function concerns(r: RotationView, host: string, credential: string): boolean {
  return r.credential === credential && (r.host === host || r.consumers?.[host] !== undefined);
}

function remoteValue(h: Awaited<ReturnType<typeof openOpenclawHost>>): { value: string; id?: string } {
  const remote = (h.rawConfig as { gateway?: { remote?: { token?: unknown; password?: unknown } } }).gateway?.remote;
  const v = remote?.token ?? remote?.password;
  if (typeof v !== 'string' || !v) throw new Error(`host ${h.spec.name}: no gateway.remote.token or password in ${h.configPath}`);
  return { value: v };
}

function overlapOf(last: RotationView | null): string {
  if (!last || last.state !== 'promoted') return 'none';
  const holders = Object.entries(last.consumers ?? {}).filter(([, p]) => p.state !== 'released').map(([h]) => h);
  if (holders.length) return `old value active while ${holders.join(', ')} ${holders.length === 1 ? 'has' : 'have'} not switched and released it`;
  return last.overlapEnds ? `old valid until ${last.overlapEnds}` : 'none';
}

async function rowFor(host: HostSpec, credential: string, records: RotationView[]): Promise<CredentialRow> {
  // A remote client holds its gateway's token: its records are the gateway's.
  const owner = credential === 'gateway' && host.clientOf ? host.clientOf : host.name;
  const mine = records.filter((r) => concerns(r, owner, credential)).sort((a, b) => (a.times.created ?? '').localeCompare(b.times.created ?? ''));
  const last = mine.at(-1) ?? null;
  const cfg = credential === 'gateway' ? undefined : host.credentials?.[credential];
  const row: CredentialRow = {
    host: host.name,
    credential,
    provider: cfg?.provider ?? (host.clientOf ? `openclaw-gateway (gateway.remote of ${host.clientOf})` : 'openclaw-gateway'),
    fingerprint: null,
    since: null,
    sinceFrom: 'unknown',
    ageDays: null,
    lastRotation: last ? { incident: last.incident, state: last.state, at: last.times.promoted ?? last.times.created, old: last.fingerprints.old, new: last.fingerprints.new } : null,
    overlap: overlapOf(last),
  };
  const t = createTransport(host);
  try {
    const h = await openOpenclawHost(host, t);
    const { p } = providerFor(host, credential);
    const current = owner !== host.name ? remoteValue(h) : await p.current(h, cfg ?? null);
    row.fingerprint = fingerprint(current.value);
    if (current.id) row.id = current.id;
    const promoted = [...mine].reverse().find((r) => r.fingerprints.new === row.fingerprint && r.times.promoted);
    const created = !promoted && cfg?.provider === 'aws-iam-access-key' && current.id ? await iamKeyCreated(cfg, current.id).catch(() => undefined) : undefined;
    if (promoted) {
      row.since = promoted.times.promoted!;
      row.sinceFrom = 'rotation-record';
    } else if (created) {
      row.since = created;
      row.sinceFrom = 'iam-create-date';
    } else {
      const file = cfg?.provider === 'aws-iam-access-key' ? pathOn(h, cfg.file) : h.configPath;
      const st = await t.run('stat', ['-c', '%Z', file], { timeoutMs: 15_000 });
      if (st.exitCode === 0) {
        row.since = new Date(Number(st.stdout.trim()) * 1000).toISOString();
        row.sinceFrom = file === h.configPath ? 'config-ctime' : 'file-ctime';
      }
    }
    if (row.since) row.ageDays = Math.floor((Date.now() - Date.parse(row.since)) / 86_400_000);
  } catch (e) {
    row.error = (e as Error).message.split('\n')[0]!;
  } finally {
    await t.close();
  }
  return row;
}

export function renderCredentials(rows: CredentialRow[]): string {
  return rows
    .map((r) => {
      const lines = [`${r.host}  ${r.credential} (${r.provider})`];
      if (r.error) lines.push(`  error      ${r.error}`);
      lines.push(
        `  in use     ${r.fingerprint ?? 'unknown'}${r.id ? ` (key id ${r.id})` : ''}`,
        `  age        ${r.ageDays === null ? 'unknown' : `${r.ageDays} d`} (since ${r.since ?? '?'}, from ${r.sinceFrom})`,
        `  rotated    ${r.lastRotation ? `${r.lastRotation.state} ${r.lastRotation.at ?? ''} incident ${r.lastRotation.incident}: ${r.lastRotation.old ?? '?'} -> ${r.lastRotation.new}` : 'never by respond'}`,
        `  overlap    ${r.overlap}`,
      );
      return lines.join('\n');
    })
    .join('\n\n');
}

export function register(program: Command): void {
  program
    .command('credentials')
    .description("list each host's credentials: fingerprint, age, last rotation and overlap state (read-only; never a value)")
    .requiredOption('--inventory <file>', 'inventory file')
    .option('--hosts <selection>', 'names, tag:<tag> or all', 'all')
    .option('--json', 'print JSON')
    .action(async (opts: { inventory: string; hosts: string; json?: boolean }) => {
      const hosts = selectHosts(loadInventory(resolve(opts.inventory)), opts.hosts);
      const records = new RotationVault(rotationDir(loadConfig().stateDir)).all().map(viewOf);
      const rows = await Promise.all(hosts.flatMap((h) => ['gateway', ...Object.keys(h.credentials ?? {})].map((c) => rowFor(h, c, records))));
      console.log(opts.json ? JSON.stringify(rows, null, 2) : renderCredentials(rows));
      if (rows.some((r) => r.error)) process.exitCode = EXIT.failed;
    });
}
