/** Evidence activities: preserve a host's state and count the incident window's signals. */
import type { HostSpec } from '../../lib/inventory/schema.js';
import { asActivity } from '../hosts/failures.js';
import { beating } from '../hosts/heartbeat.js';
import type { QuarantineSettings } from '../hosts/quarantine-base.js';
import { collectEvidence, type EvidenceResult } from './collect.js';

export function createEvidenceActivities(deps: { quarantine: QuarantineSettings }) {
  return {
    async evidenceCollect(input: { host: HostSpec; since: string; label: string }): Promise<EvidenceResult> {
      return asActivity(() => beating(() => collectEvidence(input, deps.quarantine)));
    },
  };
}

export type EvidenceActivities = ReturnType<typeof createEvidenceActivities>;
