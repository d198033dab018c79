/**
 * Restore one host's memory files to the approved baseline:
 *   1. refuse if the host moved on from the approved plan (a file changed again since);
 *   2. copy every live file that will be replaced or removed into a 0700 quarantine dir with a
 *      manifest, and check each copy's hash before touching the original;
 *   3. write the baseline's bytes with their recorded mode and owner (temp file + rename);
 *   4. read everything back: the host must now equal the baseline exactly;
 *   5. commit the restored state to the backup repository with the incident id.
 * Idempotent: a retry finds done files equal to the baseline and skips them; copies already in
 * quarantine are found in its manifest. Nothing is deleted: files dropped after the baseline
 * are moved to quarantine.
 */
import { ApplicationFailure } from '@temporalio/activity';
import type { HostSpec } from '../../lib/inventory/schema.js';
import { compareMemory, type MemoryChange } from '../../lib/memory/compare.js';
import { fileKey } from '../../lib/memory/files.js';
import type { Transport } from '../hosts/transports/index.js';
import { mustRun as must } from '../hosts/must-run.js';
import { openQuarantineDir, type QuarantineSettings } from '../hosts/quarantine-base.js';
import { manifestOf, type BackupRepoSettings } from './backup-repo.js';
import { readLiveMemory, writeMemoryFile } from './host-files.js';
import { gatherPlanInputs } from './plan.js';
import { liveMark } from './restore-marks.js';
import { contentsOf } from './snapshot.js';

export interface RestoreInput {
  host: HostSpec;
  baseline: string;
  /** The planned changes: target path and the live state the approver saw (sha256, or a link, or none). */
  expected: Array<{ target: string; live: string | null }>;
  /** Names the quarantine dir (workflow and step id), so a retry reuses it. */
  label: string;
  incident: string;
}

export interface QuarantineEntry {
  target: string;
  kind: MemoryChange['kind'];
  quarantinedAs: string;
  /** sha256 of a file, or `link:<target>` for a symlink. */
  live: string;
  mode?: string;
  uid?: number;
  gid?: number;
  at: string;
}

export interface RestoreResult {
  host: string;
  baseline: string;
  restored: Array<{ target: string; kind: MemoryChange['kind'] }>;
  quarantineDir?: string;
  manifest?: string;
  quarantined: QuarantineEntry[];
  /** The backup commit that records the restoration (absent when nothing needed restoring). */
  commit?: string;
}

export async function restoreMemory(input: RestoreInput, backup: BackupRepoSettings, q: QuarantineSettings): Promise<RestoreResult> {
  const p = await gatherPlanInputs(input.host, backup, { ref: input.baseline });
  const t = p.mh.h.t;
  try {
    const expected = new Map(input.expected.map((e) => [e.target, e.live]));
    for (const c of p.changes) {
      const planned = expected.get(c.target);
      // `planned === undefined`: a change nobody approved. A different live hash: edited since.
      if (planned === undefined || planned !== liveMark(c)) {
        throw ApplicationFailure.nonRetryable(
          `${input.host.name}: ${c.target} changed since the approved plan (${c.kind}); nothing was restored; plan and approve again`,
          'HostDrifted',
        );
      }
    }
    const result: RestoreResult = { host: input.host.name, baseline: input.baseline, restored: [], quarantined: [] };
    // Done before (or by an earlier attempt that died before its commit, which is then made).
    if (p.changes.length === 0 && (input.expected.length === 0 || (await p.repo.hasCommitMentioning(input.label)))) return result;

    if (input.expected.some((e) => e.live !== null)) {
      const dir = await openQuarantineDir(t, input.host.transport.type === 'local', q, input.host.name, input.label);
      const manifestPath = `${dir}/manifest.json`;
      const previous = await t.readFile(manifestPath);
      const entries: QuarantineEntry[] = previous ? (JSON.parse(previous) as { entries: QuarantineEntry[] }).entries : [];
      for (const c of p.changes.filter((x) => x.live)) {
        const mark = liveMark(c)!;
        if (entries.some((e) => e.target === c.target && e.live === mark)) continue;
        const quarantinedAs = `${dir}/${String(entries.length).padStart(4, '0')}-${c.agent}-${c.path.replace(/\//g, '_')}`;
        await copyVerified(t, c, quarantinedAs, mark);
        const owner = c.live && 'sha256' in c.live ? { mode: c.live.mode, uid: c.live.uid, gid: c.live.gid } : {};
        entries.push({ target: c.target, kind: c.kind, quarantinedAs, live: mark, ...owner, at: new Date().toISOString() });
        // Written after every copy, so a crash mid-way still leaves a manifest for every copy made.
        await t.writeFile(manifestPath, `${JSON.stringify({ version: 1, host: input.host.name, incident: input.incident, baseline: input.baseline, entries }, null, 2)}\n`, { mode: 0o600 });
      }
      Object.assign(result, { quarantineDir: dir, manifest: manifestPath, quarantined: entries });
    }

    for (const c of p.changes) {
      const content = c.baseline ? p.snapshot.contents.get(fileKey(c)) : undefined;
      // A link is removed (its copy is in quarantine) before the file goes where it pointed from.
      if (c.kind === 'link' || c.kind === 'added') await must(t, 'rm', ['-f', '--', c.target]);
      if (content && c.baseline) await writeMemoryFile(t, c.target, content, c.baseline);
      result.restored.push({ target: c.target, kind: c.kind });
    }

    // Proof: read it all again; the host must equal the baseline.
    const workspaceOf = (agent: string) => p.mh.workspaces.find((w) => w.agent === agent)?.workspace;
    const after = await readLiveMemory(t, [...p.mh.workspaces, ...p.snapshot.manifest.workspaces.filter((w) => !p.mh.workspaces.some((m) => m.agent === w.agent)).map((w) => ({ ...w, isDefault: false }))]);
    const left = compareMemory(p.snapshot.manifest.files, after, workspaceOf);
    if (left.length > 0) throw new Error(`${input.host.name}: after the restore ${left.map((c) => `${c.target} (${c.kind})`).join(', ')} still differ from the baseline; originals are in ${result.quarantineDir ?? 'place'}`);

    const { commit } = await p.repo.commitSnapshot(
      input.host.name,
      manifestOf(input.host.name, p.mh.workspaces, after.files),
      contentsOf(after),
      `restore ${input.host.name} to ${input.baseline.slice(0, 12)} for incident ${input.incident}: ${result.restored.length} file(s) [${input.label}]`,
      { allowEmpty: true },
    );
    result.commit = commit;
    return result;
  } finally {
    await t.close();
  }
}

async function copyVerified(t: Transport, c: MemoryChange, to: string, mark: string): Promise<void> {
  if (mark.startsWith('link:')) {
    await must(t, 'cp', ['-P', '-p', '--', c.target, to]);
    const r = await must(t, 'readlink', ['--', to]);
    if (`link:${r.stdout.replace(/\n$/, '')}` !== mark) throw new Error(`quarantined link ${to} does not match ${c.target}; nothing was restored`);
    return;
  }
  await must(t, 'cp', ['-p', '--', c.target, to]);
  await must(t, 'chmod', ['0600', '--', to]);
  const sum = (await must(t, 'sha256sum', ['--', to])).stdout.split(' ')[0];
  if (sum !== mark) throw new Error(`quarantined copy of ${c.target} does not match the original; nothing was restored`);
}
