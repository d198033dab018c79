/**
 * Move skills that are not allowed out of OpenClaw's load path into a 0700 quarantine dir with a
 * manifest, then ask the host's own `openclaw skills list` whether they are gone. Never deletes:
 * `respond skills restore` moves one back.
 *
 * Crash-safe: the manifest names each skill's destination before the move, so a retry finds a
 * skill already moved (source gone, destination present) and goes on. A skill whose directory
 * changed since the approved plan is not moved (HostDrifted).
 */
import { ApplicationFailure } from '@temporalio/activity';
import { UserError } from '../../lib/errors.js';
import type { HostSpec } from '../../lib/inventory/schema.js';
import type { SkillSource } from '../../lib/skills/locations.js';
import { mustRun } from '../hosts/must-run.js';
import { openQuarantineDir, type QuarantineSettings } from '../hosts/quarantine-base.js';
import type { Transport } from '../hosts/transports/index.js';
import { readInstalledSkills } from './host-skills.js';
import { openSkillsHost, skillsListedByOpenclaw } from './skills-host.js';

export interface SkillToMove {
  name: string;
  dir: string;
  source: SkillSource;
  sha256: string;
  status: string;
}

export interface SkillQuarantineEntry extends SkillToMove {
  quarantinedAs: string;
  at: string;
  restoredAt?: string;
}

export interface SkillsQuarantineManifest {
  version: 1;
  host: string;
  incident: string;
  entries: SkillQuarantineEntry[];
}

export interface QuarantineSkillsInput {
  host: HostSpec;
  skills: SkillToMove[];
  label: string;
  incident: string;
}

export interface QuarantineSkillsResult {
  host: string;
  quarantineDir: string;
  manifest: string;
  moved: SkillQuarantineEntry[];
  /** What `openclaw skills list` showed afterwards, for the moved skills' names: empty when the move worked. */
  stillListed: Array<{ name: string; source: string }>;
}

export async function quarantineSkills(input: QuarantineSkillsInput, q: QuarantineSettings): Promise<QuarantineSkillsResult> {
  const sh = await openSkillsHost(input.host);
  const t = sh.h.t;
  try {
    const dir = await openQuarantineDir(t, input.host.transport.type === 'local', q, input.host.name, input.label);
    const manifestPath = `${dir}/manifest.json`;
    const manifest = await readManifest(t, manifestPath, input);

    const live = await readInstalledSkills(t, sh.roots);
    const liveByDir = new Map(live.map((s) => [s.dir, s]));
    for (const s of input.skills) {
      const known = manifest.entries.find((e) => e.dir === s.dir && e.sha256 === s.sha256);
      const now = liveByDir.get(s.dir);
      if (known && !now && (await exists(t, known.quarantinedAs))) continue;
      if (!now) throw ApplicationFailure.nonRetryable(`${input.host.name}: skill ${s.name} is no longer at ${s.dir}; nothing more was moved; plan and approve again`, 'HostDrifted');
      if (now.sha256 !== s.sha256) {
        throw ApplicationFailure.nonRetryable(`${input.host.name}: skill ${s.name} at ${s.dir} changed since the approved plan (hash ${now.sha256.slice(0, 16)}, approved ${s.sha256.slice(0, 16)}); nothing more was moved; plan and approve again`, 'HostDrifted');
      }
      const entry = known ?? { ...s, quarantinedAs: `${dir}/${String(manifest.entries.length).padStart(4, '0')}-${s.source}-${safe(s.name)}`, at: new Date().toISOString() };
      if (!known) {
        manifest.entries.push(entry);
        await writeManifest(t, manifestPath, manifest);
      }
      // -T: the destination is the skill dir itself, never a dir to move into.
      await must(t, 'mv', ['-T', '--', s.dir, entry.quarantinedAs]);
    }

    const names = new Set(input.skills.map((s) => s.name));
    const moved = new Set(input.skills.map((s) => `${s.name}\0${s.source}`));
    const listed = sh.h.pkg ? await skillsListedByOpenclaw(sh) : [];
    const stillListed = listed.filter((l) => names.has(l.name) && moved.has(`${l.name}\0${l.source}`));
    if (stillListed.length > 0) {
      throw new Error(`${input.host.name}: after the move openclaw skills list still shows ${stillListed.map((l) => `${l.name} (${l.source})`).join(', ')}; the moved copies are in ${dir}`);
    }
    return { host: input.host.name, quarantineDir: dir, manifest: manifestPath, moved: manifest.entries.filter((e) => input.skills.some((s) => s.dir === e.dir)), stillListed };
  } finally {
    await t.close();
  }
}

/** Puts one quarantined skill back where it was, if nothing has taken its place. */
export async function restoreSkill(spec: HostSpec, quarantineDir: string, name: string): Promise<SkillQuarantineEntry> {
  const sh = await openSkillsHost(spec);
  const t = sh.h.t;
  try {
    const manifestPath = `${quarantineDir.replace(/\/+$/, '')}/manifest.json`;
    const text = await t.readFile(manifestPath);
    if (text === null) throw new UserError(`${spec.name}: no skills quarantine manifest at ${manifestPath}`);
    const manifest = JSON.parse(text) as SkillsQuarantineManifest;
    const entry = manifest.entries.find((e) => e.name === name && !e.restoredAt);
    if (!entry) throw new UserError(`${spec.name}: ${manifestPath} holds no quarantined skill named ${name}${manifest.entries.length ? ` (it holds ${manifest.entries.map((e) => e.name).join(', ')})` : ''}`);
    if (await exists(t, entry.dir)) throw new UserError(`${spec.name}: ${entry.dir} exists; move it away first, nothing was restored`);
    await must(t, 'mkdir', ['-p', '--', entry.dir.slice(0, entry.dir.lastIndexOf('/')) || '/']);
    await must(t, 'mv', ['-T', '--', entry.quarantinedAs, entry.dir]);
    entry.restoredAt = new Date().toISOString();
    await writeManifest(t, manifestPath, manifest);
    return entry;
  } finally {
    await t.close();
  }
}

async function readManifest(t: Transport, path: string, input: QuarantineSkillsInput): Promise<SkillsQuarantineManifest> {
  const text = await t.readFile(path);
  if (text) return JSON.parse(text) as SkillsQuarantineManifest;
  return { version: 1, host: input.host.name, incident: input.incident, entries: [] };
}

function writeManifest(t: Transport, path: string, m: SkillsQuarantineManifest): Promise<void> {
  return t.writeFile(path, `${JSON.stringify(m, null, 2)}\n`, { mode: 0o600 });
}

async function exists(t: Transport, path: string): Promise<boolean> {
  return (await t.run('test', ['-e', path], { timeoutMs: 30_000 })).exitCode === 0;
}

function safe(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]/g, '_');
}

/** A skill dir can be large, and a move across filesystems copies it. */
function must(t: Transport, cmd: string, args: string[]) {
  return mustRun(t, cmd, args, 120_000);
}
