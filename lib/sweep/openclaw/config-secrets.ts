/**
 * The credentials in one OpenClaw config file (openclaw.json, any of its backups, an auth
 * profile store), found by the credential matrix's paths in the parsed JSON5 and located back
 * in the text for a line and column. Pure: text in, values and places out.
 */
import JSON5 from 'json5';
import type { ConfigFileKind, CredentialMatcher } from './credential-matrix.js';

export interface ConfigSecret {
  /** The matrix id of the field, e.g. `channels.telegram.accounts.*.botToken`. */
  credentialId: string;
  /** The concrete place, e.g. `channels.telegram.accounts.ops.botToken`. */
  jsonPath: string;
  value: string;
  line: number;
  /** UTF-16 index of the value in its line, and its length there (as written, escapes included). */
  index: number;
  length: number;
  lineText: string;
}

/** Config file names OpenClaw and its predecessors write, with backup and temp suffixes. */
export const CONFIG_FILE = /(?:^|\/)(?:openclaw|clawdbot|moltbot)\.json(?:\.[^/]*)?$/;
export const AUTH_PROFILE_FILE = /(?:^|\/)auth-profiles\.json(?:\.[^/]*)?$/;
export const AGENT_MODELS_FILE = /(?:^|\/)agent\/models\.json$/;

export function configKind(path: string): ConfigFileKind | undefined {
  if (CONFIG_FILE.test(path)) return 'openclaw.json';
  if (AUTH_PROFILE_FILE.test(path)) return 'auth-profile-store';
  if (AGENT_MODELS_FILE.test(path)) return 'agent-models';
  return undefined;
}

/**
 * Header maps are listed whole (`models.providers.*.headers.*`), but only some headers carry a
 * credential: the names OpenClaw's own audit treats as sensitive.
 */
const SENSITIVE_HEADER = /authorization|api[-_]?key|token|secret|password|credential|cookie/i;

/** A value that stands for a secret without being one: `{ source, id }` refs. */
function isSecretRef(v: unknown): boolean {
  return !!v && typeof v === 'object' && !Array.isArray(v) && typeof (v as Record<string, unknown>).source === 'string' && 'id' in (v as object);
}

/** Inside an object at a credential path (a Google Chat service account), the fields that are the secret. */
const NESTED_SECRET_KEY = /(?:private_?key|secret|token|password|passphrase)$/i;

/**
 * Null when the text is not JSON5 (a truncated backup): the content rules still read it.
 * `ignore` says whether a string is a placeholder (`${VAR}`, `<your-token>`, a redaction marker).
 */
export function findConfigSecrets(
  text: string,
  kind: ConfigFileKind,
  matcher: CredentialMatcher,
  ignore: (value: string) => boolean,
): ConfigSecret[] | null {
  let root: unknown;
  try {
    root = JSON5.parse(text);
  } catch {
    return null;
  }
  const found: Array<{ credentialId: string; at: string[]; value: string }> = [];
  const walk = (v: unknown, at: string[], under: string | undefined) => {
    let here = under ?? matcher.match(kind, at)?.id;
    if (here && !under && at.at(-2) === 'headers' && !SENSITIVE_HEADER.test(at.at(-1) ?? '')) here = undefined;
    if (typeof v === 'string') {
      if (here && v.length > 0 && !ignore(v)) found.push({ credentialId: here, at, value: v });
      return;
    }
    if (!v || typeof v !== 'object' || isSecretRef(v)) return;
    if (Array.isArray(v)) {
      v.forEach((x) => walk(x, [...at, '[]'], here));
      return;
    }
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      // Below a credential path only secret-named fields of an object count (a service account's private_key, not its client_email).
      if (here && typeof x === 'string' && !NESTED_SECRET_KEY.test(k)) continue;
      walk(x, [...at, k], here);
    }
  };
  walk(root, [], undefined);
  return locate(text, found);
}

/** Where a value sits in a file's text, as written (JSON-escaped first, then raw), from `from` on. */
export interface ValuePlace {
  line: number;
  index: number;
  length: number;
  lineText: string;
  /** Offset just past the value, to find the next copy from. */
  end: number;
}

export function locateValue(text: string, value: string, from = 0): ValuePlace | undefined {
  for (const form of [JSON.stringify(value).slice(1, -1), value]) {
    const at = text.indexOf(form, from);
    if (at < 0) continue;
    const start = text.lastIndexOf('\n', at - 1) + 1;
    const nl = text.indexOf('\n', start);
    const line = countLines(text, start);
    return { line, index: at - start, length: form.length, lineText: text.slice(start, nl < 0 ? text.length : nl).replace(/\r$/, ''), end: at + form.length };
  }
  return undefined;
}

function countLines(text: string, upTo: number): number {
  let n = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < upTo; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/** Finds each value in the text, in document order, so two fields holding one value get two places. */
function locate(text: string, found: Array<{ credentialId: string; at: string[]; value: string }>): ConfigSecret[] {
  const nextFrom = new Map<string, number>();
  const out: ConfigSecret[] = [];
  for (const f of found) {
    const place = locateValue(text, f.value, nextFrom.get(f.value) ?? 0);
    if (!place) continue;
    nextFrom.set(f.value, place.end);
    out.push({
      credentialId: f.credentialId,
      jsonPath: f.at.join('.').replace(/\.\[\]/g, '[]'),
      value: f.value,
      line: place.line,
      index: place.index,
      length: place.length,
      lineText: place.lineText,
    });
  }
  return out;
}
