/**
 * The skills plan for one host: every skill in every load root, its directory hash, and its
 * standing against the allowlist (allowed, unlisted, hash mismatch, blocked). Read-only; what
 * `quarantine-skills` shows for approval and then moves, refusing anything that changed since.
 */
import type { HostSpec } from '../../lib/inventory/schema.js';
import { classifySkill, loadAllowlist, type SkillStatus } from '../../lib/skills/allowlist.js';
import type { SkillSource } from '../../lib/skills/locations.js';
import { readInstalledSkills } from './host-skills.js';
import { openSkillsHost, skillsListedByOpenclaw } from './skills-host.js';

export interface PlannedSkill {
  name: string;
  version?: string;
  dir: string;
  source: SkillSource;
  agent?: string;
  /** Whether this release loads skills from the skill's root. */
  loaded: boolean;
  sha256: string;
  files: number;
  status: SkillStatus;
  reason: string;
  linkTarget?: string;
}

export interface SkillsPlan {
  host: string;
  allowlist: string;
  version: string | null;
  roots: Array<{ dir: string; source: SkillSource; loaded: boolean }>;
  skills: PlannedSkill[];
  /** Skills shipped in the package (bundled, plugin and custodian ones), by count: they change with the install. */
  packaged: number;
  /** File-backed skills the host's OpenClaw lists that no scanned root holds (a root respond does not know). */
  unlocated: Array<{ name: string; source: string }>;
}

const FILE_SOURCES = new Set(['openclaw-workspace', 'agents-skills-project', 'agents-skills-personal', 'openclaw-managed', 'openclaw-workshop']);

/** Without an allowlist (`respond skills list` to see what is there) every skill is unlisted. */
export async function planSkills(spec: HostSpec, allowlistPath: string | undefined): Promise<SkillsPlan> {
  // The allowlist first: a bad file must fail before anything is read from the host.
  const allow = allowlistPath ? loadAllowlist(allowlistPath) : { allowed_skills: [], blocked_patterns: [] };
  const sh = await openSkillsHost(spec);
  try {
    const installed = await readInstalledSkills(sh.h.t, sh.roots);
    const skills = installed.map((s): PlannedSkill => {
      const c = classifySkill({ name: s.name, version: s.version, sha256: s.sha256 }, allow);
      return {
        name: s.name,
        ...(s.version ? { version: s.version } : {}),
        dir: s.dir,
        source: s.root.source,
        ...(s.root.agent ? { agent: s.root.agent } : {}),
        loaded: s.root.loaded,
        sha256: s.sha256,
        files: s.files,
        status: c.status,
        reason: c.reason,
        ...(s.linkTarget ? { linkTarget: s.linkTarget } : {}),
      };
    });
    const listed = sh.h.pkg ? await skillsListedByOpenclaw(sh) : [];
    const found = new Set(skills.map((s) => `${s.name}\0${s.source}`));
    return {
      host: spec.name,
      allowlist: allowlistPath ?? '',
      version: sh.h.pkg?.version ?? null,
      roots: sh.roots.map(({ dir, source, loaded }) => ({ dir, source, loaded })),
      skills,
      // Extra-dir skills respond did not find come from plugins, which ship inside the install.
      packaged: listed.filter((l) => !FILE_SOURCES.has(l.source) && !found.has(`${l.name}\0${l.source}`)).length,
      unlocated: listed.filter((l) => FILE_SOURCES.has(l.source) && !found.has(`${l.name}\0${l.source}`)),
    };
  } finally {
    await sh.h.t.close();
  }
}

export function toQuarantine(plan: SkillsPlan): PlannedSkill[] {
  return plan.skills.filter((s) => s.status !== 'allowed');
}
