/**
 * The schema of a rules file. One schema covers respond's own files and gitleaks configs:
 * respond's format is gitleaks' rule fields plus `family`, `severity`, `paths` and `samples`,
 * so a gitleaks TOML loads unchanged and respond files read familiar to anyone who knows it.
 */
import { z } from 'zod';
import { SEVERITIES } from '../types.js';

export const allowlistSchema = z
  .object({
    description: z.string().optional(),
    condition: z.enum(['OR', 'AND', 'or', 'and']).optional(),
    regexes: z.array(z.string()).default([]),
    regexTarget: z.enum(['secret', 'match', 'line']).default('secret'),
    stopwords: z.array(z.string()).default([]),
    paths: z.array(z.string()).default([]),
    // gitleaks allowlists may name commits; a file sweep has none, so they are accepted and unused.
    commits: z.array(z.string()).default([]),
  })
  .strict();

export const samplesSchema = z
  .object({
    /** Lines that must produce a finding for this rule. Clearly fake values only. */
    positive: z.array(z.string()).min(1),
    /** Lines that must not. */
    negative: z.array(z.string()).min(1),
    /** File path the samples are checked under, for rules scoped by `paths`. */
    path: z.string().optional(),
  })
  .strict();

/**
 * What the secret itself must look like, beyond entropy: checks that tell a literal value from
 * code. respond's own field; gitleaks files have none and keep its plain semantics.
 */
export const valueCheckSchema = z
  .object({
    /** At least this many digits: random keys nearly always have some, identifiers rarely. */
    minDigits: z.number().int().min(0).max(64).default(0),
    /** A quoted value short of `minDigits` still counts at this entropy (a random key that happens to have no digit). */
    quotedMinEntropy: z.number().min(0).max(8).optional(),
    /** At least this many of lower case, upper case, digit and symbol. */
    minClasses: z.number().int().min(1).max(4).default(1),
    /** Tested on the text right after the secret: a call `(`, a member access `.`, ... */
    notFollowedBy: z.string().optional(),
    /** Tested on the text right before the match: `exports.`, `typeof `, ... */
    notPrecededBy: z.string().optional(),
    /** Must match the line before the match (up to 400 characters): context rg need not look for. */
    precededBy: z.string().optional(),
    /** An unquoted value repeating the assigned name (`exports.fooToken = fooToken`) is code. */
    notSelfAssigned: z.boolean().default(false),
    /** An unquoted value shaped like a name or member path, with no digit (`token: grant.token`), is code. */
    notUnquotedName: z.boolean().default(false),
  })
  .strict();

export const ruleSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/i, 'use letters, digits, ".", "_" or "-"'),
    description: z.string().default(''),
    family: z.string().optional(),
    severity: z.enum(SEVERITIES).optional(),
    regex: z.string().min(1).optional(),
    secretGroup: z.number().int().min(0).optional(),
    entropy: z.number().min(0).max(8).optional(),
    keywords: z.array(z.string().min(1)).default([]),
    /** gitleaks: one path regex. respond: `paths`, any of several. */
    path: z.string().optional(),
    paths: z.array(z.string()).default([]),
    tags: z.array(z.string()).default([]),
    allowlist: allowlistSchema.optional(),
    allowlists: z.array(allowlistSchema).default([]),
    samples: samplesSchema.optional(),
    value: valueCheckSchema.optional(),
    // gitleaks composite rules; accepted so their files load, reported as unsupported.
    required: z.array(z.unknown()).optional(),
    skipReport: z.boolean().optional(),
  })
  .strict();

export const rulesFileSchema = z
  .object({
    title: z.string().optional(),
    minVersion: z.string().optional(),
    /** Default family for the file's rules. */
    family: z.string().optional(),
    extend: z.record(z.unknown()).optional(),
    allowlist: allowlistSchema.optional(),
    allowlists: z.array(allowlistSchema).default([]),
    rules: z.array(ruleSchema).default([]),
  })
  .strict();

export type RuleInput = z.infer<typeof ruleSchema>;
export type RulesFileInput = z.infer<typeof rulesFileSchema>;
