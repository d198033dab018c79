/**
 * Exact hunting for rotated credentials. A value can sit on disk as itself or encoded: inside a
 * Basic-auth header or a data blob (base64, at any byte alignment), in a URL (percent-encoded),
 * in JSON (escaped), or hex-dumped. Each form is a literal that rg searches for alongside the
 * rules, so proving "the old value is gone" costs no extra pass over the disk.
 */
import { escapeRustRegex } from './regex.js';

export interface HuntTarget {
  /** The credential reference (`env:NAME`, `file:PATH`): what a finding names instead of the value. */
  ref: string;
  value: string;
}

export interface HuntVariant {
  ref: string;
  encoding: string;
  /** The literal searched for. Secret material: never logged, only passed to rg on stdin. */
  literal: string;
  /** The original value, for fingerprints and redaction. */
  value: string;
}

/** Shorter encoded fragments would match unrelated base64 by chance. */
const MIN_FRAGMENT = 16;
/** Shorter values would drown the sweep in coincidences; refuse them loudly instead. */
export const MIN_HUNT_LENGTH = 8;

export function huntVariants(targets: readonly HuntTarget[]): HuntVariant[] {
  const out: HuntVariant[] = [];
  const seen = new Set<string>();
  const add = (t: HuntTarget, encoding: string, literal: string) => {
    // rg reads one pattern per line; multi-line values are hunted line by line below.
    if (/[\r\n]/.test(literal)) return;
    if (literal.length < Math.min(MIN_FRAGMENT, t.value.length) || seen.has(literal)) return;
    seen.add(literal);
    out.push({ ref: t.ref, encoding, literal, value: t.value });
  };
  for (const t of targets) {
    const bytes = Buffer.from(t.value, 'utf8');
    add(t, 'raw', t.value);
    // A PEM key or similar: each long line is unique enough to prove the value is still present.
    for (const l of t.value.split(/\r?\n/)) if (l.trim().length >= 24 && l !== t.value) add(t, 'raw-line', l.trim());
    add(t, 'json-escaped', JSON.stringify(t.value).slice(1, -1));
    add(t, 'json-escaped', JSON.stringify(t.value).slice(1, -1).replace(/\//g, '\\/'));
    add(t, 'url-encoded', encodeURIComponent(t.value));
    add(t, 'url-encoded', encodeURIComponent(t.value).replace(/%20/g, '+'));
    add(t, 'url-encoded', encodeURIComponent(t.value).replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()));
    for (const frag of base64Fragments(bytes)) {
      add(t, 'base64', frag);
      add(t, 'base64url', frag.replace(/\+/g, '-').replace(/\//g, '_'));
    }
    add(t, 'hex', bytes.toString('hex'));
    add(t, 'hex', bytes.toString('hex').toUpperCase());
  }
  return out;
}

/**
 * The base64 text that the value's bytes produce wherever they start in a larger blob. At each
 * of the three alignments only the characters made purely from the value's bytes are stable,
 * so the fragment drops the partial groups at both ends (the padded whole-value form is kept too).
 */
export function base64Fragments(bytes: Buffer): string[] {
  const out = [bytes.toString('base64'), bytes.toString('base64').replace(/=+$/, '')];
  for (let lead = 0; lead < 3; lead++) {
    const enc = Buffer.concat([Buffer.alloc(lead), bytes]).toString('base64');
    const firstFullGroup = lead === 0 ? 0 : 1;
    const lastFullGroup = Math.floor((lead + bytes.length) / 3);
    if (lastFullGroup <= firstFullGroup) continue;
    out.push(enc.slice(firstFullGroup * 4, lastFullGroup * 4));
  }
  return out;
}

/** The rg patterns for the variants, in the same order. */
export function huntPatterns(variants: readonly HuntVariant[]): string[] {
  return variants.map((v) => escapeRustRegex(v.literal));
}
