/**
 * `verify`: the proof at the end of a response, read-only. An exact hunt for every old value the
 * run replaced on this host (the rotations whose revoke kept it with `finish: false`) and every
 * stale value its scrub-stale step found, then OpenClaw's own `security audit --json` and, where
 * the release has it, `secrets audit --check`. Drops the kept old values from the worker's vault
 * afterwards. Fails (by default) when an old value is still in a file outside quarantine; one
 * found only inside a SQLite database (2026.9.x keeps device tokens, revoked ones too, in
 * state/openclaw.sqlite) is reported for a person, since respond does not rewrite a live database.
 */
import { ApplicationFailure, proxyActivities } from '@temporalio/workflow';
import { z } from 'zod';
import type { Activities } from '../../activities/index.js';
import type { RotationStatus } from '../../activities/rotation/activities.js';
import { parseDuration } from '../../lib/duration.js';
import { baseStep, durationText } from '../../lib/runbook/step-base.js';
import { bookkeeping, hostEffect } from '../activity-options.js';
import { latestEarlier, type HostPlanContext, type HostStepKind } from './types.js';

const schema = baseStep
  .extend({
    kind: z.literal('verify'),
    /** `old-values`: fail when an old value is still found; `never`: report only. */
    failOn: z.enum(['old-values', 'never']).default('old-values'),
    timeout: durationText.default('15m'),
  })
  .strict();
export type VerifyStep = z.infer<typeof schema>;

/** This host's rotations in this run, latest result per credential. */
function rotationsOf(ctx: HostPlanContext): Array<{ key: string; credential: string; state: string }> {
  const out = new Map<string, { key: string; credential: string; state: string }>();
  for (const e of Object.values(ctx.hostEarlier)) {
    const r = e.kind === 'rotate' ? (e.result.rotation as RotationStatus | undefined) : undefined;
    if (r?.key) out.set(r.key, { key: r.key, credential: r.credential, state: r.state });
  }
  return [...out.values()];
}

export const verifyStep: HostStepKind<VerifyStep> = {
  scope: 'host',
  schema,
  alwaysGated: false,
  describe: (step, ctx) => ({
    hunt: [...rotationsOf(ctx).map((r) => `old ${r.credential} value`), ...(latestEarlier(ctx, 'scrub-stale') ? ['the stale values scrub-stale found'] : [])],
    audits: ['openclaw security audit --json', 'openclaw secrets audit --check (where the release has it)'],
    failOn: step.failOn,
    timeout: step.timeout,
  }),
  async run(step, ctx) {
    const timeoutMs = parseDuration(step.timeout);
    const { verifyClean } = proxyActivities<Activities>(hostEffect(timeoutMs, `verify ${ctx.plan.host.name}`));
    const { rotationFinish } = proxyActivities<Activities>(bookkeeping);
    const rotations = rotationsOf(ctx.plan);
    const stale = latestEarlier(ctx.plan, 'scrub-stale') as { manifest?: string } | undefined;
    const r = await verifyClean({
      host: ctx.plan.host,
      rotations: rotations.filter((x) => x.state !== 'finished').map(({ key, credential }) => ({ key, credential })),
      ...(stale?.manifest ? { staleManifest: stale.manifest } : {}),
      timeoutMs,
    });
    // The hunt is done: the vault keeps no old value longer than it must.
    for (const x of rotations) if (x.state !== 'finished') await rotationFinish({ key: x.key });
    await ctx.record('verify.result', { hunted: r.hunted.length, stillHeld: r.stillHeld, inDatabase: r.inDatabase, securityAudit: r.securityAudit.summary ?? {}, secretsAudit: r.secretsAudit.status });
    const audit = r.securityAudit.summary ? `security audit ${Object.entries(r.securityAudit.summary).map(([k, v]) => `${v} ${k}`).join(', ')}` : `security audit: ${r.securityAudit.error ?? 'no summary'}`;
    const secrets = `secrets audit --check: ${r.secretsAudit.status}${r.secretsAudit.residues !== undefined ? ` (${r.secretsAudit.residues} residue(s))` : ''}`;
    if (r.stillHeld.length > 0 && step.failOn === 'old-values') {
      throw ApplicationFailure.nonRetryable(
        `${ctx.plan.host.name}: old values still on disk: ${r.stillHeld.map((x) => `${x.what} ${x.fingerprint} in ${x.paths.join(', ')}`).join('; ')}`,
        'NotClean',
      );
    }
    const hunted = r.hunted.length === 0 ? 'no old value to hunt' : r.stillHeld.length === 0 ? `none of ${r.hunted.length} old value(s) found in files` : `${r.stillHeld.length} of ${r.hunted.length} old value(s) still found`;
    const inDb = r.inDatabase.length ? `; ${r.inDatabase.length} only inside ${[...new Set(r.inDatabase.flatMap((x) => x.paths.map((p) => p.split('/').pop())))].join(', ')} (a person compacts it)` : '';
    return { summary: `${hunted}${inDb}${r.unavailable.length ? ` (${r.unavailable.length} no longer kept)` : ''}; ${audit}; ${secrets}`, result: { ...r }, changed: false };
  },
};
