/**
 * Turning detections into findings: the moment a secret stops travelling. After `toFindings`
 * only the fingerprint, the redacted preview and a masked context line remain.
 */
import { fingerprint, redactedPreview, redactKnown, sha256Hex } from '../secrets.js';
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
  return all.map(({ hit, d }) => {
    const secretHash = sha256Hex(d.secret);
    const key = `${d.ruleId}\0${host}\0${d.path}\0${secretHash}\0${d.huntRef ?? ''}`;
    const n = occurrences.get(key) ?? 0;
    occurrences.set(key, n + 1);
    const lineSecrets = (hits.get(hit) ?? []).flatMap((x) => [x.secret, hit.text.slice(x.index, x.index + x.length)]);
    const finding: Finding = {
      // The line number is left out so the id survives edits above the secret; the occurrence
      // count keeps two copies of one secret in one file apart.
      id: sha256Hex(`${key}\0${n}`).slice(0, 16),
      ruleId: d.ruleId,
      family: d.family,
      severity: d.severity,
      description: d.description,
      host,
      path: d.path,
      line: d.line,
      column: Buffer.byteLength(hit.text.slice(0, d.index), 'utf8') + 1,
      preview: redactedPreview(d.secret),
      context: maskedContext(hit.text, d.index, lineSecrets),
      fingerprint: fingerprint(d.secret),
    };
    if (d.huntRef !== undefined) finding.huntRef = d.huntRef;
    if (d.encoding !== undefined) finding.encoding = d.encoding;
    return finding;
  });
}

/** A window of the line around the secret, with every secret replaced by its fingerprint and other long tokens masked. */
export function maskedContext(line: string, index: number, secrets: readonly string[]): string {
  const half = Math.floor(CONTEXT_WIDTH / 2);
  // Cut before masking would leave a partial secret at the window edge; mask first, then cut
  // around the first marker at or after the secret's position.
  // Digit-free runs are names (OPENCLAW_GATEWAY_TOKEN=), which the operator needs to see.
  const masked = redactKnown(line, secrets).replace(LONG_TOKEN, (t) =>
    /^[A-Za-z_.~-]+=?$/.test(t) ? t : `${t.slice(0, 2)}…(${t.length})`,
  );
  const marker = masked.indexOf('[redacted', Math.max(0, Math.min(index, masked.length) - 40));
  const centre = marker >= 0 ? marker : Math.min(index, masked.length);
  const start = Math.max(0, centre - half);
  const end = Math.min(masked.length, start + CONTEXT_WIDTH);
  const body = masked.slice(start, end).replace(/[\r\n]+$/, '').replace(/[\x00-\x08\x0b-\x1f\x7f]/g, ' ');
  return `${start > 0 ? '…' : ''}${body}${end < masked.length ? '…' : ''}`;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
