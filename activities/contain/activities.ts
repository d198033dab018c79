/** Containment activities: read a gateway's exposure, and write the approved edits that close it. */
import type { HostSpec } from '../../lib/inventory/schema.js';
import type { ConfigEdit } from '../../lib/contain/exposure.js';
import { asActivity } from '../hosts/failures.js';
import { beating } from '../hosts/heartbeat.js';
import type { QuarantineSettings } from '../hosts/quarantine-base.js';
import { applyContain, planContain, type ContainPlan, type ContainResult } from './contain.js';

export function createContainActivities(deps: { quarantine: QuarantineSettings }) {
  return {
    async containPlan(input: { host: HostSpec }): Promise<ContainPlan> {
      return asActivity(() => beating(() => planContain(input.host)));
    },
    async containApply(input: { host: HostSpec; edits: ConfigEdit[]; label: string }): Promise<ContainResult> {
      return asActivity(() => beating(() => applyContain(input, deps.quarantine)));
    },
  };
}

export type ContainActivities = ReturnType<typeof createContainActivities>;
