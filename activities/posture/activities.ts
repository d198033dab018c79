/** Posture activities: one host's checks, and the run's record with its drift from the last one. */
import { Context } from '@temporalio/activity';
import { gatherRun } from '../report/write-report.js';
import { asActivity } from '../hosts/failures.js';
import { heartbeatIfInActivity } from '../hosts/heartbeat.js';
import { driftLine, postureDrift, statusCounts, type Drift, type PostureRecord } from '../../lib/posture/history.js';
import type { CheckResult } from '../../lib/posture/types.js';
import { postureHost, type PostureDeps, type PostureHostInput, type PostureHostResult } from './collect.js';
import { previousPostureRecord, savePostureRecord } from './history-store.js';
import { hardenApply, type HardenApplyInput, type HardenApplyResult } from './harden.js';

export interface PostureRecordResult {
  path: string;
  hosts: number;
  counts: Record<string, number>;
  /** Per check id, the hosts failing it. */
  failing: Record<string, string[]>;
  drift: { line: string; newlyFailing: number; fixed: number; changed: number; entries: Drift['newlyFailing'] };
}

export function createPostureActivities(deps: PostureDeps & { auditLogPath: string }) {
  return {
    async postureHost(input: PostureHostInput): Promise<PostureHostResult> {
      const beat = setInterval(() => heartbeatIfInActivity(), 5_000);
      try {
        return await asActivity(() => postureHost(input, deps));
      } finally {
        clearInterval(beat);
      }
    },
    async hardenApply(input: HardenApplyInput): Promise<HardenApplyResult> {
      return asActivity(() => hardenApply(input, deps.quarantine));
    },
    /** Reads each host child's `posture` result (by query) and keeps the run; idempotent by run id. */
    async postureRecord(input: { id: string; step: string }): Promise<PostureRecordResult> {
      const g = await gatherRun(Context.current().client, deps.auditLogPath, input.id);
      const record: PostureRecord = {
        id: input.id,
        at: new Date().toISOString(),
        hosts: Object.entries(g.results)
          .flatMap(([host, r]) => {
            const res = r[input.step]?.result as { version?: string | null; checks?: CheckResult[] } | undefined;
            return res?.checks ? [{ host, version: res.version ?? null, checks: res.checks }] : [];
          })
          .sort((a, b) => a.host.localeCompare(b.host)),
        failedHosts: (g.status.fleet?.failed ?? []).map((f) => ({ host: f.host, reason: f.reason })),
      };
      const drift = postureDrift(previousPostureRecord(deps.stateDir, record.id, record.at), record);
      const path = savePostureRecord(deps.stateDir, record);
      const failing: Record<string, string[]> = {};
      for (const h of record.hosts) for (const c of h.checks) if (c.status === 'fail') (failing[c.id] ??= []).push(h.host);
      return {
        path,
        hosts: record.hosts.length,
        counts: statusCounts(record),
        failing,
        drift: { line: driftLine(drift), newlyFailing: drift.newlyFailing.length, fixed: drift.fixed.length, changed: drift.changed.length, entries: drift.newlyFailing.slice(0, 50) },
      };
    },
  };
}

export type PostureActivities = ReturnType<typeof createPostureActivities>;
