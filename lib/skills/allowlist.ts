/**
 * The skills allowlist, in the hardening guides' shape:
 *
 *   allowed_skills:
 *     - { name: weather, version: 1.2.0, source: clawhub, sha256: <directory hash> }
 *   blocked_patterns: ["*wallet*", "solana-*"]
 *
 * A skill is allowed only by name and, where the entry gives them, the same version and the same
 * directory hash (`respond skills hash DIR`). Blocked patterns win over the list: a ClawHavoc
 * name allowed by mistake is still moved out.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { UserError } from '../errors.js';
import { parseYamlWithSchema } from '../yaml-errors.js';

export const allowlistSchema = z
  .object({
    allowed_skills: z
      .array(
        z
          .object({
            name: z.string().min(1),
            version: z.union([z.string(), z.number()]).transform(String).optional(),
            source: z.string().optional(),
            sha256: z
              .string()
              .regex(/^[0-9a-f]{64}$/i, 'a sha256 is 64 hex digits (respond skills hash DIR prints it)')
              .transform((s) => s.toLowerCase())
              .optional(),
          })
          .strict(),
      )
      .default([]),
    blocked_patterns: z.array(z.string().min(1)).default([]),
  })
  .strict();
export type SkillsAllowlist = z.infer<typeof allowlistSchema>;

export type SkillStatus = 'allowed' | 'unlisted' | 'hash-mismatch' | 'blocked';

export interface SkillIdentity {
  name: string;
  version?: string;
  sha256: string;
}

export function loadAllowlist(path: string): SkillsAllowlist {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UserError(`skills allowlist ${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  return parseAllowlist(text, path);
}

export function parseAllowlist(text: string, file: string): SkillsAllowlist {
  return parseYamlWithSchema(text, file, allowlistSchema);
}

/** Case-insensitive glob (`*`, `?`) on the skill's name; a pattern is the whole name. */
export function globToRegExp(pattern: string): RegExp {
  const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`, 'i');
}

export function classifySkill(skill: SkillIdentity, list: SkillsAllowlist): { status: SkillStatus; reason: string } {
  const blocked = list.blocked_patterns.find((p) => globToRegExp(p).test(skill.name));
  if (blocked) return { status: 'blocked', reason: `name matches blocked pattern "${blocked}"` };
  const entries = list.allowed_skills.filter((e) => e.name === skill.name);
  if (entries.length === 0) return { status: 'unlisted', reason: 'not on the allowlist' };
  const match = entries.find((e) => (e.sha256 === undefined || e.sha256 === skill.sha256) && (e.version === undefined || e.version === skill.version));
  if (match) return { status: 'allowed', reason: match.sha256 ? 'name and hash on the allowlist' : 'name on the allowlist (no hash pinned)' };
  const e = entries[0]!;
  if (e.sha256 !== undefined && e.sha256 !== skill.sha256) {
    return { status: 'hash-mismatch', reason: `directory hash ${skill.sha256.slice(0, 16)} is not the allowed ${e.sha256.slice(0, 16)}` };
  }
  return { status: 'hash-mismatch', reason: `version ${skill.version ?? '(none)'} is not the allowed ${e.version}` };
}
