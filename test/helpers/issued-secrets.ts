/**
 * Every secret value a test file issued, for the scan each sandbox runs when it stops: fixture
 * gateway tokens (and whatever token their config holds by then: rotations), cloud keys, tokens
 * delivered to files, the rotation vault's values. Per test file (vitest runs each in its own worker).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const issued = new Map<string, string>();
const tracked: Array<{ path: string; extract: (text: string) => unknown[] }> = [];

/** Values shorter than this are not secrets a scan could tell from ordinary text. */
const MIN_LENGTH = 12;

export function issueSecret(value: string | undefined, label: string): void {
  if (value && value.length >= MIN_LENGTH) issued.set(value, label);
}

/** A file whose values at scan time are secrets too (a config a rotation rewrites). */
export function trackSecretFile(path: string, extract: (text: string) => unknown[]): void {
  tracked.push({ path, extract });
}

export function openclawConfigSecrets(text: string): unknown[] {
  try {
    const cfg = JSON.parse(text) as { gateway?: { auth?: { token?: unknown; password?: unknown }; remote?: { token?: unknown } } };
    return [cfg.gateway?.auth?.token, cfg.gateway?.auth?.password, cfg.gateway?.remote?.token];
  } catch {
    return [];
  }
}

function walkTokenFiles(dir: string, out: Map<string, string>, depth = 0): void {
  if (depth > 6 || !existsSync(dir)) return;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory() && e.name !== 'node_modules') walkTokenFiles(p, out, depth + 1);
    else if (e.isFile() && /\.token$/.test(e.name) && statSync(p).size < 4096) {
      const v = readFileSync(p, 'utf8').trim();
      if (v.length >= MIN_LENGTH) out.set(v, `delivered token ${e.name}`);
    } else if (e.isFile() && /^openclaw\.json(\.bak(\.\d+)?)?$/.test(e.name) && statSync(p).size < 1_000_000) {
      // A host built under the sandbox (respond demo): its tokens, current and earlier.
      for (const v of openclawConfigSecrets(readFileSync(p, 'utf8'))) if (typeof v === 'string' && v.length >= MIN_LENGTH) out.set(v, `value in ${e.name}`);
    }
  }
}

/** Everything issued so far, plus tracked files' current values, and under `dirs`: `*.token` files, OpenClaw configs and the vault's values. */
export function issuedSecrets(dirs: readonly string[]): Map<string, string> {
  const out = new Map(issued);
  for (const t of tracked) {
    try {
      for (const v of t.extract(readFileSync(t.path, 'utf8'))) if (typeof v === 'string' && v.length >= MIN_LENGTH) out.set(v, `value in ${t.path}`);
    } catch {
      // Gone with its fixture: its values were registered when it was made.
    }
  }
  for (const d of dirs) {
    walkTokenFiles(d, out);
    const vault = join(d, 'state', 'rotation');
    if (!existsSync(vault)) continue;
    for (const f of readdirSync(vault)) {
      try {
        const r = JSON.parse(readFileSync(join(vault, f), 'utf8')) as { credential?: string; values?: { old?: string; new?: string } };
        for (const [k, v] of Object.entries(r.values ?? {})) if (typeof v === 'string' && v.length >= MIN_LENGTH) out.set(v, `${k} ${r.credential ?? 'credential'} (rotation vault)`);
      } catch {
        // Not a record.
      }
    }
  }
  return out;
}
