/**
 * The detector: rg has already found the matches; here each rule is re-run on a window around them to
 * extract the secret and apply what a regex alone cannot say (keywords, entropy, allowlists,
 * path scope), and the hunted literals are located. Pure: lines in, detections out.
 */
import { shannonEntropy } from './entropy.js';
import type { HuntVariant } from './hunt.js';
import type { CompiledRule, RuleAllowlist, RuleSet, Severity, ValueCheck } from './types.js';

/** What the detector reads: a matched line, or the window of it around rg's matches. */
export interface LineHit {
  path: string;
  line: number;
  text: string;
  /** Where `text` starts in the line, in bytes (0 for a whole line). */
  byteOffset?: number;
  /** The line goes on before or after `text`. */
  clippedLeft?: boolean;
  clippedRight?: boolean;
}

export interface Detection {
  ruleId: string;
  family: string;
  severity: Severity;
  description: string;
  path: string;
  line: number;
  /** UTF-16 index of the secret (or encoded literal) in the line, and its length there. */
  index: number;
  length: number;
  /** The secret in its canonical (decoded) form: what is fingerprinted. */
  secret: string;
  huntRef?: string;
  encoding?: string;
}

export const HUNT_RULE_ID = 'respond.exact-hunt';
const SEVERITY_RANK: Record<Severity, number> = { critical: 0, high: 1, medium: 2, low: 3 };

export class Detector {
  private readonly hunts: readonly HuntVariant[];
  /** Rules that apply to a path (path scope and path allowlists), cached: rg reports many lines per file. */
  private readonly byPath = new Map<string, CompiledRule[]>();

  constructor(
    private readonly ruleSet: RuleSet,
    hunts: readonly HuntVariant[] = [],
  ) {
    // Longest literal first, so the raw value is not reported again as its own base64 fragment.
    this.hunts = [...hunts].sort((a, b) => b.literal.length - a.literal.length);
  }

  detect(hit: LineHit): Detection[] {
    const lower = hit.text.toLowerCase();
    const found: Detection[] = [];
    for (const rule of this.rulesFor(hit.path)) {
      if (rule.keywords.length > 0 && !hasKeyword(lower, rule.keywords)) continue;
      this.matchRule(rule, hit, found);
    }
    return [...dropOverlaps(found), ...this.matchHunts(hit)];
  }

  /** A value every rule treats as a stand-in (the global allowlists: `${VAR}`, `<your-token>`, ...). */
  isPlaceholder(value: string): boolean {
    return allowlisted(this.ruleSet.allowlists, { secret: value, match: value, line: value });
  }

  private rulesFor(path: string): CompiledRule[] {
    let rules = this.byPath.get(path);
    if (!rules) {
      const globallyAllowed = pathAllowed(this.ruleSet.allowlists, path);
      rules = globallyAllowed
        ? []
        : this.ruleSet.rules.filter(
            (r) => (r.paths.length === 0 || r.paths.some((p) => p.test(path))) && !pathAllowed(r.allowlists, path),
          );
      this.byPath.set(path, rules);
    }
    return rules;
  }

  private matchRule(rule: CompiledRule, hit: LineHit, out: Detection[]): void {
    const re = rule.jsRegex;
    re.lastIndex = 0;
    for (let m = re.exec(hit.text); m !== null; m = re.exec(hit.text)) {
      if (m[0].length === 0) {
        re.lastIndex++;
        continue;
      }
      const group = pickGroup(m, rule.secretGroup);
      if (!group || group.text.length === 0) continue;
      if (rule.entropy > 0 && shannonEntropy(group.text) < rule.entropy) continue;
      if (rule.value && !valueLooksLiteral(rule.value, group, m, hit.text)) continue;
      const targets = { secret: group.text, match: m[0], line: hit.text };
      if (allowlisted(rule.allowlists, targets) || allowlisted(this.ruleSet.allowlists, targets)) continue;
      out.push({
        ruleId: rule.id,
        family: rule.family,
        severity: rule.severity,
        description: rule.description,
        path: hit.path,
        line: hit.line,
        index: group.index,
        length: group.text.length,
        secret: group.text,
      });
    }
  }

  private matchHunts(hit: LineHit): Detection[] {
    const out: Detection[] = [];
    const covered: Array<[number, number]> = [];
    for (const v of this.hunts) {
      for (let i = hit.text.indexOf(v.literal); i >= 0; i = hit.text.indexOf(v.literal, i + 1)) {
        const end = i + v.literal.length;
        if (covered.some(([s, e]) => i < e && end > s)) continue;
        covered.push([i, end]);
        out.push({
          ruleId: HUNT_RULE_ID,
          family: 'hunt',
          severity: 'critical',
          description: `Rotated credential ${v.ref} still present (${v.encoding})`,
          path: hit.path,
          line: hit.line,
          index: i,
          length: v.literal.length,
          secret: v.value,
          huntRef: v.ref,
          encoding: v.encoding,
        });
      }
    }
    return out;
  }
}

