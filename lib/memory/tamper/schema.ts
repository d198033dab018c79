/**
 * The schema of the memory tamper rules file (rules.toml beside this module). Unlike the sweep's
 * rules these never go to ripgrep: the scan runs them in JS over a file already read, so the
 * regexes are plain JavaScript syntax, compiled with the `u` flag (`\p{...}`, `\u{E0000}` work;
 * inline flag groups like `(?i)` do not exist in JS, so case is a field: `ignoreCase`).
 */
import { z } from 'zod';
import { SEVERITIES } from '../../sweep/types.js';

/** What a rule looks for; the scan reports it but does not act on it. Kept so a report can group findings. */
export const TAMPER_CATEGORIES = [
  'exfiltration',
  'download-exec',
  'suspicious-url',
  'encoded-blob',
  'invisible-text',
  'prompt-override',
  'crypto-theft',
] as const;

export const tamperAllowlistSchema = z
  .object({
    description: z.string().optional(),
    /** JS regexes (same flags as the rule); one matching vetoes the finding and the scan looks for the rule's next match on the line. */
    regexes: z.array(z.string().min(1)).min(1),
    /** `match`: tested on the matched text only; `line`: on the whole line. */
    target: z.enum(['match', 'line']).default('match'),
  })
  .strict();

export const tamperSamplesSchema = z
  .object({
    /** Lines that must produce a finding for this rule. */
    positive: z.array(z.string()).min(2, 'give at least 2 positive samples'),
    /** Lines, benign memory-file text above all, that must not. */
    negative: z.array(z.string()).min(2, 'give at least 2 negative samples'),
  })
  .strict();

export const tamperRuleSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'use lower-case letters, digits, ".", "_" or "-"'),
    category: z.enum(TAMPER_CATEGORIES),
    /** Shown to the operator as the finding's reason: say what the text does, not how the regex works. */
    description: z.string().min(1),
    severity: z.enum(SEVERITIES),
    regex: z.string().min(1),
    ignoreCase: z.boolean().default(false),
    /** A line must contain one of these (compared lower-cased) before the regex runs: cheap and documents intent. */
    keywords: z.array(z.string().min(1)).default([]),
    /** Minimum Shannon entropy (bits per char) of the matched text: random blobs score high, prose low. */
    entropy: z.number().min(0).max(8).optional(),
    allowlists: z.array(tamperAllowlistSchema).default([]),
    samples: tamperSamplesSchema,
  })
  .strict();

export const tamperRulesFileSchema = z
  .object({
    title: z.string().optional(),
    rules: z.array(tamperRuleSchema).min(1),
  })
  .strict();

export type TamperCategory = (typeof TAMPER_CATEGORIES)[number];
export type TamperRuleInput = z.infer<typeof tamperRuleSchema>;
export type TamperRulesFileInput = z.infer<typeof tamperRulesFileSchema>;
