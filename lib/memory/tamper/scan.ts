/**
 * Tamper-evidence heuristics over one live memory file (SOUL.md, MEMORY.md, AGENTS.md,
 * memory/*.md): each rule's first match on a line becomes a finding an operator can read without
 * opening the file, so the excerpt shows hidden characters and never shows a credential.
 */
import { redactTokenShapes } from '../../redact-patterns.js';
import { fingerprint } from '../../secrets.js';
import { shannonEntropy } from '../../sweep/entropy.js';
import type { Severity } from '../../sweep/types.js';
import { loadTamperRules, type TamperRule } from './load.js';

export interface TamperFinding {
  rule: string;
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based, in Unicode code points (an emoji earlier on the line counts once). */
  column: number;
  reason: string;
  severity: Severity;
  /** The match with up to 30 characters either side, at most 120 characters, redacted, hidden characters spelled out. */
  excerpt: string;
}

export const EXCERPT_CONTEXT = 30;
export const EXCERPT_MAX = 120;

export function scanMemoryText(file: string, text: string | Buffer, rules: readonly TamperRule[] = loadTamperRules()): TamperFinding[] {
  // Lossy on purpose: a tampered file need not be valid UTF-8, and U+FFFD still leaves the rest readable.
  let body = typeof text === 'string' ? text : text.toString('utf8');
  // A byte-order mark is how some editors start a file; anywhere else U+FEFF is hiding something.
  if (body.startsWith('\uFEFF')) body = body.slice(1);
  const out: { finding: TamperFinding; order: number }[] = [];
  const lines = body.split('\n');
  for (let n = 0; n < lines.length; n++) {
    let line = lines[n]!;
    if (line.endsWith('\r')) line = line.slice(0, -1);
    if (line.length === 0) continue;
    const lower = line.toLowerCase();
    rules.forEach((rule, order) => {
      if (rule.keywords.length > 0 && !rule.keywords.some((k) => lower.includes(k))) return;
      const m = firstMatch(rule, line);
      if (!m) return;
      out.push({
        order,
        finding: {
          rule: rule.id,
          file,
          line: n + 1,
          column: codePoints(line.slice(0, m.index)) + 1,
          reason: rule.description,
          severity: rule.severity,
          excerpt: excerpt(line, m.index, m.index + m[0].length),
        },
      });
    });
  }
  out.sort((a, b) => a.finding.line - b.finding.line || a.finding.column - b.finding.column || a.order - b.order);
  return out.map((o) => o.finding);
}

function firstMatch(rule: TamperRule, line: string): RegExpExecArray | null {
  const re = rule.regex;
  re.lastIndex = 0;
  for (let m = re.exec(line); m; m = re.exec(line)) {
    if (m[0].length === 0) {
      re.lastIndex++;
      continue;
    }
    if (rule.entropy !== undefined && shannonEntropy(m[0]) < rule.entropy) continue;
    if (rule.allowlists.some((a) => a.regexes.some((r) => r.test(a.target === 'line' ? line : m[0])))) continue;
    re.lastIndex = 0;
    return m;
  }
  re.lastIndex = 0;
  return null;
}

