/**
 * Skills activities: plan (list, hash, classify against the allowlist), quarantine (move out of
 * the load path, confirm with the host's `openclaw skills list`), restore one from quarantine.
 */
import type { HostSpec } from '../../lib/inventory/schema.js';
import { asActivity } from '../hosts/failures.js';
import { beating } from '../hosts/heartbeat.js';
import type { QuarantineSettings } from '../hosts/quarantine-base.js';
import { planSkills, type SkillsPlan } from './plan.js';
import { quarantineSkills, restoreSkill, type QuarantineSkillsInput, type QuarantineSkillsResult, type SkillQuarantineEntry } from './quarantine.js';

export function createSkillsActivities(deps: { quarantine: QuarantineSettings }) {
  return {
    async skillsPlan(input: { host: HostSpec; allowlist: string }): Promise<SkillsPlan> {
      return asActivity(() => beating(() => planSkills(input.host, input.allowlist)));
    },
    async skillsQuarantine(input: QuarantineSkillsInput): Promise<QuarantineSkillsResult> {
      return asActivity(() => beating(() => quarantineSkills(input, deps.quarantine)));
    },
    async skillsRestore(input: { host: HostSpec; quarantineDir: string; name: string }): Promise<SkillQuarantineEntry> {
      return asActivity(() => beating(() => restoreSkill(input.host, input.quarantineDir, input.name)));
    },
  };
}

export type SkillsActivities = ReturnType<typeof createSkillsActivities>;
