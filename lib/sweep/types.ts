/**
 * Plain data records of the sweep: what a rule is after loading, what a finding is, and what a
 * sweep returns. Everything here is JSON-serialisable so it can cross the activity boundary and
 * feed every reporter unchanged. No field ever holds a full secret.
 */

export const SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;
export type Severity = (typeof SEVERITIES)[number];

export interface RuleAllowlist {
  /** Matched against the secret (or the whole match/line, per `regexTarget`). */
  regexes: RegExp[];
  regexTarget: 'secret' | 'match' | 'line';
  /** A secret containing one of these (case-insensitive) is a documentation example, not a leak. */
  stopwords: string[];
  /** The stopwords as one case-insensitive regex (one scan per secret instead of one per word); absent when there are none. */
  stopwordRegex?: RegExp;
  /** Files whose path matches are never reported for this rule. */
  paths: RegExp[];
}

/** A rule's checks on the secret's own shape (see the rules schema's `value`). */
export interface ValueCheck {
  minDigits: number;
  quotedMinEntropy?: number;
  minClasses: number;
  notFollowedBy?: RegExp;
  notPrecededBy?: RegExp;
  precededBy?: RegExp;
  notSelfAssigned: boolean;
  notUnquotedName: boolean;
}

/** A rule ready to run: `pattern` goes to ripgrep, `jsRegex` re-finds the match on the matched line to extract the secret. */
export interface CompiledRule {
  id: string;
  family: string;
  description: string;
  severity: Severity;
  /** The rule's regex as written (RE2/Rust syntax), handed to rg. */
  pattern: string;
  jsRegex: RegExp;
  secretGroup: number;
  /** Lower-cased; a line must contain one before the regex runs (gitleaks semantics). */
  keywords: string[];
  /** Minimum Shannon entropy (bits per char) of the secret; 0 disables. */
  entropy: number;
  /** When non-empty, the rule only reports in files whose path matches one of these. */
  paths: RegExp[];
  allowlists: RuleAllowlist[];
  value?: ValueCheck;
  /** Where the rule came from, for error messages and SARIF. */
  source: string;
}

export interface RuleSet {
  rules: CompiledRule[];
  /** Global allowlists (gitleaks `[allowlist]`), applied to every rule. */
  allowlists: RuleAllowlist[];
  /** Non-fatal notes from loading, e.g. gitleaks path-only rules that cannot run under rg. */
  warnings: string[];
}

export interface Finding {
  /** Stable across runs and line shifts: hash of rule, host, path, secret and occurrence. */
  id: string;
  ruleId: string;
  family: string;
  severity: Severity;
  description: string;
  host: string;
  path: string;
  line: number;
  /** 1-based byte column of the secret in the line. */
  column: number;
  /** `redactedPreview()` of the secret: family prefix and length only. */
  preview: string;
  /** The line with every known secret replaced and any other long token masked, truncated. */
  context: string;
  /** `fingerprint()` of the secret (sha256 prefix). */
  fingerprint: string;
  /** For exact hunting: the credential reference and how the value was encoded where found. */
  huntRef?: string;
  encoding?: string;
}

export type SkipReason = 'too-large' | 'binary' | 'unreadable' | 'excluded';

export interface SkippedFile {
  path: string;
  reason: SkipReason;
  /** Bytes, when known. */
  size?: number;
  detail?: string;
}

export interface SweepStats {
  bytesSearched: number;
  filesSearched: number;
  /**
   * Lines rg matched that produced no finding: dropped by allowlists, entropy, keywords or path
   * scope (or a regex dialect gap between rg and JS). Counted so a silent loss would show.
   */
  unattributedLines: number;
  elapsedMs: number;
  rgVersion: string;
}

export interface SweepResult {
  host: string;
  roots: string[];
  findings: Finding[];
  /** Findings hidden by the baseline, by id, so a report can say how many were accepted. */
  suppressed: string[];
  skipped: SkippedFile[];
  /** Roots that did not exist on the host: reported so a typo is visible. */
  missingRoots: string[];
  stats: SweepStats;
  /** The credential matrix the config pass used, when there were config files to read. */
  surface?: { source: 'host' | 'bundled'; version: string; paths: number };
  /** OpenClaw's own `secrets audit`, merged in: how many residues it named, and how many respond had not found. */
  openclawAudit?: {
    version: string;
    ran: boolean;
    note?: string;
    status?: string;
    residues?: number;
    covered?: number;
    added?: number;
    unread?: number;
  };
  warnings: string[];
}
