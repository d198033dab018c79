/** One host opened for skills work: its OpenClaw paths, agent workspaces and skill load roots. */
import type { HostSpec } from '../../lib/inventory/schema.js';
import { skillRoots, type SkillRoot } from '../../lib/skills/locations.js';
import { getPath } from '../openclaw/config.js';
import { runOpenclaw, type OpenclawHost } from '../openclaw/host.js';
import { expandHome } from '../openclaw/paths.js';
import { memoryHostOf, openMemoryHost, type MemoryHost } from '../memory/memory-host.js';

export interface SkillsHost extends MemoryHost {
  roots: SkillRoot[];
}

export async function openSkillsHost(spec: HostSpec): Promise<SkillsHost> {
  return rootsFor(await openMemoryHost(spec));
}

/** The same, over a host already open (one transport for several readers). */
export async function skillsHostOf(h: OpenclawHost): Promise<SkillsHost> {
  return rootsFor(await memoryHostOf(h));
}

function rootsFor(mh: MemoryHost): SkillsHost {
  const extra = getPath(mh.h.rawConfig, ['skills', 'load', 'extraDirs']);
  const roots = skillRoots({
    version: mh.h.pkg?.version ?? null,
    workspaces: mh.workspaces,
    stateDir: mh.h.stateDir,
    home: mh.h.home,
    defaultState: mh.h.stateDirSource === 'default',
    agentIds: mh.workspaces.map((w) => w.agent),
    extraDirs: Array.isArray(extra) ? extra.filter((d): d is string => typeof d === 'string' && d.trim() !== '').map((d) => expandHome(d, mh.h.home)) : [],
  });
  return { ...mh, roots };
}

export interface ListedSkill {
  name: string;
  source: string;
}

/** What the host's own OpenClaw says it loads: the proof a quarantine worked. */
export async function skillsListedByOpenclaw(sh: SkillsHost): Promise<ListedSkill[]> {
  const r = await runOpenclaw(sh.h, ['skills', 'list', '--json'], { timeoutMs: 120_000 });
  const start = r.stdout.indexOf('{');
  let parsed: unknown;
  try {
    parsed = r.exitCode === 0 && start >= 0 ? JSON.parse(r.stdout.slice(start)) : undefined;
  } catch {
    parsed = undefined;
  }
  const skills = (parsed as { skills?: unknown } | undefined)?.skills;
  if (!Array.isArray(skills)) {
    throw new Error(`${sh.h.t.description}: openclaw skills list --json gave no skill list (exit ${r.exitCode}): ${r.stderr.trim().split('\n')[0] ?? ''}`);
  }
  return skills
    .filter((s): s is { name: string; source?: string } => !!s && typeof (s as { name?: unknown }).name === 'string')
    .map((s) => ({ name: s.name, source: typeof s.source === 'string' ? s.source : 'unknown' }));
}