/** A name or member path, with the punctuation code puts after it in an object or call. */
const NAME_OR_PATH = /^[A-Za-z_$][A-Za-z0-9_$]*(?:\??\.[A-Za-z_$][A-Za-z0-9_$]*)*[,;)}\]]*$/;

/**
 * The rule's checks on the secret's shape and surroundings: what separates `key = "a8Fz..."`
 * from `key = resolveKey(cfg)` or `exports.apiKey = apiKey` in code.
 */
function valueLooksLiteral(v: ValueCheck, group: { text: string; index: number }, m: RegExpExecArray, line: string): boolean {
  const s = group.text;
  let digits = 0;
  let lower = 0;
  let upper = 0;
  let symbol = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) digits++;
    else if (c >= 97 && c <= 122) lower = 1;
    else if (c >= 65 && c <= 90) upper = 1;
    else symbol = 1;
  }
  const quoted = /["'`]/.test(line.charAt(group.index - 1));
  if (digits < v.minDigits && !(quoted && v.quotedMinEntropy !== undefined && shannonEntropy(s) >= v.quotedMinEntropy)) return false;
  if (lower + upper + (digits > 0 ? 1 : 0) + symbol < v.minClasses) return false;
  const end = group.index + s.length;
  if (v.notFollowedBy && v.notFollowedBy.test(line.slice(end, end + 16))) return false;
  if (v.notPrecededBy && v.notPrecededBy.test(line.slice(Math.max(0, m.index - 16), m.index))) return false;
  if (v.precededBy && !v.precededBy.test(line.slice(Math.max(0, m.index - 400), m.index))) return false;
  if (v.notUnquotedName && !quoted && digits === 0 && NAME_OR_PATH.test(s)) return false;
  if (v.notSelfAssigned && !quoted) {
    const name = /([A-Za-z0-9_$]+)["']?\s*(?:=>|:=|=|:)\s*$/.exec(line.slice(Math.max(0, group.index - 160), group.index));
    if (name && name[1]!.toLowerCase() === s.toLowerCase()) return false;
  }
  return true;
}

/** A plain loop: this runs for every rule on every matched line. */
function hasKeyword(lower: string, keywords: readonly string[]): boolean {
  for (let i = 0; i < keywords.length; i++) if (lower.includes(keywords[i]!)) return true;
  return false;
}

function pickGroup(m: RegExpExecArray, secretGroup: number): { text: string; index: number } | undefined {
  const start = m.index;
  if (secretGroup === 0) return { text: m[0], index: start };
  let n = secretGroup;
  if (n < 0) {
    // gitleaks: without an explicit group, the first group that matched, else the whole match.
    n = m.findIndex((g, i) => i > 0 && g !== undefined && g.length > 0);
    if (n < 0) return { text: m[0], index: start };
  }
  const text = m[n];
  if (text === undefined) return undefined;
  // JS gives no group offsets without the `d` flag; the group is inside the match, find it there.
  const off = m[0].lastIndexOf(text);
  return { text, index: start + Math.max(0, off) };
}

function pathAllowed(lists: readonly RuleAllowlist[], path: string): boolean {
  return lists.some((a) => a.paths.some((p) => p.test(path)));
}

function allowlisted(lists: readonly RuleAllowlist[], t: { secret: string; match: string; line: string }): boolean {
  const lowerSecret = t.secret.toLowerCase();
  return lists.some(
    (a) =>
      (a.stopwordRegex ? a.stopwordRegex.test(t.secret) : a.stopwords.some((w) => lowerSecret.includes(w))) ||
      a.regexes.some((r) => r.test(t[a.regexTarget])),
  );
}

/**
 * Several rules can see the same secret (a provider key in an `api_key = ...` line also fits the
 * generic rule). Keep one finding per span: the more specific family, then the higher severity.
 */
function dropOverlaps(found: Detection[]): Detection[] {
  const rank = (d: Detection) => (d.family === 'generic' ? 1 : 0) * 10 + SEVERITY_RANK[d.severity];
  const sorted = found.map((d, i) => ({ d, i })).sort((a, b) => rank(a.d) - rank(b.d) || a.i - b.i);
  const kept: Detection[] = [];
  for (const { d } of sorted) {
    if (kept.some((k) => d.index < k.index + k.length && d.index + d.length > k.index)) continue;
    kept.push(d);
  }
  return kept.sort((a, b) => a.index - b.index);
}
