/**
 * Loading rules: read TOML, validate with the schema, compile each regex for the JS re-match,
 * and say exactly where a bad file is wrong. rg-side compilation is checked separately
 * (activities/sweep/rg-check.ts) because it needs the binary.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseTomlText } from '../../toml-errors.js';
import type { ZodIssue } from 'zod';
import { UserError } from '../../errors.js';
import { projectRoot } from '../../project-root.js';
import { escapeRegex, fieldName, tomlLine } from '../locate.js';
import { toJsRegex } from '../regex.js';
import type { CompiledRule, RuleAllowlist, RuleSet } from '../types.js';
import { rulesFileSchema, type RuleInput, type RulesFileInput } from './schema.js';

/** From the source tree, not beside this module: tsc does not copy the TOML files into dist/. */
export const DEFAULT_RULES_DIR = join(projectRoot(), 'lib', 'sweep', 'rules');

export interface RuleSample {
  ruleId: string;
  path: string;
  positive: string[];
  negative: string[];
}

export interface LoadedRules extends RuleSet {
  samples: RuleSample[];
}

export function parseRulesText(text: string, file: string): LoadedRules {
  const raw = parseTomlText(text, file);
  const parsed = rulesFileSchema.safeParse(raw);
  if (!parsed.success) throw issueError(file, text, parsed.error.issues[0]!);
  return compileFile(parsed.data, file, text);
}

