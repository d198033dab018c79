/**
 * `rotate`: one credential on one host, in the phases AWS Secrets Manager uses, one step per
 * phase so each gate sits where it must. `create` issues the new value and records it as pending
 * (no gate: nothing outside the worker's vault changes). `set` (gated, showing old and new
 * fingerprints) delivers it, installs it, tests it against the live service, promotes it and
 * waits out the overlap window on a durable timer. `revoke` (gated) restarts the gateway where
 * the host's version needs that for the rotation to take, proves the old value refused, moves
 * every stale copy to quarantine, and drops the values from the vault.
 */
import { ApplicationFailure, proxyActivities, sleep } from '@temporalio/workflow';
import { z } from 'zod';
import type { RotationStatus } from '../../activities/rotation/activities.js';
import type { Activities } from '../../activities/index.js';
import { formatDuration, parseDuration } from '../../lib/duration.js';
import { fleetCellOfStateDir, type FleetCellPath } from '../../lib/rotation/fleet-cell.js';
import { issuesFor } from '../../lib/rotation/known-issues.js';
import { baseStep, durationText } from '../../lib/runbook/step-base.js';
import { issuedAction, isIssued } from '../../lib/rotation/issuer-plan.js';
import { renderTemplate } from '../../lib/template.js';
import { hostEffect, hostQuick } from '../activity-options.js';
import { gatewayOps } from '../gateway-ops.js';
import { errorMessage, startGateway, stopGateway } from '../upgrade-flow.js';
import { scrubResult } from './scrub.js';
import { hostPathFor, type HostPlanContext, type HostStepKind } from './types.js';

const schema = baseStep
  .extend({
    kind: z.literal('rotate'),
    phase: z.enum(['create', 'set', 'revoke']),
    /** `gateway` (the host's gateway token or password) or a name under the host's `credentials:`; empty: skipped. */
    credential: z.string(),
    /** Run only when this comma list (usually `{{params.credentials}}`) names the credential, or says `all`. */
    only: z.string().optional(),
    /** set: a worker-side file (0600) that receives the new value; `{{host}}` names the host. */
    tokenFile: z.string().min(1).optional(),
    /** create (set: for the plan): the overlap, over the inventory's (usually `{{params.overlap}}`); `0` cuts over at once; empty: the inventory's. */
    overlap: z.string().optional(),
    /** revoke, gateway: end the paired-device tokens minted before the cut-over (default) or keep them. */
    devices: z.enum(['revoke', 'keep']).optional(),
    /** revoke: drop the old value from the worker's vault now (default), or keep it for a later `verify` step's hunt, which drops it. */
    finish: z.boolean().default(true),
    timeout: durationText.default('5m'),
  })
  .strict()
  .transform((s) => (s.phase !== 'create' && s.approval === undefined ? { ...s, approval: true as const } : s));
export type RotateStep = z.output<typeof schema>;

const quick = proxyActivities<Activities>(hostQuick);

/** What this run's create step for the same credential recorded on this host. */
function created(step: RotateStep, ctx: HostPlanContext): RotationStatus | undefined {
  const name = credentialOf(step, ctx);
  const found = Object.values(ctx.hostEarlier).filter(
    (e) => e.kind === 'rotate' && (e.result.rotation as RotationStatus | undefined)?.credential === name,
  );
  return found[0]?.result.rotation as RotationStatus | undefined;
}

function credentialOf(step: RotateStep, ctx: HostPlanContext): string {
  return renderTemplate(step.credential, ctx).trim();
}

/** Why this step does nothing on this host, or undefined when it runs. */
function skipReason(step: RotateStep, ctx: HostPlanContext): string | undefined {
  const name = credentialOf(step, ctx);
  if (!name) return 'no credential named for this step';
  if (name === 'gateway' && ctx.host.clientOf) return `this host is a remote client of ${ctx.host.clientOf}: its gateway.remote token follows that gateway's rotation`;
  if (step.only !== undefined) {
    const wanted = renderTemplate(step.only, ctx).split(',').map((x) => x.trim()).filter(Boolean);
    if (!wanted.includes('all') && !wanted.includes(name)) return `${name} is not among the selected credentials (${wanted.join(', ') || 'none'})`;
  }
  return undefined;
}

/** The step's overlap override, rendered: undefined when it defers to the inventory. */
function overlapOverride(step: RotateStep, ctx: HostPlanContext): number | undefined {
  const text = step.overlap === undefined ? '' : renderTemplate(step.overlap, ctx).trim();
  if (!text) return undefined;
  if (text === '0') return 0;
  try {
    return parseDuration(text);
  } catch {
    throw ApplicationFailure.nonRetryable(`step ${step.id}: overlap "${text}" is not a duration (use 0, 30s, 15m, 2h or 1d)`, 'BadOverlap');
  }
}

