/**
 * `snapshot`: commit one host's memory files (every agent workspace's bootstrap files and
 * memory notes, with modes and hashes) into the backup repository on the worker's side. Not
 * gated: it only reads the host. An unchanged host makes no new commit.
 */
import { proxyActivities } from '@temporalio/workflow';
import { z } from 'zod';
import type { MemoryActivities } from '../../activities/memory/activities.js';
import { parseDuration } from '../../lib/duration.js';
import { baseStep, durationText } from '../../lib/runbook/step-base.js';
import { hostEffect } from '../activity-options.js';
import type { HostStepKind } from './types.js';

const schema = baseStep.extend({ kind: z.literal('snapshot'), timeout: durationText.default('10m') }).strict();
export type SnapshotStep = z.infer<typeof schema>;

export const snapshotStep: HostStepKind<SnapshotStep> = {
  scope: 'host',
  schema,
  alwaysGated: false,
  describe: (step, ctx) => ({
    reads: 'every agent workspace: AGENTS.md SOUL.md TOOLS.md IDENTITY.md USER.md HEARTBEAT.md BOOTSTRAP.md MEMORY.md memory.md memory/**/*.md',
    into: "the worker's memory backup repository, one directory per host",
    transport: ctx.host.transport.type,
    timeout: step.timeout,
  }),
  async run(step, ctx) {
    const { memorySnapshot } = proxyActivities<MemoryActivities>(hostEffect(parseDuration(step.timeout), `snapshot memory of ${ctx.plan.host.name}`));
    const r = await memorySnapshot({ host: ctx.plan.host });
    const missing = r.missing.length ? `; ${r.missing.length} workspace(s) missing` : '';
    return {
      summary: `${r.files} memory file(s), ${r.bytes} bytes, ${r.changed ? 'new snapshot' : 'unchanged'} ${r.commit.slice(0, 12)}${missing}`,
      result: { ...r },
      changed: false,
    };
  },
};
