/**
 * Every activity the worker registers, built over injected dependencies (the worker wires the
 * real ones; tests may wire their own paths).
 */
import { join } from 'node:path';
import { AuditLog, type AuditEvent } from './audit/audit-log.js';
import type { AuditAnchor } from '../lib/audit-chain.js';
import { createExecActivities } from './exec/activities.js';
import { createFleetActivities } from './fleet/activities.js';
import { EffectLedger } from './exec/effect-ledger.js';
import { createHostActivities } from './hosts/activities.js';
import { quarantineSettings } from './hosts/quarantine-base.js';
import { createContainActivities } from './contain/activities.js';
import { createEvidenceActivities } from './evidence/activities.js';
import { createMemoryActivities } from './memory/activities.js';
import { createSkillsActivities } from './skills/activities.js';
import { createOpenclawActivities } from './openclaw/activities.js';
import { createPostureActivities } from './posture/activities.js';
import { createReportActivities } from './report/activities.js';
import { createRotationActivities } from './rotation/activities.js';
import { fingerprintSecretRefs } from './secrets/refs.js';
import { createSweepActivities, defaultSweepDeps } from './sweep/activities.js';

export interface ActivityDeps {
  stateDir: string;
  auditLogPath: string;
  /** The memory backup repository; default: the state dir's `memory-backup`. */
  memoryBackup?: { path: string; remote?: string };
}

export function createActivities(deps: ActivityDeps) {
  const audit = new AuditLog(deps.auditLogPath);
  const ledger = new EffectLedger(join(deps.stateDir, 'effects'));
  return registry(
    createContainActivities({ quarantine: quarantineSettings(deps.stateDir) }),
    createEvidenceActivities({ quarantine: quarantineSettings(deps.stateDir) }),
    createExecActivities(ledger),
    createFleetActivities(),
    createHostActivities(),
    createMemoryActivities({ backup: deps.memoryBackup ?? { path: join(deps.stateDir, 'memory-backup') }, quarantine: quarantineSettings(deps.stateDir) }),
    createOpenclawActivities(),
    createPostureActivities({ stateDir: deps.stateDir, auditLogPath: deps.auditLogPath, backup: deps.memoryBackup ?? { path: join(deps.stateDir, 'memory-backup') }, quarantine: quarantineSettings(deps.stateDir) }),
    createReportActivities({ stateDir: deps.stateDir, auditLogPath: deps.auditLogPath }),
    createRotationActivities({ stateDir: deps.stateDir }),
    createSkillsActivities({ quarantine: quarantineSettings(deps.stateDir) }),
    createSweepActivities(defaultSweepDeps(deps.stateDir)),
    {
      /** The result keeps the line's anchor in the workflow's history, for `respond audit verify`. */
      async appendAudit(event: AuditEvent): Promise<{ auditAnchor: AuditAnchor }> {
        const { outcome: _outcome, ...anchor } = await audit.append(event);
        return { auditAnchor: anchor };
      },
      /** Many events in one call (a fleet's dry-run records); each still idempotent by id. */
      async appendAuditBatch(events: AuditEvent[]): Promise<{ auditAnchors: AuditAnchor[] }> {
        const auditAnchors: AuditAnchor[] = [];
        for (const e of events) {
          const { outcome: _outcome, ...anchor } = await audit.append(e);
          auditAnchors.push(anchor);
        }
        return { auditAnchors };
      },
      async fingerprintSecrets(refs: Record<string, string>): Promise<Record<string, string>> {
        return fingerprintSecretRefs(refs);
      },
    },
  );
}

type Merge<T extends object[]> = T extends [infer H, ...infer R extends object[]] ? H & Merge<R> : unknown;

/** One namespace of activities; a name defined twice is a bug that would silently pick one. */
export function registry<T extends object[]>(...groups: T): Merge<T> {
  const out: Record<string, unknown> = {};
  for (const g of groups) {
    for (const [name, fn] of Object.entries(g)) {
      if (name in out) throw new Error(`activity ${name} is defined twice`);
      out[name] = fn;
    }
  }
  return out as Merge<T>;
}

export type Activities = ReturnType<typeof createActivities>;