/** How long old and new both stay valid for this credential on this host. Pure. */
function overlapMsOf(step: RotateStep, name: string, ctx: HostPlanContext): number {
  const own = name === 'gateway' ? undefined : ctx.host.credentials?.[name];
  return overlapOverride(step, ctx) ?? (own ? parseDuration(own.overlap) : 0);
}

/** The provider and its overlap for this host, from the inventory and the step. Pure. */
function providerOf(step: RotateStep, name: string, ctx: HostPlanContext, rec?: RotationStatus): { provider: string; overlap: string } {
  if (name === 'gateway') return { provider: 'openclaw-gateway', overlap: 'none: cut-over (the gateway holds one token; the old one stops working when the new one is installed)' };
  const c = ctx.host.credentials?.[name];
  if (!c) return { provider: 'unknown: not in this host\'s inventory credentials', overlap: 'unknown' };
  // What create recorded is what set waits for; before create ran, what the step says.
  const ms = rec?.overlapMs ?? overlapMsOf(step, name, ctx);
  if (ms === 0) return { provider: c.provider, overlap: '0: no overlap (emergency): the old value is revoked as soon as the new one is tested and the revoke is approved' };
  const both = c.provider === 'aws-iam-access-key' ? 'old and new keys both active (IAM allows two)' : 'old and new values both valid at the issuer';
  return { provider: c.provider, overlap: `${formatDuration(ms)}: ${both}, on a durable timer, then the old one is revoked` };
}

function tokenFileFor(step: RotateStep, ctx: HostPlanContext, host?: string): string | undefined {
  return step.tokenFile ? hostPathFor(step.tokenFile, ctx, host) : undefined;
}

/** The remote clients (inventory clientOf) a gateway rotation carries along. */
function clientsOf(host: HostPlanContext['host'], provider: string): HostPlanContext['host'][] {
  return provider === 'openclaw-gateway' ? ((host.remoteClients ?? []) as unknown as HostPlanContext['host'][]) : [];
}

function clientsText(host: HostPlanContext['host'], phase: 'set' | 'revoke'): string {
  const names = clientsOf(host, 'openclaw-gateway').map((c) => c.name);
  if (!names.length) return '';
  return phase === 'set'
    ? `, then gateway.remote.token on its remote clients ${names.join(', ')} (each proven by its own openclaw gateway call health; if one cannot take it, the old token goes back everywhere)`
    : ` and in the scope of its remote clients ${names.join(', ')}`;
}

function restartReasons(version: string | null | undefined): string[] {
  return issuesFor(version, 'gateway-auth').map((i) => `${i.id} (fixed in ${i.fixedIn}): ${i.effect}`);
}

/**
 * The plan for the gateway token of an `openclaw fleet` cell: the token lives in the container
 * environment only, so the cut-over recreates the container through the fleet. Pure.
 */
function describeCell(step: RotateStep, ctx: HostPlanContext, cell: FleetCellPath, base: Record<string, unknown>, rec?: RotationStatus) {
  const t = cell.tenant;
  const port = ctx.host.gatewayPort;
  if (step.phase === 'create') {
    return {
      ...base,
      fleetCell: t,
      action: `read the token of openclaw fleet cell ${t} from its container environment (container inspection, never printed); nothing is issued now: openclaw fleet create generates the new token at set; nothing on the host changes`,
    };
  }
  const reasons = restartReasons(rec?.hostVersion);
  const warned = reasons.length ? { warnings: reasons, restart: `at revoke, restart cell ${t} with openclaw fleet stop/start`, explicitApproval: true } : {};
  if (step.phase === 'set') {
    const file = tokenFileFor(step, ctx);
    return {
      ...base,
      ...(rec && !rec.fingerprints.new ? { new: 'generated at the cut-over by openclaw fleet create (its fingerprint is recorded then)' } : {}),
      ...warned,
      fleetCell: t,
      overlap: 'none: cut-over (the cell container is recreated with the new token; the old one stops working with the old container)',
      ...(file ? { deliverTo: `${file} on the worker (0600), as soon as the fleet has made the value` } : {}),
      action:
        `recreate the container of openclaw fleet cell ${t} (state and port kept): openclaw fleet rm ${t} --force without --purge-data (both tenant data dirs stay), ` +
        `then openclaw fleet create ${t} with the same image, runtime, loopback port ${port}, limits, network and --env values; the fleet generates the new token, ` +
        `taken from its JSON result into the worker vault (never printed, never on a command line); prove over the live handshake on 127.0.0.1:${port}: new accepted, old rejected; ` +
        'on failure recreate the cell with the old token',
    };
  }
  return {
    ...base,
    ...warned,
    fleetCell: t,
    action: `prove the old token refused on cell ${t} (WebSocket handshake and HTTP bearer on 127.0.0.1:${port}), ${
      step.devices === 'keep'
        ? 'keep the paired-device tokens (devices: keep)'
        : "revoke every paired-device token minted before the cut-over (the cell's own openclaw devices revoke, in its container)"
    }, quarantine and redact every copy of it in the host scope, drop both values from the vault`,
  };
}

