/**
 * The config pass: every OpenClaw config file and auth profile store the metadata walk listed
 * is read whole and parsed, and each value at a path of the credential matrix becomes a
 * detection, whatever channel or plugin it belongs to. Runs beside rg, which still reads the
 * same files as text (a backup cut off mid-write is no JSON, but its secrets are still there).
 */
import type { Detection, Detector, LineHit } from '../../lib/sweep/detector.js';
import { configKind, findConfigSecrets, type ConfigSecret } from '../../lib/sweep/openclaw/config-secrets.js';
import { CredentialMatcher, type CredentialSurface } from '../../lib/sweep/openclaw/credential-matrix.js';
import { CONFIG_RULE_ID } from '../../lib/sweep/openclaw/rule-ids.js';
import type { SweepTransport } from './transport.js';

export { CONFIG_RULE_ID };

export interface ConfigPassResult {
  hits: Map<LineHit, Detection[]>;
  /** `path NUL jsonPath` of every credential found, for merging OpenClaw's own audit. */
  located: Set<string>;
}
const TOKEN_FILE = /(?:^|\/)gateway\.(token|password)$/;

/** A `--token-file`/`--password-file` holds the secret alone: its first non-empty line, trimmed. */
function tokenFileSecret(text: string, what: string, ignore: (v: string) => boolean): ConfigSecret[] {
  const lines = text.split('\n');
  const i = lines.findIndex((l) => l.trim().length > 0);
  if (i < 0) return [];
  const lineText = lines[i]!.replace(/\r$/, '');
  const value = lineText.trim();
  if (value.length < 8 || ignore(value)) return [];
  return [{ credentialId: what, jsonPath: what, value, line: i + 1, index: lineText.indexOf(value), length: value.length, lineText }];
}

export async function configPass(
  t: SweepTransport,
  files: readonly string[],
  surface: CredentialSurface,
  detector: Detector,
): Promise<ConfigPassResult> {
  const matcher = new CredentialMatcher(surface);
  const out = new Map<LineHit, Detection[]>();
  const located = new Set<string>();
  for (const path of files) {
    const kind = configKind(path);
    const tokenFile = TOKEN_FILE.exec(path);
    if (!kind && !tokenFile) continue;
    const text = await t.readFile(path).catch(() => null);
    if (text === null) continue;
    const secrets = kind
      ? findConfigSecrets(text, kind, matcher, (v) => detector.isPlaceholder(v))
      : tokenFileSecret(text, `gateway ${tokenFile![1]} file`, (v) => detector.isPlaceholder(v));
    const byLine = new Map<number, LineHit>();
    for (const s of secrets ?? []) {
      let hit = byLine.get(s.line);
      if (!hit) {
        hit = { path, line: s.line, text: s.lineText };
        byLine.set(s.line, hit);
        out.set(hit, []);
      }
      located.add(`${path}\0${s.jsonPath}`);
      out.get(hit)!.push({
        ruleId: CONFIG_RULE_ID,
        family: 'openclaw',
        severity: 'critical',
        description: kind
          ? `OpenClaw credential ${s.jsonPath === s.credentialId ? s.credentialId : `${s.jsonPath} (${s.credentialId})`} in plaintext`
          : `OpenClaw ${s.credentialId}`,
        path,
        line: s.line,
        index: s.index,
        length: s.length,
        secret: s.value,
      });
    }
  }
  return { hits: out, located };
}
