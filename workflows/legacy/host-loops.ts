/**
 * Frozen: how host steps ran before the fleet model (one loop per step inside the runbook
 * workflow, hosts one after another). Runs started before the `fleet-children` patch replay and
 * finish through this code, so it must keep issuing the same activity calls in the same order.
 * Do not change it; new behaviour goes into workflows/steps/ and workflows/fleet/.
 */
import { ApplicationFailure, proxyActivities } from '@temporalio/workflow';
import type { OpenclawActivities } from '../../activities/openclaw/activities.js';
import type { UpgradePlan } from '../../activities/openclaw/upgrade.js';
import type { SweepActivities } from '../../activities/sweep/activities.js';
import type { HostSpec } from '../../lib/inventory/schema.js';
import { parseDuration } from '../../lib/duration.js';
import { renderForPlan } from '../../lib/runbook/plan.js';
import type { PlanContext } from '../../lib/runbook/step-base.js';
import { renderTemplate, secretNamesIn } from '../../lib/template.js';
import { activities as platform, hostEffect, hostLong, hostQuick } from '../activity-options.js';
import { scrubResult } from '../steps/scrub.js';
import type { StepOutcome, StepRunContext } from '../steps/types.js';
import { errorMessage, rollback, runUpgrade, type UpgradeOps } from '../upgrade-flow.js';

/** The pre-fleet step shapes, as they sit in those runs' input. */
interface LegacyUpgradeStep {
  id: string;
  kind: 'upgrade-plan' | 'upgrade';
  inventory: string;
  hosts: string;
  version: string;
  minimumVersion: string;
}
interface LegacySweepStep {
  id: string;
  kind: 'sweep' | 'scrub';
  host?: string;
  inventory?: string;
  paths?: string[];
  extraPaths?: string[];
  hunt: string[];
  rules?: string[];
  baseline?: string;
  failOn?: 'any' | 'hunt' | 'never';
  timeout: string;
}
export type LegacyHostStep = LegacyUpgradeStep | LegacySweepStep;

const hostOps = proxyActivities<OpenclawActivities>(hostQuick);
const longOps = proxyActivities<OpenclawActivities>(hostLong);

export function legacyRun(step: LegacyHostStep, ctx: StepRunContext): Promise<StepOutcome> {
  switch (step.kind) {
    case 'upgrade-plan':
      return legacyUpgradePlan(step, ctx);
    case 'upgrade':
      return legacyUpgrade(step, ctx);
    case 'sweep':
      return legacySweep(step, ctx);
    case 'scrub':
      return legacyScrub(step, ctx);
  }
}

/** The planned action as those runs computed it, so a gate that was open keeps its hash. */
export function legacyDescribe(step: LegacyHostStep, ctx: PlanContext): Record<string, unknown> {
  if (step.kind === 'upgrade-plan' || step.kind === 'upgrade') {
    const version = renderForPlan(step.version, ctx);
    const found = Object.values(ctx.earlier ?? {}).filter((e) => e.kind === 'upgrade-plan');
    const plans = step.kind === 'upgrade' ? (found[found.length - 1]?.result.plans as UpgradePlan[] | undefined) : undefined;
    return {
      inventory: renderForPlan(step.inventory, ctx),
      hosts: renderForPlan(step.hosts, ctx),
      version,
      minimumVersion: renderForPlan(step.minimumVersion, ctx),
      ...(step.kind === 'upgrade'
        ? {
            perHost: ['stop gateway', `npm install openclaw@${version} (in the host's prefix, or -g)`, 'start gateway', 'verify version and token'],
            onFailure: 'reinstall the previous version, restart, verify (recorded in the audit log)',
          }
        : {}),
      ...(plans
        ? {
            current: plans.map((p) => `${p.host}: ${p.current} -> ${p.target} (${p.action}${p.gatewayLive ? '' : ', gateway down'})`),
            commands: Object.fromEntries(plans.map((p) => [p.host, p.commands])),
          }
        : {}),
    };
  }
  const sw = step as LegacySweepStep;
  const common = {
    host: sw.host ?? 'local',
    inventory: sw.inventory && renderForPlan(sw.inventory, ctx),
    paths: sw.paths?.map((p: string) => renderForPlan(p, ctx)) ?? 'OpenClaw default scope',
    extraPaths: sw.extraPaths?.map((p: string) => renderForPlan(p, ctx)),
    hunt: sw.hunt.map((h: string) => renderForPlan(h, ctx)),
  };
  return step.kind === 'sweep'
    ? { ...common, rules: sw.rules, baseline: sw.baseline, failOn: sw.failOn, timeout: sw.timeout }
    : {
        ...common,
        action: 'copy each file holding a hunted value to a 0700 quarantine dir with a manifest, then redact the value in place',
        timeout: sw.timeout,
      };
}

async function targets(step: LegacyUpgradeStep, ctx: StepRunContext) {
  const r = (t: string) => renderTemplate(t, ctx.plan);
  const hosts = await hostOps.openclawInventoryHosts({ inventory: r(step.inventory), hosts: r(step.hosts) });
  return { hosts, version: r(step.version), minimumVersion: r(step.minimumVersion) };
}

