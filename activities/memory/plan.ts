/**
 * The restore plan for one host: which clean snapshot is the baseline, and every memory file
 * that differs from it, with a redacted unified diff. This is what the approver of a restore
 * sees; the restore itself refuses to run if the host moved on from it.
 */
import { UserError } from '../../lib/errors.js';
import type { HostSpec } from '../../lib/inventory/schema.js';
import { compareMemory, type MemoryChange } from '../../lib/memory/compare.js';
import { fileKey } from '../../lib/memory/files.js';
import { loadTamperRules } from '../../lib/memory/tamper/load.js';
import { scanMemoryText, type TamperFinding } from '../../lib/memory/tamper/scan.js';
import { BackupRepo, type BackupRepoSettings, type SnapshotCommit, type SnapshotManifest } from './backup-repo.js';
import { unifiedDiff } from './diff.js';
import { readLiveMemory, type LiveMemory } from './host-files.js';
import { openMemoryHost, type MemoryHost } from './memory-host.js';

export interface BaselineChoice {
  /** The last snapshot taken before this time (ISO 8601) is the baseline. */
  since?: string;
  /** Or an explicit commit or tag of the backup repository. */
  ref?: string;
}

export interface PlannedChange extends MemoryChange {
  /** Redacted unified diff, baseline -> live (absent for mode-only changes and links). */
  diff?: string;
  /** Suspicious content in the live file, line by line (tamper heuristics, lib/memory/tamper). */
  findings?: TamperFinding[];
}

export interface MemoryPlan {
  host: string;
  baseline: SnapshotCommit & BaselineChoice;
  changes: PlannedChange[];
  unchanged: number;
  /** Live files equal to the baseline that the heuristics still flag: the baseline itself may be tainted. */
  suspiciousUnchanged: Array<{ target: string; findings: TamperFinding[] }>;
  workspaces: Array<{ agent: string; workspace: string }>;
}

export interface PlanInputs {
  mh: MemoryHost;
  repo: BackupRepo;
  baseline: SnapshotCommit & BaselineChoice;
  snapshot: { manifest: SnapshotManifest; contents: Map<string, Buffer> };
  live: LiveMemory;
  changes: MemoryChange[];
}

export async function chooseBaseline(repo: BackupRepo, host: string, choice: BaselineChoice): Promise<SnapshotCommit & BaselineChoice> {
  if (choice.ref) return { ...(await repo.resolve(host, choice.ref)), ref: choice.ref };
  if (!choice.since) throw new UserError('restore-memory needs a baseline: since (an ISO time) or baseline (a commit or tag of the backup repository)');
  const t = Date.parse(choice.since);
  if (!/^\d{4}-\d{2}-\d{2}/.test(choice.since) || Number.isNaN(t)) throw new UserError(`since=${choice.since}: not an ISO 8601 time (e.g. 2026-11-30T08:00:00Z)`);
  const found = await repo.lastCommitFor(host, new Date(t).toISOString());
  if (!found) throw new UserError(`memory backup ${repo.settings.path}: no snapshot of host ${host} before ${choice.since}`);
  return { ...found, since: choice.since };
}

/** Everything a plan and a restore both need, read fresh from the host and the repository. */
export async function gatherPlanInputs(spec: HostSpec, backup: BackupRepoSettings, choice: BaselineChoice): Promise<PlanInputs> {
  // The repository first: a missing one must fail before anything touches the host.
  const repo = await BackupRepo.open(backup, { create: false });
  const baseline = await chooseBaseline(repo, spec.name, choice);
  const snapshot = await repo.readSnapshot(spec.name, baseline.commit);
  const mh = await openMemoryHost(spec);
  try {
    if (spec.transport.type === 'local') repo.assertOutside(mh.workspaces.map((w) => w.workspace));
    // Agents in the baseline whose workspace is not live any more are still read at the old path.
    const known = new Set(mh.workspaces.map((w) => w.workspace));
    const extra = snapshot.manifest.workspaces.filter((w) => !known.has(w.workspace) && !mh.workspaces.some((m) => m.agent === w.agent));
    const live = await readLiveMemory(mh.h.t, [...mh.workspaces, ...extra.map((w) => ({ ...w, isDefault: false }))]);
    const workspaceOf = (agent: string) => mh.workspaces.find((w) => w.agent === agent)?.workspace;
    const changes = compareMemory(snapshot.manifest.files, live, workspaceOf);
    return { mh, repo, baseline, snapshot, live, changes };
  } catch (e) {
    await mh.h.t.close();
    throw e;
  }
}

export async function planMemoryRestore(spec: HostSpec, backup: BackupRepoSettings, choice: BaselineChoice): Promise<MemoryPlan> {
  const p = await gatherPlanInputs(spec, backup, choice);
  try {
    const liveByKey = new Map(p.live.files.map((f) => [fileKey(f), f.content]));
    const redact = (s: string) => p.mh.h.t.redact(s);
    const rules = loadTamperRules();
    const findingsOf = new Map(p.live.files.map((f) => [fileKey(f), scanMemoryText(`${f.agent}/${f.path}`, f.content, rules)]));
    const changes: PlannedChange[] = [];
    for (const c of p.changes) {
      const key = fileKey(c);
      const before = c.baseline ? p.snapshot.contents.get(key) : undefined;
      const after = liveByKey.get(key);
      const diff = c.kind === 'modified' || c.kind === 'added' || c.kind === 'missing' ? await unifiedDiff(`${c.agent}/${c.path}`, before, after, redact) : undefined;
      const findings = findingsOf.get(key) ?? [];
      changes.push({ ...c, ...(diff !== undefined ? { diff } : {}), ...(findings.length ? { findings } : {}) });
    }
    const changed = new Set(p.changes.map(fileKey));
    const suspiciousUnchanged = p.live.files
      .filter((f) => !changed.has(fileKey(f)) && (findingsOf.get(fileKey(f))?.length ?? 0) > 0)
      .map((f) => ({ target: `${f.workspace}/${f.path}`, findings: findingsOf.get(fileKey(f))! }));
    return {
      host: spec.name,
      baseline: p.baseline,
      changes,
      unchanged: p.snapshot.manifest.files.length - p.changes.filter((c) => c.baseline).length,
      suspiciousUnchanged,
      workspaces: p.mh.workspaces.map(({ agent, workspace }) => ({ agent, workspace })),
    };
  } finally {
    await p.mh.h.t.close();
  }
}
