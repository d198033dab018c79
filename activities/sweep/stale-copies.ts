/**
 * Old credential values that respond never issued but the host still keeps: the earlier gateway
 * tokens and passwords in OpenClaw's config backups (`openclaw.json.bak`, `.bak.1`-`.bak.4`,
 * `.last-good`, ...) and the device tokens in stores a newer release migrated away from
 * (`devices/paired.json.migrated`, `identity/device-auth.json.migrated`). The gateway reads none
 * of these files, so every value there that the live config does not hold is stale: a leaked
 * copy an attacker can still read. Values stay in this process; callers see fingerprints.
 */
import { posix } from 'node:path';
import { parseConfig } from '../openclaw/config.js';
import { MIN_HUNT_LENGTH } from '../../lib/sweep/hunt.js';
import type { SweepTransport } from './transport.js';

export interface StaleValue {
  /** The file it was read from (its live path, even when read from a quarantined original). */
  source: string;
  field: string;
  value: string;
}

const CONFIG_FIELDS: ReadonlyArray<readonly string[]> = [
  ['gateway', 'auth', 'token'],
  ['gateway', 'auth', 'password'],
  ['gateway', 'remote', 'token'],
  ['gateway', 'remote', 'password'],
];

/** Files under the state dir that may keep old values, the live config excluded. */
export async function staleCandidates(t: SweepTransport, stateDir: string, configPath: string): Promise<string[]> {
  const r = await t.run('find', [stateDir, '-maxdepth', '2', '-type', 'f', '(', '-name', 'openclaw.json.*', '-o', '-path', '*/devices/*.migrated', '-o', '-path', '*/identity/*.migrated', ')']);
  return r.stdout
    .split('\n')
    .map((l) => l.trim())
    .filter((p) => p && p !== configPath && !p.endsWith('.tmp'))
    .sort();
}

/**
 * The stale values in `files`. `originals` maps a path to where its unredacted original was
 * quarantined earlier (a retry after a partial scrub reads the original, so it finds the same values).
 */
export async function staleValues(t: SweepTransport, files: readonly string[], liveConfigText: string, originals: ReadonlyMap<string, string> = new Map()): Promise<StaleValue[]> {
  const out = new Map<string, StaleValue>();
  for (const source of files) {
    const text = await t.readFile(originals.get(source) ?? source).catch(() => null);
    if (!text) continue;
    let doc: unknown;
    try {
      doc = parseConfig(text);
    } catch {
      continue; // Not JSON5 (a torn write): nothing to read from it, and nothing is guessed.
    }
    const isConfig = posix.basename(source).startsWith('openclaw.json');
    const found = isConfig ? configValues(doc) : deviceTokens(doc);
    for (const { field, value } of found) {
      if (value.length < MIN_HUNT_LENGTH || liveConfigText.includes(value) || out.has(value)) continue;
      out.set(value, { source, field, value });
    }
  }
  return [...out.values()];
}

function configValues(doc: unknown): Array<{ field: string; value: string }> {
  const out: Array<{ field: string; value: string }> = [];
  for (const path of CONFIG_FIELDS) {
    let v: unknown = doc;
    for (const k of path) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined;
    // `${VAR}` references and redaction markers are not values.
    if (typeof v === 'string' && !/^\$\{[A-Z0-9_]+\}$/.test(v) && !v.startsWith('[REDACTED')) out.push({ field: path.join('.'), value: v });
  }
  return out;
}

/** `tokens.<role>.token` wherever it sits (per device in paired.json, once in device-auth.json). */
function deviceTokens(doc: unknown, path: string[] = []): Array<{ field: string; value: string }> {
  if (!doc || typeof doc !== 'object') return [];
  const out: Array<{ field: string; value: string }> = [];
  for (const [k, v] of Object.entries(doc as Record<string, unknown>)) {
    if (k === 'token' && typeof v === 'string' && path.at(-2) === 'tokens' && !v.startsWith('[REDACTED')) {
      out.push({ field: `${path.at(-3) ? 'device ' : ''}tokens.${path.at(-1)}.token`, value: v });
    } else if (v && typeof v === 'object') {
      out.push(...deviceTokens(v, [...path, k]));
    }
  }
  return out;
}
