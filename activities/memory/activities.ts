/**
 * Memory activities: snapshot a host's memory files into the backup repository, plan a restore
 * against a baseline, restore. Each opens the host and the repository afresh, so any of them can
 * run after a worker restart with nothing carried over.
 */
import type { HostSpec } from '../../lib/inventory/schema.js';
import { asActivity } from '../hosts/failures.js';
import { beating } from '../hosts/heartbeat.js';
import type { QuarantineSettings } from '../hosts/quarantine-base.js';
import type { BackupRepoSettings } from './backup-repo.js';
import { planMemoryRestore, type BaselineChoice, type MemoryPlan } from './plan.js';
import { restoreMemory, type RestoreInput, type RestoreResult } from './restore.js';
import { snapshotHost, type SnapshotResult } from './snapshot.js';

export interface MemoryActivityDeps {
  backup: BackupRepoSettings;
  quarantine: QuarantineSettings;
}

export function createMemoryActivities(deps: MemoryActivityDeps) {
  return {
    async memorySnapshot(input: { host: HostSpec }): Promise<SnapshotResult> {
      return asActivity(() => beating(() => snapshotHost(input.host, deps.backup, new Date())));
    },
    async memoryPlan(input: { host: HostSpec } & BaselineChoice): Promise<MemoryPlan> {
      return asActivity(() => beating(() => planMemoryRestore(input.host, deps.backup, { since: input.since, ref: input.ref })));
    },
    async memoryRestore(input: RestoreInput): Promise<RestoreResult> {
      return asActivity(() => beating(() => restoreMemory(input, deps.backup, deps.quarantine)));
    },
  };
}

export type MemoryActivities = ReturnType<typeof createMemoryActivities>;