export const rotateStep: HostStepKind<RotateStep> = {
  scope: 'host',
  schema,
  alwaysGated: false,
  describe(step, ctx) {
    const skip = skipReason(step, ctx);
    if (skip) return { credential: credentialOf(step, ctx), phase: step.phase, skipped: skip };
    const name = credentialOf(step, ctx);
    const rec = created(step, ctx);
    const { provider, overlap } = providerOf(step, name, ctx, rec);
    const own = name === 'gateway' ? undefined : ctx.host.credentials?.[name];
    const sharedWith = own?.provider === 'aws-iam-access-key' ? own.consumers : undefined;
    const base = { credential: name, provider, phase: step.phase, ...(sharedWith ? { sharedWith } : {}) };
    const fps = rec ? { old: rec.fingerprints.old, new: rec.fingerprints.new, ...(rec.ids ? { ids: rec.ids } : {}), hostVersion: rec.hostVersion } : {};
    const gateway = provider === 'openclaw-gateway';
    const cell = gateway ? fleetCellOfStateDir(ctx.host.stateDir) : null;
    if (cell) return describeCell(step, ctx, cell, { ...base, ...fps }, rec);
    if (step.phase === 'create') {
      return {
        ...base,
        action: gateway
          ? 'issue a new random value (32 bytes) and record it as pending in the worker vault (0600); nothing on the host changes'
          : isIssued(own)
            ? issuedAction(own, 'create')
            : sharedWith
            ? `create a second access key for the IAM user once for all its consumers (${sharedWith.join(', ')}: the first host here creates it, the others join), pending in the worker vault (0600); the old key keeps working`
            : 'create a second access key for the IAM user and record it as pending in the worker vault (0600); the old key keeps working',
      };
    }
    const reasons = gateway ? restartReasons(rec?.hostVersion) : [];
    // Below the fixed releases a person must approve, knowing the gateway restarts at revoke.
    const warned = reasons.length
      ? { warnings: reasons, restart: 'at revoke, restart the gateway through what runs it, so the rotation takes on this version', explicitApproval: true }
      : {};
    if (step.phase === 'set') {
      const file = tokenFileFor(step, ctx);
      return {
        ...base,
        ...fps,
        ...warned,
        overlap,
        ...(file ? { deliverTo: `${file} on the worker (0600), before the cut-over` } : {}),
        action: gateway
          ? `write gateway.auth.token into the config the gateway reads (in place, atomically, 0600; through openclaw config for a JSON5 file)${clientsText(ctx.host, 'set')}, then prove over the live handshake: new accepted, old rejected; on failure put the old one back`
          : isIssued(own)
            ? issuedAction(own, 'set')
            : 'write the new key into the consumer\'s profile on the host (0600), prove it with STS GetCallerIdentity, then keep both keys active through the overlap; on failure put the old one back and delete the new key',
      };
    }
    return {
      ...base,
      ...fps,
      ...warned,
      action: gateway
        ? `prove the old value refused (WebSocket handshake and HTTP bearer), ${
            step.devices === 'keep'
              ? 'keep the paired-device tokens (devices: keep)'
              : 'revoke every paired-device token minted before the cut-over (openclaw devices revoke; a device pairs again with the new token)'
          }, quarantine and redact every copy of it in the host scope (config .bak files, logs, env files, histories)${clientsText(ctx.host, 'revoke')}, drop both values from the vault`
        : isIssued(own)
          ? issuedAction(own, 'revoke')
          : sharedWith
          ? `release this host's hold on the old access key; the last of ${sharedWith.join(', ')} to release it deactivates and deletes it and proves it refused by STS (a consumer that has not switched keeps it active); quarantine and redact every copy of its secret in this host's scope`
          : 'deactivate the old access key, delete it, prove it refused by STS, quarantine and redact every copy of its secret in the host scope, drop both values from the vault',
    };
  },
  // A person is not asked to approve a step that does nothing on this host.
  gateHere: (step, ctx) => skipReason(step, ctx) === undefined,
  async run(step, ctx) {
    const host = ctx.plan.host;
    const skip = skipReason(step, ctx.plan);
    if (skip) return { summary: `skipped: ${skip}`, changed: false };
    const name = credentialOf(step, ctx.plan);
    const timeoutMs = parseDuration(step.timeout);
    const acts = proxyActivities<Activities>(hostEffect(timeoutMs, `rotate ${name} ${step.phase} on ${host.name}`));
    if (step.phase === 'create') {
      const rotation = await acts.rotationCreate({
        host,
        credential: name,
        runKey: ctx.workflowId,
        incident: ctx.plan.incident,
        overlapMs: overlapMsOf(step, name, ctx.plan),
      });
      await ctx.record('rotation.created', { credential: name, key: rotation.key, fingerprints: rotation.fingerprints });
      return { summary: `${name}: new value ${rotation.newAtInstall ? `made at set by ${rotation.newAtInstall}` : `pending ${rotation.fingerprints.new}`} (old ${rotation.fingerprints.old ?? '?'})`, result: { rotation }, changed: true };
    }
    const rec = created(step, ctx.plan);
    if (!rec) throw ApplicationFailure.nonRetryable(`step ${step.id}: no earlier rotate create step for ${name} on this host`, 'NoRotation');
    if (step.phase === 'set') {
      let rotation: RotationStatus;
      try {
        rotation = await acts.rotationSet({ host, key: rec.key, tokenFile: tokenFileFor(step, ctx.plan, host.name) });
      } catch (err) {
        // Before promotion nothing revokes the old value: say so, so nobody assumes the host rotated.
        throw ApplicationFailure.nonRetryable(
          `${name} on ${host.name}: set did not finish (${errorMessage(err)}); the old value was not revoked and still works`,
          'RotationSetFailed',
        );
      }
      await ctx.record('rotation.promoted', { credential: name, key: rec.key, fingerprints: rotation.fingerprints, times: rotation.times, deliveredTo: rotation.deliveredTo });
      if (rotation.overlapMs > 0) {
        // The overlap: both values valid; a durable timer, so it survives a worker restart.
        const left = Date.parse(rotation.overlapEnds!) - Date.now();
        if (left > 0) await sleep(left);
      }
      return { summary: `${name}: ${rotation.fingerprints.new} installed and tested (${rotation.notes.at(-1) ?? ''})`, result: { rotation }, changed: true };
    }
    const reasons = rec.provider === 'openclaw-gateway' ? restartReasons(rec.hostVersion) : [];
    if (reasons.length) {
      await ctx.record('rotation.restart', { credential: name, reasons });
      const ops = gatewayOps(ctx);
      await startGateway(ops, await stopGateway(ops));
    }
    const proved = await acts.rotationRevoke({ host, key: rec.key, ...(step.devices ? { devices: step.devices } : {}) });
    const stillHeld = proved.state !== 'revoked';
    await ctx.record(stillHeld ? 'rotation.released' : 'rotation.revoked', { credential: name, key: rec.key, notes: proved.notes.filter((n) => !rec.notes.includes(n)) });
    const scrub = await acts.scrubHost({
      host,
      hunt: { [`old ${name} value`]: `rotation:${rec.key}:old` },
      // An exact hunt is cheap: beyond OpenClaw's default scope, the gateway's whole home and log dir.
      ...(rec.huntPaths ? { extraPaths: rec.huntPaths } : {}),
      ...(proved.keepPaths?.length ? { keep: proved.keepPaths } : {}),
      label: `${ctx.workflowId}.${step.id}`.replace(/[^A-Za-z0-9._-]/g, '_'),
      timeoutMs,
    });
    await ctx.record('rotation.scrubbed', scrubResult(scrub));
    // Remote clients held the old token too, in their config and wherever it was copied from there.
    let clientCopies = 0;
    for (const client of clientsOf(host, rec.provider)) {
      const cs = await acts.scrubHost({
        host: client,
        hunt: { [`old ${name} value`]: `rotation:${rec.key}:old` },
        label: `${ctx.workflowId}.${step.id}.${client.name}`.replace(/[^A-Za-z0-9._-]/g, '_'),
        timeoutMs,
      });
      clientCopies += cs.scrubbed.length;
      await ctx.record('rotation.scrubbed', { client: client.name, ...scrubResult(cs) });
    }
    // Runs recorded before `finish` existed have no such field: they finished here.
    const rotation = step.finish !== false ? await acts.rotationFinish({ key: rec.key }) : proved;
    return {
      summary: `${name}: ${
        stillHeld ? `switched here; the shared old ${rotation.fingerprints.old} stays active (${proved.notes.at(-1) ?? ''})` : `old ${rotation.fingerprints.old} refused${reasons.length ? ' after a restart' : ''}`
      }; ${scrub.scrubbed.length + clientCopies} stale cop${scrub.scrubbed.length + clientCopies === 1 ? 'y' : 'ies'} quarantined`,
      result: { rotation, scrub: scrubResult(scrub) },
      changed: true,
    };
  },
  async undo(step, outcome, ctx) {
    // Only the create phase undoes: once promoted, going back would restore a compromised value.
    if (step.phase !== 'create' || !outcome.result?.rotation) return;
    const rec = outcome.result?.rotation as RotationStatus;
    await quick.rotationAbandon({ host: ctx.plan.host, key: rec.key, reason: 'a later step on this host failed' });
  },
};
