/**
 * Loading the memory tamper rules: read TOML, validate, compile each regex, and say exactly where
 * a bad file is wrong, in one line (`file:line:col: field: problem`), as the sweep's rules do.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseTomlText } from '../../toml-errors.js';
import type { ZodIssue } from 'zod';
import { UserError } from '../../errors.js';
import { projectRoot } from '../../project-root.js';
import type { Severity } from '../../sweep/types.js';
import { escapeRegex, fieldName, tomlLine } from '../../sweep/locate.js';
import {
  tamperRulesFileSchema,
  type TamperCategory,
  type TamperRuleInput,
} from './schema.js';

/** From the source tree, not beside this module: tsc does not copy the TOML file into dist/. */
export const DEFAULT_TAMPER_RULES = join(projectRoot(), 'lib', 'memory', 'tamper', 'rules.toml');

export interface TamperAllowlist {
  regexes: RegExp[];
  target: 'match' | 'line';
}

export interface TamperRule {
  id: string;
  category: TamperCategory;
  description: string;
  severity: Severity;
  /** The regex as written in the file. */
  pattern: string;
  /** Compiled with `g` and `u` (and `i` for ignoreCase): the scan walks a line's matches with lastIndex. */
  regex: RegExp;
  /** Lower-cased. */
  keywords: string[];
  entropy?: number;
  allowlists: TamperAllowlist[];
  samples: { positive: string[]; negative: string[] };
  /** `file:line` of the rule's id, for messages about the rule itself. */
  source: string;
}

let defaults: TamperRule[] | undefined;

/** The bundled rules when no path is given (parsed once per process), else the named file. */
export function loadTamperRules(path?: string): TamperRule[] {
  if (path === undefined && defaults) return defaults;
  const file = path ?? DEFAULT_TAMPER_RULES;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UserError(`${file}: cannot read tamper rules file: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  const rules = parseTamperRules(text, file);
  if (path === undefined) defaults = rules;
  return rules;
}

export function parseTamperRules(text: string, file: string): TamperRule[] {
  const raw = parseTomlText(text, file);
  const parsed = tamperRulesFileSchema.safeParse(raw);
  if (!parsed.success) throw issueError(file, text, parsed.error.issues[0]!);
  const firstSeen = new Map<string, string>();
  return parsed.data.rules.map((rule, i) => {
    const at = (...field: (string | number)[]) => `${file}:${position(text, ['rules', i, ...field])}`;
    const prev = firstSeen.get(rule.id);
    if (prev !== undefined) {
      throw new UserError(`${at('id')}: rules[${i}].id: duplicate rule id "${rule.id}" (first defined at ${prev})`);
    }
    firstSeen.set(rule.id, at('id'));
    return compileRule(rule, i, at);
  });
}

function compileRule(
  rule: TamperRuleInput,
  i: number,
  at: (...field: (string | number)[]) => string,
): TamperRule {
  const flags = rule.ignoreCase ? 'iu' : 'u';
  const regex = compileRegex(rule.regex, `${flags}g`, () => `${at('regex')}: rules[${i}].regex (${rule.id})`);
  // A pattern that can match nothing would flag every line of every file.
  regex.lastIndex = 0;
  if (regex.exec('')?.[0] === '') {
    throw new UserError(`${at('regex')}: rules[${i}].regex (${rule.id}): matches the empty string`);
  }
  regex.lastIndex = 0;
  return {
    id: rule.id,
    category: rule.category,
    description: rule.description,
    severity: rule.severity,
    pattern: rule.regex,
    regex,
    keywords: rule.keywords.map((k) => k.toLowerCase()),
    ...(rule.entropy !== undefined && { entropy: rule.entropy }),
    allowlists: rule.allowlists.map((a, j) => ({
      target: a.target,
      regexes: a.regexes.map((r, k) =>
        compileRegex(r, flags, () => `${at('allowlists', j, 'regexes')}: rules[${i}].allowlists[${j}].regexes[${k}] (${rule.id})`),
      ),
    })),
    samples: { positive: rule.samples.positive, negative: rule.samples.negative },
    source: at('id'),
  };
}

function compileRegex(pattern: string, flags: string, where: () => string): RegExp {
  if (/[\r\n]/.test(pattern)) throw new UserError(`${where()}: regex must be a single line`);
  // RE2 / PCRE habits from the sweep's rules: JS has no inline flags, so say what to write instead.
  if (/(?<!\\)\(\?[imsxU-]+[:)]/.test(pattern)) {
    throw new UserError(`${where()}: inline flags like (?i) are not JavaScript regex syntax; use ignoreCase = true`);
  }
  try {
    return new RegExp(pattern, flags);
  } catch (e) {
    throw new UserError(`${where()}: invalid regex: ${firstLine((e as Error).message)}`);
  }
}

/** `line:col` of the field at `path`; the column is where its key starts on that line (1 when the key is implicit). */
function position(text: string, path: readonly (string | number)[]): string {
  const line = tomlLine(text, path);
  const src = text.split(/\r?\n/)[line - 1] ?? '';
  const key = [...path].reverse().find((p): p is string => typeof p === 'string');
  let col = -1;
  if (key !== undefined) col = src.search(new RegExp(`["']?\\b${escapeRegex(key)}["']?\\s*=`));
  if (col < 0) col = Math.max(0, src.search(/\S/));
  return `${line}:${col + 1}`;
}

function issueError(file: string, text: string, issue: ZodIssue): UserError {
  let path = issue.path;
  let message = issue.message;
  if (issue.code === 'unrecognized_keys') {
    // Point at the stray key itself, not at its table.
    path = [...issue.path, issue.keys[0]!];
    message = `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  } else if (issue.code === 'invalid_type' && issue.received === 'undefined') {
    message = 'is required';
  }
  return new UserError(`${file}:${position(text, path)}: ${fieldName(path)}: ${message}`);
}

function firstLine(s: string): string {
  return s.split('\n')[0] ?? s;
}