function opsFor(host: HostSpec, step: LegacyUpgradeStep, version: string, minimumVersion: string, ctx: StepRunContext): UpgradeOps {
  let seq = 0;
  return {
    plan: () => hostOps.openclawUpgradePlan({ host, target: version, minimumVersion }),
    approve: async () => {},
    stop: () => hostOps.openclawGatewayStop({ host }),
    install: (v) => longOps.openclawInstall({ host, version: v }),
    start: () => longOps.openclawGatewayStart({ host }),
    verify: (v) => hostOps.openclawVerify({ host, version: v }),
    // Runs recorded before adoption existed never met a gateway only a person could stop.
    manual: async (a) => {
      throw new Error(`needs a person: ${a.instruction}`);
    },
    record: async (event, details) =>
      void (await platform.appendAudit({
        id: `${ctx.workflowId}/${step.id}/${host.name}/${event}/${seq++}`,
        event,
        runbook: ctx.plan.runbook,
        step: step.id,
        host: host.name,
        actor: 'respond',
        result: details,
        ts: new Date().toISOString(),
        workflowId: ctx.workflowId,
        incident: ctx.plan.incident,
      })),
  };
}

async function legacyUpgradePlan(step: LegacyUpgradeStep, ctx: StepRunContext): Promise<StepOutcome> {
  const { hosts, version, minimumVersion } = await targets(step, ctx);
  const plans: UpgradePlan[] = [];
  for (const host of hosts) plans.push(await hostOps.openclawUpgradePlan({ host, target: version, minimumVersion }));
  return {
    summary: plans.map((p) => (p.action === 'none' ? `${p.host} already ${p.current}` : `${p.host} ${p.current} -> ${p.target}`)).join('; '),
    result: { plans },
  };
}

async function legacyUpgrade(step: LegacyUpgradeStep, ctx: StepRunContext): Promise<StepOutcome> {
  const { hosts, version, minimumVersion } = await targets(step, ctx);
  const changed: Array<{ ops: UpgradeOps; plan: UpgradePlan }> = [];
  const lines: string[] = [];
  for (const host of hosts) {
    const ops = opsFor(host, step, version, minimumVersion, ctx);
    try {
      const outcome = await runUpgrade(ops);
      if (outcome.changed) changed.push({ ops, plan: outcome.plan });
      lines.push(outcome.changed ? `${host.name} ${outcome.plan.current} -> ${version}` : `${host.name} unchanged at ${version}`);
    } catch (err) {
      throw ApplicationFailure.nonRetryable(
        `step ${step.id}: ${host.name}: ${errorMessage(err)} (rolled back; done before it: ${lines.join(', ') || 'none'})`,
        'UpgradeFailed',
      );
    }
  }
  return {
    summary: lines.join('; '),
    result: { hosts: lines },
    compensation: changed.length
      ? {
          description: `roll ${changed.map((c) => c.plan.host).join(', ')} back to their previous versions`,
          run: async () => {
            for (const c of [...changed].reverse()) {
              const ok = await rollback(c.ops, c.plan, new Error('a later step failed'));
              if (!ok) throw new Error(`rollback of ${c.plan.host} to ${c.plan.current} failed`);
            }
          },
        }
      : undefined,
  };
}

function huntRefs(hunt: readonly string[], ctx: StepRunContext): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of hunt.flatMap((h) => secretNamesIn(h))) {
    const ref = ctx.secretRefs[name];
    if (ref === undefined) throw ApplicationFailure.nonRetryable(`secret ${name} is not declared`, 'StepFailed');
    out[name] = ref;
  }
  return out;
}

async function legacySweep(step: LegacySweepStep, ctx: StepRunContext): Promise<StepOutcome> {
  const timeoutMs = parseDuration(step.timeout);
  const { sweepHost } = proxyActivities<SweepActivities>(hostEffect(timeoutMs, `sweep ${step.id}`));
  const render = (p: string) => renderTemplate(p, ctx.plan);
  const out = await sweepHost({
    host: step.host,
    inventory: step.inventory && render(step.inventory),
    roots: step.paths?.map(render),
    extraPaths: step.extraPaths?.map(render),
    hunt: huntRefs(step.hunt, ctx),
    ruleFiles: step.rules?.map(render),
    baselineFile: step.baseline && render(step.baseline),
    timeoutMs,
  });
  const stillHeld = Object.entries(out.huntHits).map(([name, files]) => `${name} in ${files.length} file(s)`);
  const summary =
    `${out.findings} finding(s) on ${out.host}` +
    (stillHeld.length ? `; still present: ${stillHeld.join(', ')}` : step.hunt.length ? '; hunted credentials gone' : '') +
    `; ${out.skippedTotal} skipped`;
  const result = { ...out } as unknown as Record<string, unknown>;
  if (step.failOn === 'any' ? out.findings > 0 : step.failOn === 'hunt' ? stillHeld.length > 0 : false) {
    throw ApplicationFailure.nonRetryable(`step ${step.id}: ${summary}`, 'StepFailed', result);
  }
  return { summary, result };
}

async function legacyScrub(step: LegacySweepStep, ctx: StepRunContext): Promise<StepOutcome> {
  const timeoutMs = parseDuration(step.timeout);
  const { scrubHost } = proxyActivities<SweepActivities>(hostEffect(timeoutMs, `scrub ${step.id}`));
  const render = (p: string) => renderTemplate(p, ctx.plan);
  const res = await scrubHost({
    host: step.host,
    inventory: step.inventory && render(step.inventory),
    roots: step.paths?.map(render),
    extraPaths: step.extraPaths?.map(render),
    hunt: huntRefs(step.hunt, ctx),
    label: `${ctx.workflowId}.${step.id}`.replace(/[^A-Za-z0-9._-]/g, '_'),
    timeoutMs,
  });
  return {
    summary: `${res.scrubbed.length} file(s) quarantined and redacted on ${res.host}; manifest ${res.manifest}`,
    result: scrubResult(res),
  };
}
