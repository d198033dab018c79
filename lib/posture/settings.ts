/**
 * The posture settings a user writes (`--settings F`, default `<state dir>/posture.yaml` when it
 * exists): thresholds and allowlists. Validated like every user file: one line naming the file,
 * the field and the problem.
 */
import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { parseDuration, DURATION_PATTERN } from '../duration.js';
import { UserError } from '../errors.js';
import { compareVersions, isOpenclawVersion, MINIMUM_SAFE_VERSION } from '../openclaw-version.js';
import { parseYamlWithSchema } from '../yaml-errors.js';
import type { PostureSettings } from './types.js';

const duration = z.string().regex(DURATION_PATTERN, 'expected a duration such as 24h or 90d');

export const postureSettingsSchema = z
  .object({
    /** Raise the bar above respond's own minimum safe release (never lower it). */
    minimumVersion: z
      .string()
      .refine(isOpenclawVersion, 'expected an OpenClaw version such as 2026.9.6')
      .refine((v) => !isOpenclawVersion(v) || compareVersions(v, MINIMUM_SAFE_VERSION) >= 0, `cannot be below respond's minimum safe version ${MINIMUM_SAFE_VERSION}`)
      .optional(),
    snapshotMaxAge: duration.default('24h'),
    credentialMaxAge: duration.default('90d'),
    /** IP, IP:port, CIDR or CIDR:port; `*` for any port. */
    egressAllowlist: z.array(z.string().regex(/^\[?[0-9a-fA-F.:]+\]?(\/\d{1,3})?(:(\d+|\*))?$/, 'expected IP, IP:port, CIDR or CIDR:port')).default([]),
    allowedInboundPorts: z.array(z.number().int().min(1).max(65535)).default([22, 80, 443]),
    /** The skills allowlist (respond's skills-allowlist format); without one `skills` is unknown. */
    skillsAllowlist: z.string().min(1).optional(),
  })
  .strict();
export type PostureSettingsFile = z.infer<typeof postureSettingsSchema>;

export function parsePostureSettings(text: string, file: string): PostureSettingsFile {
  return parseYamlWithSchema(text, file, postureSettingsSchema);
}

export function loadPostureSettings(file: string | undefined): PostureSettingsFile {
  if (!file) return postureSettingsSchema.parse({});
  if (!existsSync(file)) throw new UserError(`${file}: posture settings file not found`);
  return parsePostureSettings(readFileSync(file, 'utf8'), file);
}

export function effectiveSettings(f: PostureSettingsFile, now: Date): PostureSettings {
  return {
    minimumVersion: f.minimumVersion ?? MINIMUM_SAFE_VERSION,
    snapshotMaxAgeHours: parseDuration(f.snapshotMaxAge) / 3_600_000,
    credentialMaxAgeDays: parseDuration(f.credentialMaxAge) / 86_400_000,
    egressAllowlist: f.egressAllowlist,
    allowedInboundPorts: f.allowedInboundPorts,
    now: now.toISOString(),
  };
}
