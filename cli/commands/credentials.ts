/**
 * `respond credentials --inventory F [--hosts SEL] [--json]`: each known credential per host with
 * its fingerprint, age, last rotation and overlap state. respond's own rotation records come
 * first; for a credential respond never rotated, the host's config file change time is the best
 * evidence of its age. Read-only, run directly (no workflow); never prints a value.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { createTransport } from '../../activities/hosts/transports/index.js';
import { openOpenclawHost } from '../../activities/openclaw/host.js';
import { openclawGateway } from '../../activities/rotation/providers/openclaw-gateway.js';
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
  /** Where the age comes from: respond's record of the last rotation, or the config's change time. */
  since: string | null;
  sinceFrom: 'rotation-record' | 'config-ctime' | 'unknown';
  ageDays: number | null;
  lastRotation: { incident: string; state: RotationView['state']; at: string | undefined; old?: string; new: string } | null;
  overlap: string;
  error?: string;
}

async function rowFor(host: HostSpec, records: RotationView[]): Promise<CredentialRow> {
  const mine = records
    .filter((r) => r.host === host.name && r.credential === 'gateway')
    .sort((a, b) => (a.times.created ?? '').localeCompare(b.times.created ?? ''));
  const last = mine.at(-1) ?? null;
  const row: CredentialRow = {
    host: host.name,
    credential: 'gateway',
    provider: openclawGateway.name,
    fingerprint: null,
    since: null,
    sinceFrom: 'unknown',
    ageDays: null,
    lastRotation: last ? { incident: last.incident, state: last.state, at: last.times.promoted ?? last.times.created, old: last.fingerprints.old, new: last.fingerprints.new } : null,
    overlap: last?.state === 'promoted' && last.overlapEnds ? `old valid until ${last.overlapEnds}` : 'none',
  };
  const t = createTransport(host);
  try {
    const h = await openOpenclawHost(host, t);
    row.fingerprint = fingerprint((await openclawGateway.current(h, null)).value);
    const promoted = [...mine].reverse().find((r) => r.fingerprints.new === row.fingerprint && r.times.promoted);
    if (promoted) {
      row.since = promoted.times.promoted!;
      row.sinceFrom = 'rotation-record';
    } else {
      const st = await t.run('stat', ['-c', '%Z', h.configPath], { timeoutMs: 15_000 });
      if (st.exitCode === 0) {
        row.since = new Date(Number(st.stdout.trim()) * 1000).toISOString();
        row.sinceFrom = 'config-ctime';
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
        `  in use     ${r.fingerprint ?? 'unknown'}`,
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
      const rows = await Promise.all(hosts.map((h) => rowFor(h, records)));
      console.log(opts.json ? JSON.stringify(rows, null, 2) : renderCredentials(rows));
      if (rows.some((r) => r.error)) process.exitCode = EXIT.failed;
    });
}
