/**
 * An OpenClaw config (JSON5) made safe to show: every secret value becomes its fingerprint,
 * and the raw values are handed back separately so the caller can scrub command output.
 */
import JSON5 from 'json5';
import { fingerprint } from '../../lib/secrets.js';

const SECRET_KEY = /(token|secret|password|passwd|api[-_]?key|apikey|private[-_]?key|credential|bearer|cookie|session[-_]?key|webhook[-_]?url)/i;
// `env` maps (e.g. skills.entries.<key>.env) hold API keys under arbitrary variable names.
const SECRET_CONTAINER = /^env$/i;
// `${VAR}` references name a secret without holding it.
const ENV_REF = /^\$\{[A-Za-z_][A-Za-z0-9_]*\}$/;

export interface RedactedConfig {
  config: unknown;
  secrets: string[];
}

export function parseConfig(text: string): unknown {
  return JSON5.parse(text);
}

export function redactConfig(value: unknown): RedactedConfig {
  const secrets: string[] = [];
  const walk = (v: unknown, secretContext: boolean): unknown => {
    if (typeof v === 'string') {
      if (secretContext && v.length > 0 && !ENV_REF.test(v)) {
        secrets.push(v);
        return fingerprint(v);
      }
      return v;
    }
    if (Array.isArray(v)) return v.map((x) => walk(x, secretContext));
    if (v && typeof v === 'object') {
      return Object.fromEntries(
        Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, walk(x, secretContext || isSecretKey(k, x))]),
      );
    }
    return v;
  };
  return { config: walk(value, false), secrets };
}

/** `auth.mode: "token"` is a setting, not a secret: only values under secret-named keys count. */
function isSecretKey(key: string, value: unknown): boolean {
  if (SECRET_CONTAINER.test(key)) return typeof value === 'object' && value !== null;
  if (!SECRET_KEY.test(key)) return false;
  // Nested objects under e.g. `tokens:` are treated as secret containers; plain booleans/numbers are left alone by walk().
  return typeof value === 'string' || (typeof value === 'object' && value !== null);
}

export function getPath(obj: unknown, path: readonly string[]): unknown {
  let cur = obj;
  for (const p of path) {
    if (!cur || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[p];
  }
  return cur;
}
