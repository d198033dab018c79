/**
 * Where OpenClaw loads file-backed skills from, highest precedence first (the package's
 * docs/tools/skills.md per release). 2026.1.x reads `<workspace>/skills`, the state dir's
 * `skills` and `skills.load.extraDirs`; later releases add `<workspace>/.agents/skills`,
 * `~/.agents/skills` (default state dir only) and per-agent workshop skills. Every root is
 * listed on every release: a skill dropped where this release does not look is not loaded, but
 * it is still not allowed, and the next upgrade would load it. `loaded` says which.
 * Bundled and plugin skills ship inside the package: they change with the install, not here.
 */
import { posix } from 'node:path';
import { compareVersions } from '../openclaw-version.js';

export type SkillSource =
  | 'openclaw-workspace'
  | 'agents-skills-project'
  | 'agents-skills-personal'
  | 'openclaw-managed'
  | 'openclaw-workshop'
  | 'openclaw-extra';

export interface SkillRoot {
  dir: string;
  /** The label `openclaw skills list --json` gives skills from this root. */
  source: SkillSource;
  /** The agent whose workspace this is (workspace and project roots). */
  agent?: string;
  /** Whether this release loads skills from here. */
  loaded: boolean;
}

export interface RootInputs {
  version: string | null;
  workspaces: ReadonlyArray<{ agent: string; workspace: string }>;
  stateDir: string;
  home: string;
  /** The state dir is the default `~/.openclaw` (personal agent skills load only then). */
  defaultState: boolean;
  agentIds: readonly string[];
  extraDirs: readonly string[];
}

/** The first release whose docs list `.agents/skills` roots (2026.1.29 ignores them, measured). */
const AGENTS_SKILLS_SINCE = '2026.2.0';

export function skillRoots(i: RootInputs): SkillRoot[] {
  const modern = i.version === null || compareVersions(i.version, AGENTS_SKILLS_SINCE) >= 0;
  const roots: SkillRoot[] = [];
  for (const w of i.workspaces) roots.push({ dir: posix.join(w.workspace, 'skills'), source: 'openclaw-workspace', agent: w.agent, loaded: true });
  for (const w of i.workspaces) roots.push({ dir: posix.join(w.workspace, '.agents', 'skills'), source: 'agents-skills-project', agent: w.agent, loaded: modern });
  roots.push({ dir: posix.join(i.home, '.agents', 'skills'), source: 'agents-skills-personal', loaded: modern && i.defaultState });
  roots.push({ dir: posix.join(i.stateDir, 'skills'), source: 'openclaw-managed', loaded: true });
  for (const id of i.agentIds) roots.push({ dir: posix.join(i.stateDir, 'agents', id, 'agent', 'workshop-skills'), source: 'openclaw-workshop', agent: id, loaded: modern });
  for (const d of i.extraDirs) roots.push({ dir: d, source: 'openclaw-extra', loaded: true });
  const seen = new Set<string>();
  return roots.filter((r) => (seen.has(r.dir) ? false : (seen.add(r.dir), true)));
}