function codePoints(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

// --- excerpts -------------------------------------------------------------------------------

/**
 * What a redaction works on: a run of non-space, joined with the next one after `key:`/`key=`/
 * `Bearer`, so `token: abc...` is redacted as an assignment. The key part is bounded so a
 * megabyte-long run cannot make this quadratic.
 */
const PIECE = /\s+|(?:\S{0,64}?(?:[:=]["']?|\bbearer)[ \t]+)*\S+/giu;

/** Long random-looking runs that no known token shape names (a wallet key in hex, an unknown provider's key, base64url). */
const LONG_RANDOM = /[A-Za-z0-9+/=_-]{24,}/g;

/** An identifier, not a secret: webhook.site and friends put UUIDs in the URLs an operator needs to see. */
const UUID = /([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/i;

/** `privateKey: "..."`, `client_secret=...`: names redact-patterns does not list; the value goes, the name stays. */
const SECRET_ASSIGNMENT = /(\b[\w-]*(?:key|secret|token|passw(?:or)?d|pwd|credentials?)["']?\s*[:=]\s*["']?)([^\s"',;]{8,})/gi;

const REDACTED = /\[redacted sha256:[0-9a-f]{12}\]/g;

/** Characters an editor shows as nothing, or that reorder or hide what is shown. */
const HIDDEN = /[\p{Cf}\p{Cc}\p{Zl}\p{Zp}\uFE00-\uFE0F\u{E0100}-\u{E01EF}]/u;

/** How far from the match (in UTF-16 units of the raw line) a piece must start to still matter. */
const NEIGHBOURHOOD = 2000;

function excerpt(line: string, start: number, end: number): string {
  // Start at a whitespace boundary so a token straddling the neighbourhood is redacted whole.
  let from = Math.max(0, start - NEIGHBOURHOOD);
  while (from > 0 && !/\s/.test(line[from - 1]!)) from--;
  const atoms: string[] = [];
  let outStart = -1;
  let outEnd = -1;
  PIECE.lastIndex = from;
  for (let m = PIECE.exec(line); m; m = PIECE.exec(line)) {
    const piece = m[0];
    const pStart = m.index;
    const pEnd = pStart + piece.length;
    if (pStart > end + NEIGHBOURHOOD) break;
    const redacted = redactPiece(piece);
    const changed = redacted !== piece;
    const pieceAtoms = toAtoms(redacted);
    const base = atoms.length;
    if (outStart < 0 && start < pEnd) {
      outStart = changed ? base : base + toAtoms(piece.slice(0, start - pStart)).length;
    }
    if (outEnd < 0 && end <= pEnd) {
      outEnd = changed ? base + pieceAtoms.length : base + toAtoms(piece.slice(0, end - pStart)).length;
    }
    atoms.push(...pieceAtoms);
  }
  PIECE.lastIndex = 0;
  if (outStart < 0) outStart = atoms.length;
  if (outEnd < 0) outEnd = atoms.length;
  return clip(atoms, outStart, outEnd);
}

function redactPiece(piece: string): string {
  if (/^\s+$/.test(piece)) return piece;
  return redactTokenShapes(piece)
    .replace(SECRET_ASSIGNMENT, (whole, name: string, value: string) =>
      value.startsWith('[redacted') ? whole : `${name}[redacted ${fingerprint(value)}]`,
    )
    .replace(LONG_RANDOM, (run) =>
      // split() with a capture group puts the UUIDs at the odd indexes.
      run
        .split(UUID)
        .map((part, i) => (i % 2 === 0 && part.length >= 24 && looksRandom(part) ? `[redacted ${fingerprint(part)}]` : part))
        .join(''),
    );
}

function looksRandom(run: string): boolean {
  const digits = run.replace(/[^0-9]/g, '').length;
  const letters = run.replace(/[^A-Za-z]/g, '').length;
  return digits >= 4 && letters >= 4 && shannonEntropy(run) >= 3.5;
}

/** Splits into what must not be cut: one code point, one `<U+XXXX>`, one redaction marker. */
function toAtoms(s: string): string[] {
  const atoms: string[] = [];
  let last = 0;
  const push = (text: string) => {
    for (const ch of text) atoms.push(HIDDEN.test(ch) ? visible(ch) : ch);
  };
  for (const m of s.matchAll(REDACTED)) {
    push(s.slice(last, m.index));
    atoms.push(m[0]);
    last = m.index + m[0].length;
  }
  push(s.slice(last));
  return atoms;
}

function visible(ch: string): string {
  if (ch === '\t') return ' ';
  return `<U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}>`;
}

/** The match with EXCERPT_CONTEXT characters either side, within EXCERPT_MAX characters, "…" where cut. */
function clip(atoms: string[], start: number, end: number): string {
  let a = start;
  for (let n = 0; a > 0 && n < EXCERPT_CONTEXT; ) n += atoms[--a]!.length;
  let b = end;
  for (let n = 0; b < atoms.length && n < EXCERPT_CONTEXT; ) n += atoms[b++]!.length;
  const lead = a > 0 ? '…' : '';
  const kept: string[] = [];
  let length = lead.length;
  for (let i = a; i < b && length + atoms[i]!.length <= EXCERPT_MAX; i++) {
    kept.push(atoms[i]!);
    length += atoms[i]!.length;
  }
  const cut = a + kept.length < atoms.length;
  // Make room for the closing "…" by dropping whole atoms, never half a <U+XXXX>.
  while (cut && length + 1 > EXCERPT_MAX && kept.length > 0) length -= kept.pop()!.length;
  return `${lead}${kept.join('')}${cut ? '…' : ''}`;
}

// --- rule checks ----------------------------------------------------------------------------

export interface SampleFailure {
  rule: string;
  kind: 'positive' | 'negative';
  sample: string;
  /** What the rule found on the sample (empty for a positive that found nothing). */
  findings: TamperFinding[];
}

export function ruleCounts(rules: readonly TamperRule[]): Array<{ id: string; positive: number; negative: number }> {
  return rules.map((r) => ({ id: r.id, positive: r.samples.positive.length, negative: r.samples.negative.length }));
}

/** Every positive sample must give its rule a finding, every negative none; returns the samples that do not. */
export function scanSamples(rules: readonly TamperRule[]): SampleFailure[] {
  const failures: SampleFailure[] = [];
  for (const rule of rules) {
    for (const kind of ['positive', 'negative'] as const) {
      for (const sample of rule.samples[kind]) {
        const findings = scanMemoryText('sample.md', sample, [rule]);
        if ((findings.length > 0) !== (kind === 'positive')) failures.push({ rule: rule.id, kind, sample, findings });
      }
    }
  }
  return failures;
}
