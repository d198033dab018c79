/**
 * The upgrade's order of work and its rollback, over injected operations. No I/O and no Node
 * imports: the workflow step runs it with activity proxies, tests and the bench with direct calls.
 */
import type { HostSpec } from '../lib/inventory/schema.js';
import type { UpgradePlan, VerifyResult } from '../activities/openclaw/upgrade.js';
import type { ManualAction, StartOutcome, StopOutcome } from '../activities/openclaw/gateway/control.js';
import type { ManagerRef } from '../activities/openclaw/gateway/types.js';

export interface UpgradeOps {
  plan(): Promise<UpgradePlan>;
  /** Resolves when approved; throws when rejected. */
  approve(plan: UpgradePlan): Promise<void>;
  /** Through whatever runs the gateway (its service manager, supervisor, or respond adopting it). */
  stop(): Promise<StopOutcome>;
  install(version: string): Promise<unknown>;
  /** With the manager the stop found, so the gateway comes back the way it was run. */
  start(manager?: ManagerRef): Promise<StartOutcome>;
  verify(version: string): Promise<VerifyResult>;
  /** Resolves once a person did what respond could not, and respond checked it; throws when refused. */
  manual(action: ManualAction): Promise<void>;
  /** Audit trail: compensation in particular must be recorded. */
  record(event: string, details: Record<string, unknown>): Promise<void>;
}

export interface UpgradeOutcome {
  plan: UpgradePlan;
  changed: boolean;
  verified?: VerifyResult;
}

export async function runUpgrade(ops: UpgradeOps): Promise<UpgradeOutcome> {
  const plan = await ops.plan();
  if (plan.action === 'none') {
    // Idempotent re-run: nothing to approve, nothing stopped or installed.
    await ops.record('upgrade.noop', { host: plan.host, version: plan.current });
    return { plan, changed: false };
  }
  await ops.approve(plan);
  await ops.record('upgrade.start', { host: plan.host, from: plan.current, to: plan.target });
  const manager = await stopGateway(ops);
  try {
    await ops.install(plan.target);
    await startGateway(ops, manager);
    const verified = await ops.verify(plan.target);
    await ops.record('upgrade.done', { host: plan.host, from: plan.current, to: plan.target });
    return { plan, changed: true, verified };
  } catch (err) {
    await rollback(ops, plan, err);
    throw err;
  }
}

/** Puts the previous version back and restarts it. A failed rollback is recorded; the original error still wins. */
export async function rollback(ops: Pick<UpgradeOps, 'stop' | 'install' | 'start' | 'verify' | 'record' | 'manual'>, plan: UpgradePlan, cause: unknown): Promise<boolean> {
  const reason = errorMessage(cause);
  await ops.record('upgrade.compensate.start', { host: plan.host, restore: plan.current, failed: plan.target, reason });
  try {
    const manager = await stopGateway(ops);
    await ops.install(plan.current);
    await startGateway(ops, manager);
    const verified = await ops.verify(plan.current);
    await ops.record('upgrade.compensate.done', { host: plan.host, version: verified.version, live: verified.live, token: verified.token });
    return true;
  } catch (undoErr) {
    await ops.record('upgrade.compensate.failed', {
      host: plan.host,
      restore: plan.current,
      error: errorMessage(undoErr),
    });
    return false;
  }
}

/** Stops the gateway, waiting for a person where respond cannot; returns the manager for the start. */
export async function stopGateway(ops: Pick<UpgradeOps, 'stop' | 'manual' | 'record'>): Promise<ManagerRef | undefined> {
  const r = await ops.stop();
  if (r.detail) await ops.record('gateway.stop.forced', { detail: r.detail });
  if (r.manual) {
    await ops.record('gateway.manual.waiting', { action: r.manual.action, instruction: r.manual.instruction });
    await ops.manual(r.manual);
    await ops.record('gateway.manual.confirmed', { action: r.manual.action });
  }
  return r.manager;
}

export async function startGateway(ops: Pick<UpgradeOps, 'start' | 'manual' | 'record'>, manager: ManagerRef | undefined): Promise<void> {
  const r = await ops.start(manager);
  if (r.manual) {
    await ops.record('gateway.manual.waiting', { action: r.manual.action, instruction: r.manual.instruction });
    await ops.manual(r.manual);
    await ops.record('gateway.manual.confirmed', { action: r.manual.action });
  }
}

/** The innermost message: Temporal wraps an activity's own error in an ActivityFailure whose message says only that. */
export function errorMessage(err: unknown): string {
  let e: unknown = err;
  while (e instanceof Error && e.cause instanceof Error) e = e.cause;
  return e instanceof Error ? e.message : String(e);
}

/** The activity calls an upgrade makes for one host, without Temporal (tests, bench, a CLI dry run). */
export function directUpgradeOps(
  acts: {
    openclawUpgradePlan(i: { host: HostSpec; target: string; minimumVersion?: string }): Promise<UpgradePlan>;
    openclawGatewayStop(i: { host: HostSpec }): Promise<StopOutcome>;
    openclawInstall(i: { host: HostSpec; version: string }): Promise<unknown>;
    openclawGatewayStart(i: { host: HostSpec; manager?: ManagerRef }): Promise<StartOutcome>;
    openclawVerify(i: { host: HostSpec; version: string }): Promise<VerifyResult>;
  },
  host: HostSpec,
  target: string,
  opts: {
    minimumVersion?: string;
    approve?: (plan: UpgradePlan) => Promise<void>;
    manual?: (action: ManualAction) => Promise<void>;
    record?: (event: string, details: Record<string, unknown>) => Promise<void>;
  } = {},
): UpgradeOps {
  return {
    plan: () => acts.openclawUpgradePlan({ host, target, minimumVersion: opts.minimumVersion }),
    approve: opts.approve ?? (async () => {}),
    stop: () => acts.openclawGatewayStop({ host }),
    install: (version) => acts.openclawInstall({ host, version }),
    start: (manager) => acts.openclawGatewayStart({ host, ...(manager ? { manager } : {}) }),
    verify: (version) => acts.openclawVerify({ host, version }),
    manual:
      opts.manual ??
      (async (a) => {
        throw new Error(`needs a person: ${a.instruction}`);
      }),
    record: opts.record ?? (async () => {}),
  };
}
