/**
 * Rules are written in RE2/Rust syntax because ripgrep runs them over the files. After rg has
 * found a line, the detector re-runs the rule in JS on that one line to pull out the secret's
 * capture group, so the same pattern has to compile as a JS RegExp too. This module bridges the
 * few syntax differences that gitleaks-style rules actually use.
 */

const POSIX_CLASSES: Record<string, string> = {
  alnum: 'a-zA-Z0-9',
  alpha: 'a-zA-Z',
  digit: '0-9',
  lower: 'a-z',
  upper: 'A-Z',
  space: '\\s',
  xdigit: '0-9a-fA-F',
  word: '\\w',
  punct: '!-\\/:-@\\[-`{-~',
};

export interface Translated {
  source: string;
  flags: string;
}

/**
 * JS (Node 20) has no inline flag groups, so `(?i)` anywhere becomes the global `i` flag and
 * `(?-i:...)` a plain group. That only ever widens a match; the rg pass already decided the line
 * matches, and a wider JS match on that line is still bounded by the rule's own structure.
 */
export function translateRegex(pattern: string): Translated {
  let flags = '';
  let src = pattern;
  if (/\(\?[a-z]*i[a-z]*[):]/.test(src)) flags += 'i';
  if (/\(\?[a-z]*s[a-z]*[):]/.test(src)) flags += 's';
  // Drop standalone flag groups like (?i) or (?is); turn scoped (?i:...) / (?-i:...) into (?:...).
  src = src.replace(/\(\?-?[imsxU]+(?:-[imsxU]+)?\)/g, '');
  src = src.replace(/\(\?-?[imsxU]+(?:-[imsxU]+)?:/g, '(?:');
  src = src.replace(/\(\?P</g, '(?<');
  src = src.replace(/\\z/g, '$').replace(/\\A/g, '^');
  src = src.replace(/\[:(\^?)([a-z]+):\]/g, (whole, neg: string, name: string) => {
    const cls = POSIX_CLASSES[name];
    if (!cls || neg) return whole;
    return cls;
  });
  if (/\\[pP]\{/.test(src)) flags += 'u';
  return { source: src, flags };
}

/** Compiles for the detector; `g` is added because a line may hold several secrets. */
export function toJsRegex(pattern: string): RegExp {
  const t = translateRegex(pattern);
  return new RegExp(t.source, `${t.flags}g`);
}

/** Escapes a literal for rg's (Rust) regex syntax, which accepts `\` before ASCII punctuation except `<` and `>` (reserved for word boundaries). */
export function escapeRustRegex(literal: string): string {
  return literal.replace(/[\\.+*?()|[\]{}^$#&\-~/!"%',:;=@`]/g, (c) => `\\${c}`);
}