export function loadRulesFile(file: string): LoadedRules {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UserError(`${file}: cannot read rules file: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  return parseRulesText(text, file);
}

/** The shipped default rules: every *.toml beside this module. */
export function loadDefaultRules(): LoadedRules {
  const files = readdirSync(DEFAULT_RULES_DIR)
    .filter((f) => f.endsWith('.toml'))
    .sort();
  return mergeRuleSets(files.map((f) => loadRulesFile(join(DEFAULT_RULES_DIR, f))), false);
}

/** Defaults plus user files; a user rule with a default's id replaces it (how one tunes a rule). */
export function loadRules(userFiles: readonly string[] = [], withDefaults = true): LoadedRules {
  const sets = withDefaults ? [loadDefaultRules()] : [];
  for (const f of userFiles) sets.push(loadRulesFile(f));
  return mergeRuleSets(sets, true);
}

function mergeRuleSets(sets: LoadedRules[], laterOverrides: boolean): LoadedRules {
  const byId = new Map<string, CompiledRule>();
  const samples = new Map<string, RuleSample>();
  const out: LoadedRules = { rules: [], allowlists: [], warnings: [], samples: [] };
  for (const s of sets) {
    for (const r of s.rules) {
      const prev = byId.get(r.id);
      if (prev && !laterOverrides) {
        throw new UserError(`${r.source}: rule id "${r.id}" is also defined in ${prev.source}`);
      }
      if (prev) samples.delete(r.id);
      byId.set(r.id, r);
    }
    for (const sm of s.samples) samples.set(sm.ruleId, sm);
    out.allowlists.push(...s.allowlists);
    out.warnings.push(...s.warnings);
  }
  out.rules = [...byId.values()];
  out.samples = [...samples.values()];
  return out;
}

function compileFile(data: RulesFileInput, file: string, text: string): LoadedRules {
  const out: LoadedRules = { rules: [], allowlists: [], warnings: [], samples: [] };
  if (data.extend) out.warnings.push(`${file}: [extend] ignored: gitleaks rules are added to respond's own defaults`);
  const seen = new Set<string>();
  const at = (path: (string | number)[]) => `${file}:${tomlLine(text, path)}`;
  const globals = [...(data.allowlist ? [data.allowlist] : []), ...data.allowlists];
  out.allowlists = globals.map((a, i) =>
    compileAllowlist(a, (field) => at(data.allowlist ? ['allowlist', field] : ['allowlists', i, field])),
  );
  data.rules.forEach((rule, i) => {
    const where = (field: string | (string | number)[]) =>
      at(['rules', i, ...(Array.isArray(field) ? field : [field])]);
    if (seen.has(rule.id)) throw new UserError(`${where('id')}: rules[${i}].id: duplicate rule id "${rule.id}"`);
    seen.add(rule.id);
    if (!rule.regex) {
      out.warnings.push(`${where('id')}: rule "${rule.id}" has no regex (path-only rules are not supported by a content sweep); skipped`);
      return;
    }
    if (rule.required) {
      out.warnings.push(`${where('id')}: rule "${rule.id}" is a composite gitleaks rule (required); not supported, skipped`);
      return;
    }
    const compiled = compileRule(rule, data.family, file, where);
    out.rules.push(compiled);
    if (rule.samples) {
      out.samples.push({
        ruleId: rule.id,
        path: rule.samples.path ?? 'sample.txt',
        positive: rule.samples.positive,
        negative: rule.samples.negative,
      });
    }
  });
  return out;
}

function compileRule(
  rule: RuleInput,
  fileFamily: string | undefined,
  file: string,
  where: (field: string | (string | number)[]) => string,
): CompiledRule {
  const regex = rule.regex!;
  const jsRegex = compileRegex(regex, () => `${where('regex')}: rules.${rule.id}.regex`);
  const paths = [...(rule.path ? [rule.path] : []), ...rule.paths].map((p, j) =>
    compileRegex(p, () => `${where(rule.path && j === 0 ? 'path' : 'paths')}: rules.${rule.id}.paths`, false),
  );
  const allowlists = [...(rule.allowlist ? [rule.allowlist] : []), ...rule.allowlists].map((a, j) =>
    compileAllowlist(a, (field) =>
      where(rule.allowlist && j === 0 ? ['allowlist', field] : ['allowlists', rule.allowlist ? j - 1 : j, field]),
    ),
  );
  if (rule.secretGroup !== undefined && rule.secretGroup > countGroups(jsRegex)) {
    throw new UserError(
      `${where('secretGroup')}: rules.${rule.id}.secretGroup: ${rule.secretGroup} but the regex has ${countGroups(jsRegex)} capture group(s)`,
    );
  }
  const value = rule.value && {
    minDigits: rule.value.minDigits,
    ...(rule.value.quotedMinEntropy !== undefined && { quotedMinEntropy: rule.value.quotedMinEntropy }),
    minClasses: rule.value.minClasses,
    notSelfAssigned: rule.value.notSelfAssigned,
    notUnquotedName: rule.value.notUnquotedName,
    ...(rule.value.notFollowedBy !== undefined && {
      notFollowedBy: compileRegex(rule.value.notFollowedBy, () => `${where(['value', 'notFollowedBy'])}: rules.${rule.id}.value.notFollowedBy`, false),
    }),
    ...(rule.value.precededBy !== undefined && {
      precededBy: compileRegex(rule.value.precededBy, () => `${where(['value', 'precededBy'])}: rules.${rule.id}.value.precededBy`, false),
    }),
    ...(rule.value.notPrecededBy !== undefined && {
      notPrecededBy: compileRegex(rule.value.notPrecededBy, () => `${where(['value', 'notPrecededBy'])}: rules.${rule.id}.value.notPrecededBy`, false),
    }),
  };
  return {
    id: rule.id,
    family: rule.family ?? fileFamily ?? 'custom',
    description: rule.description,
    severity: rule.severity ?? 'high',
    pattern: regex,
    jsRegex,
    secretGroup: rule.secretGroup ?? -1,
    keywords: rule.keywords.map((k) => k.toLowerCase()),
    entropy: rule.entropy ?? 0,
    paths,
    allowlists,
    ...(value && { value }),
    source: file,
  };
}

function compileAllowlist(
  a: NonNullable<RuleInput['allowlist']>,
  where: (field: string) => string,
): RuleAllowlist {
  return {
    regexes: a.regexes.map((r) => compileRegex(r, () => `${where('regexes')}: allowlist.regexes`, false)),
    regexTarget: a.regexTarget,
    stopwords: a.stopwords.map((s) => s.toLowerCase()),
    ...(a.stopwords.length > 0 && { stopwordRegex: new RegExp(a.stopwords.map(escapeRegex).join('|'), 'i') }),
    paths: a.paths.map((p) => compileRegex(p, () => `${where('paths')}: allowlist.paths`, false)),
  };
}

function compileRegex(pattern: string, where: () => string, global = true): RegExp {
  if (pattern.includes('\n')) throw new UserError(`${where()}: regex must be a single line`);
  try {
    const re = toJsRegex(pattern);
    return global ? re : new RegExp(re.source, re.flags.replace('g', ''));
  } catch (e) {
    throw new UserError(`${where()}: invalid regex: ${firstLine((e as Error).message)}`);
  }
}

function countGroups(re: RegExp): number {
  return (new RegExp(`${re.source}|`, re.flags.replace('g', '')).exec('')?.length ?? 1) - 1;
}

function issueError(file: string, text: string, issue: ZodIssue): UserError {
  const line = tomlLine(text, issue.path);
  return new UserError(`${file}:${line}: ${fieldName(issue.path)}: ${issue.message}`);
}

function firstLine(s: string): string {
  return s.split('\n')[0] ?? s;
}
