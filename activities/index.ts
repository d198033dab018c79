/**
 * Every activity the worker registers, built over injected dependencies (the worker wires the
 * real ones; tests may wire their own paths).
 */
import { join } from 'node:path';
import { AuditLog, type AuditEvent } from './audit/audit-log.js';
import { createExecActivities } from './exec/activities.js';
import { EffectLedger } from './exec/effect-ledger.js';
import { createHostActivities } from './hosts/activities.js';
import { createOpenclawActivities } from './openclaw/activities.js';
import { fingerprintSecretRefs } from './secrets/refs.js';
import { createSweepActivities, defaultSweepDeps } from './sweep/activities.js';

export interface ActivityDeps {
  stateDir: string;
  auditLogPath: string;
}

export function createActivities(deps: ActivityDeps) {
  const audit = new AuditLog(deps.auditLogPath);
  const ledger = new EffectLedger(join(deps.stateDir, 'effects'));
  return {
    ...createExecActivities(ledger),
    ...createHostActivities(),
    ...createOpenclawActivities(),
    ...createSweepActivities({
      ...defaultSweepDeps(),
      quarantineBase: process.env.RESPOND_QUARANTINE_DIR || join(deps.stateDir, 'quarantine'),
    }),
    async appendAudit(event: AuditEvent): Promise<void> {
      await audit.append(event);
    },
    async fingerprintSecrets(refs: Record<string, string>): Promise<Record<string, string>> {
      return fingerprintSecretRefs(refs);
    },
  };
}

export type Activities = ReturnType<typeof createActivities>;
