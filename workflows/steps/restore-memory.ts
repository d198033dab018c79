/**
 * `restore-memory`: put one host's memory files back to the baseline its `memory-plan` step
 * chose. Always gated; the approval shows that plan (every differing file, how it differs, a
 * redacted diff), and the restore refuses if the host changed after it. Live versions go to a
 * 0700 quarantine with a manifest first; files dropped after the baseline are moved there too.
 * No undo: putting tampered files back is never what a later failure calls for; the quarantine
 * and its manifest are the way back by hand.
 */
import { ApplicationFailure, proxyActivities } from '@temporalio/workflow';
import { z } from 'zod';
import type { MemoryActivities } from '../../activities/memory/activities.js';
import type { MemoryPlan } from '../../activities/memory/plan.js';
import { liveMark } from '../../activities/memory/restore-marks.js';
import { parseDuration } from '../../lib/duration.js';
import type { TamperFinding } from '../../lib/memory/tamper/scan.js';
import { baseStep, durationText } from '../../lib/runbook/step-base.js';
import { hostEffect } from '../activity-options.js';
import { latestEarlier, type HostPlanContext, type HostStepKind } from './types.js';

const schema = baseStep
  .extend({
    kind: z.literal('restore-memory'),
    /** The `memory-plan` step whose plan this restores (default: the latest one on the host). */
    plan: z.string().optional(),
    timeout: durationText.default('10m'),
  })
  .strict();
export type RestoreMemoryStep = z.infer<typeof schema>;

function planned(step: RestoreMemoryStep, ctx: HostPlanContext): MemoryPlan | undefined {
  return latestEarlier(ctx, 'memory-plan', step.plan)?.plan as MemoryPlan | undefined;
}

function findingLine(f: TamperFinding): string {
  return `line ${f.line} col ${f.column}: ${f.reason} [${f.rule}, ${f.severity}]: ${f.excerpt}`;
}

export const restoreMemoryStep: HostStepKind<RestoreMemoryStep> = {
  scope: 'host',
  schema,
  alwaysGated: true,
  describe(step, ctx) {
    const plan = planned(step, ctx);
    const action = 'copy each differing live file to a 0700 quarantine dir with a manifest, write the baseline bytes with their recorded mode and owner, verify every hash, commit the restoration to the backup repository';
    if (!plan) return { action, plan: step.plan ?? 'the latest memory-plan step on the host' };
    return {
      action,
      baseline: `${plan.baseline.commit} (${plan.baseline.at}${plan.baseline.since ? `, last snapshot before ${plan.baseline.since}` : ''})`,
      changes: plan.changes.map((c) => ({
        file: c.target,
        change: c.kind,
        ...(c.baseline ? { baseline: `sha256 ${c.baseline.sha256.slice(0, 16)} mode ${c.baseline.mode} owner ${c.baseline.uid}:${c.baseline.gid}` } : {}),
        ...(c.live ? { live: 'link' in c.live ? `symlink to ${c.live.link}` : `sha256 ${c.live.sha256.slice(0, 16)} mode ${c.live.mode} owner ${c.live.uid}:${c.live.gid}` } : {}),
        ...(c.diff ? { diff: c.diff } : {}),
        ...(c.findings?.length ? { suspicious: c.findings.map(findingLine) } : {}),
      })),
      unchanged: plan.unchanged,
      ...(plan.suspiciousUnchanged?.length
        ? { 'suspicious in files equal to the baseline (the baseline may be tainted too)': plan.suspiciousUnchanged.map((u) => ({ file: u.target, suspicious: u.findings.map(findingLine) })) }
        : {}),
    };
  },
  gateHere: (step, ctx) => (planned(step, ctx)?.changes.length ?? 1) > 0,
  async run(step, ctx) {
    const plan = planned(step, ctx.plan);
    if (!plan) throw ApplicationFailure.nonRetryable(`step ${step.id}: no memory-plan step ran on ${ctx.plan.host.name} before it`, 'StepFailed');
    if (plan.changes.length === 0) return { summary: `already at baseline ${plan.baseline.commit.slice(0, 12)}`, result: { restored: [] }, changed: false };
    const { memoryRestore } = proxyActivities<MemoryActivities>(hostEffect(parseDuration(step.timeout), `restore memory of ${ctx.plan.host.name}`));
    const r = await memoryRestore({
      host: ctx.plan.host,
      baseline: plan.baseline.commit,
      expected: plan.changes.map((c) => ({ target: c.target, live: liveMark(c) })),
      // The host's workflow id and the step id name the quarantine dir, so an activity retry reuses it.
      label: `${ctx.workflowId}.${step.id}`.replace(/[^A-Za-z0-9._-]/g, '_'),
      incident: ctx.plan.incident,
    });
    return {
      summary: `${r.restored.length} file(s) restored to ${plan.baseline.commit.slice(0, 12)}; ${r.quarantined.length} live cop(ies) in ${r.quarantineDir ?? 'no quarantine'}; backup commit ${r.commit?.slice(0, 12) ?? 'none'}`,
      result: { ...r },
      changed: r.restored.length > 0,
    };
  },
};
