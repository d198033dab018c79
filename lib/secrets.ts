/**
 * The only ways respond shows a secret: a fingerprint (sha256 prefix) and a redacted preview.
 * Pure functions with a pure-JS sha256 so the same code runs inside the workflow sandbox.
 */
import { sha256 } from '@noble/hashes/sha256';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils';

export const FINGERPRINT_HEX_CHARS = 12;

/** How a runbook or a flag names a secret: `env:NAME` or `file:PATH`, never the value. */
export const SECRET_REF_PATTERN = /^(env:[A-Za-z_][A-Za-z0-9_]*|file:.+)$/;

export function sha256Hex(text: string): string {
  return bytesToHex(sha256(utf8ToBytes(text)));
}

/** `sha256:` plus the first 12 hex chars of the value's sha256: enough to tell keys apart, useless to an attacker. */
export function fingerprint(secret: string): string {
  return `sha256:${sha256Hex(secret).slice(0, FINGERPRINT_HEX_CHARS)}`;
}

/** Keeps at most 4 leading characters (2 for short values) so an operator can recognise the key's family. */
export function redactedPreview(secret: string): string {
  if (secret.length <= 8) return '****';
  const keep = secret.length < 20 ? 2 : 4;
  return `${secret.slice(0, keep)}****(${secret.length})`;
}

/** Replaces every occurrence of each known secret in `text` with its fingerprint. */
export function redactKnown(text: string, secrets: readonly string[]): string {
  let out = text;
  // Longest first so a secret that contains another is replaced whole.
  for (const s of [...secrets].filter((v) => v.length >= 4).sort((a, b) => b.length - a.length)) {
    out = out.split(s).join(`[redacted ${fingerprint(s)}]`);
  }
  return out;
}
