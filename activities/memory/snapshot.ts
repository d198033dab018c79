/**
 * Snapshot one host's memory files into the backup repository: read on the host (one command),
 * committed on the worker. A retry after a crash commits nothing new: the same files make the
 * same tree.
 */
import type { HostSpec } from '../../lib/inventory/schema.js';
import { fileKey } from '../../lib/memory/files.js';
import { assertBackupOutside, BackupRepo, manifestOf, type BackupRepoSettings } from './backup-repo.js';
import { readLiveMemory, type LiveMemory } from './host-files.js';
import { openMemoryHost } from './memory-host.js';

export interface SnapshotResult {
  host: string;
  commit: string;
  changed: boolean;
  files: number;
  bytes: number;
  workspaces: Array<{ agent: string; workspace: string }>;
  workspaceSource: string;
  /** Workspaces the host names that do not exist there. */
  missing: string[];
  /** Memory files that are symlinks: not followed, not kept. */
  links: string[];
}

export async function snapshotHost(spec: HostSpec, backup: BackupRepoSettings, at: Date): Promise<SnapshotResult> {
  const mh = await openMemoryHost(spec);
  try {
    // Only a local host's workspaces share the worker's filesystem with the backup.
    if (spec.transport.type === 'local') assertBackupOutside(backup.path, mh.workspaces.map((w) => w.workspace));
    const repo = await BackupRepo.open(backup, { create: true });
    const live = await readLiveMemory(mh.h.t, mh.workspaces);
    const { commit, changed } = await repo.commitSnapshot(
      spec.name,
      manifestOf(spec.name, mh.workspaces, live.files),
      contentsOf(live),
      `snapshot ${spec.name}: ${live.files.length} memory file(s) at ${at.toISOString()}`,
    );
    return {
      host: spec.name,
      commit,
      changed,
      files: live.files.length,
      bytes: live.files.reduce((n, f) => n + f.size, 0),
      workspaces: mh.workspaces.map(({ agent, workspace }) => ({ agent, workspace })),
      workspaceSource: mh.source,
      missing: live.missing,
      links: live.links.map((l) => `${l.workspace}/${l.path}`),
    };
  } finally {
    await mh.h.t.close();
  }
}

export function contentsOf(live: LiveMemory): Map<string, Buffer> {
  return new Map(live.files.map((f) => [fileKey(f), f.content]));
}
