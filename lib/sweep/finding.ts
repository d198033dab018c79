/**
 * Turning detections into findings: the moment a secret stops travelling. After `toFindings`
 * only the fingerprint, the redacted preview and a masked context line remain.
 */
import { createHash } from 'node:crypto';
import { FINGERPRINT_HEX_CHARS, fingerprint, redactedPreview, redactKnown } from '../secrets.js';
import type { Detection, LineHit } from './detector.js';
import type { Finding } from './types.js';

const CONTEXT_WIDTH = 120;
/** Runs of key-like characters this long are masked in context even if no rule claimed them. */
const LONG_TOKEN = /[A-Za-z0-9+/_=.~-]{20,}/g;

export function toFindings(host: string, hits: ReadonlyMap<LineHit, Detection[]>): Finding[] {
  const all: Array<{ hit: LineHit; d: Detection }> = [];
  for (const [hit, ds] of hits) for (const d of ds) all.push({ hit, d });
  all.sort(
    (a, b) =>
      cmp(a.d.path, b.d.path) || a.d.line - b.d.line || a.d.index - b.d.index || cmp(a.d.ruleId, b.d.ruleId),
  );
  const occurrences = new Map<string, number>();
  // One fingerprint per distinct secret: a log can repeat the same token thousands of times.
  const fingerprints = new Map<string, string>();
  const fp = (s: string) => fingerprints.get(s) ?? fingerprints.set(s, nativeFingerprint(s)).get(s)!;
  return all.map(({ hit, d }) => {
    const secretHash = sha256(d.secret);
    const key = `${d.ruleId}\0${host}\0${d.path}\0${secretHash}\0${d.huntRef ?? ''}`;
    const n = occurrences.get(key) ?? 0;
    occurrences.set(key, n + 1);
    const lineSecrets = [...new Set((hits.get(hit) ?? []).flatMap((x) => [x.secret, hit.text.slice(x.index, x.index + x.length)]))];
    const finding: Finding = {
      // The line number is left out so the id survives edits above the secret; the occurrence
      // count keeps two copies of one secret in one file apart.
      id: sha256(`${key}\0${n}`).slice(0, 16),
      ruleId: d.ruleId,
      family: d.family,
      severity: d.severity,
      description: d.description,
      host,
      path: d.path,
      line: d.line,
      column: (hit.byteOffset ?? 0) + Buffer.byteLength(hit.text.slice(0, d.index), 'utf8') + 1,
      preview: redactedPreview(d.secret),
      context: maskedContext(hit.text, d.index, lineSecrets, fp, hit),
      fingerprint: fp(d.secret),
    };
    if (d.huntRef !== undefined) finding.huntRef = d.huntRef;
    if (d.encoding !== undefined) finding.encoding = d.encoding;
    return finding;
  });
}

/**
 * A window of the line around the secret, with every secret replaced by its fingerprint (the
 * marker redactKnown writes) and other long tokens masked. `fp` lets a sweep with thousands of
 * findings hash each distinct secret once.
 */
export function maskedContext(
  line: string,
  index: number,
  secrets: readonly string[],
  fp: (s: string) => string = fingerprint,
  clipped: { clippedLeft?: boolean; clippedRight?: boolean } = {},
): string {
  const half = Math.floor(CONTEXT_WIDTH / 2);
  // Cut before masking would leave a partial secret at the window edge; mask first, then cut
  // around the first marker at or after the secret's position.
  // Digit-free runs are names (OPENCLAW_GATEWAY_TOKEN=), which the operator needs to see.
  const masked = replaceKnown(line, secrets, fp).replace(LONG_TOKEN, (t) =>
    /^[A-Za-z_.~-]+=?$/.test(t) ? t : `${t.slice(0, 2)}…(${t.length})`,
  );
  const marker = masked.indexOf('[redacted', Math.max(0, Math.min(index, masked.length) - 40));
  const centre = marker >= 0 ? marker : Math.min(index, masked.length);
  const start = Math.max(0, centre - half);
  const end = Math.min(masked.length, start + CONTEXT_WIDTH);
  const body = masked.slice(start, end).replace(/[\r\n]+$/, '').replace(/[\x00-\x08\x0b-\x1f\x7f]/g, ' ');
  return `${start > 0 || clipped.clippedLeft ? '…' : ''}${body}${end < masked.length || clipped.clippedRight ? '…' : ''}`;
}

/** redactKnown's replacement with a caller's (memoised) fingerprint function; same marker, same order. */
function replaceKnown(text: string, secrets: readonly string[], fp: (s: string) => string): string {
  if (fp === fingerprint) return redactKnown(text, secrets);
  let out = text;
  for (const s of [...secrets].filter((v) => v.length >= 4).sort((a, b) => b.length - a.length)) {
    out = out.split(s).join(`[redacted ${fp(s)}]`);
  }
  return out;
}

/**
 * lib/secrets' fingerprint, computed with node's native sha256: the same digest, several times
 * faster than the pure-JS one the workflow sandbox needs, and a sweep can hold tens of thousands.
 */
function nativeFingerprint(secret: string): string {
  return `sha256:${sha256(secret).slice(0, FINGERPRINT_HEX_CHARS)}`;
}

/** Ids only (never shown as a secret's fingerprint): node's native sha256, the same digest as lib/secrets'. */
function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
