/**
 * One host's share of a fleet run: the runbook's host-scoped steps, in order, on one host. At a
 * gated step the host reports its planned action to the parent and waits for the wave's
 * approval; a failing step undoes this host's completed steps in reverse, and only this host
 * stops. Reports go to the parent by workflow id, so they reach it across continue-as-new.
 */
import {
  ApplicationFailure,
  condition,
  getExternalWorkflowHandle,
  patched,
  setCurrentDetails,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { AuditEvent } from '../activities/audit/audit-log.js';
import type { HostSpec } from '../lib/inventory/schema.js';
import { plannedAction } from '../lib/runbook/plan.js';
import type { StepSpec } from './runbook-schema.js';
import { localActivities } from './activity-options.js';
import {
  hostConfirmSignal,
  hostReleaseSignal,
  hostReportSignal,
  hostResultsQuery,
  hostStatusQuery,
  type HostConfirm,
  type HostRelease,
  type HostReport,
  type HostRunInput,
  type HostStatus,
} from './definitions.js';
import { errorMessage } from './upgrade-flow.js';
import { hostProgressMarkdown } from './progress.js';
import { hostKindOf } from './plan-step.js';
import type { HostPlanContext, HostStepOutcome, HostStepRunContext } from './steps/types.js';
import { WORKER_HOST } from './fleet/worker-host.js';

/** Patch: a host step that does nothing on this host (a skipped rotation) opens no gate. */
const SKIP_IDLE_GATES = 'host-skip-idle-gates';

export interface HostResult {
  host: string;
  state: 'done' | 'failed' | 'skipped';
  steps: HostStatus['steps'];
}

export async function hostWorkflow(input: HostRunInput): Promise<HostResult> {
  const { workflowId, runId } = workflowInfo();
  const status: HostStatus = {
    host: input.host,
    parentId: input.parentId,
    wave: input.wave,
    state: 'running',
    steps: input.steps.map((s) => ({ id: s.id, kind: s.kind, state: 'pending' })),
  };
  const releases = new Map<string, HostRelease>();
  setHandler(hostStatusQuery, () => status);
  setHandler(hostReleaseSignal, (r) => void releases.set(r.step, r));
  // Keyed by step and action, consumed when used: each wait needs its own confirmation.
  const confirmations = new Map<string, HostConfirm>();
  setHandler(hostConfirmSignal, (c) => void confirmations.set(`${c.step}\0${c.action}`, c));
  const publish = () => setCurrentDetails(hostProgressMarkdown(status));

  let seq = 0;
  // The append's anchor stays in history (its marker); the workflow itself needs nothing back.
  const audit = async (event: string, fields: Partial<AuditEvent> = {}): Promise<void> =>
    void (await localActivities.appendAudit({
      id: `${workflowId}/${runId}/${seq++}`,
      event,
      runbook: input.runbook,
      host: input.host,
      actor: 'respond',
      ts: new Date().toISOString(),
      workflowId: input.parentId,
      incident: input.incident,
      ...fields,
    }));
  const parent = getExternalWorkflowHandle(input.parentId);
  // A parent that already closed (rejected, aborted) cannot hear the report; nothing to do then.
  const report = (r: Omit<HostReport, 'host' | 'wave' | 'steps'>) =>
    parent
      .signal(hostReportSignal, {
        host: input.host,
        wave: input.wave,
        ...(input.reportSteps ? { steps: status.steps.map(({ id, state, summary }) => ({ id, state, summary })) } : {}),
        ...r,
      })
      .catch(() => undefined);
  publish();

  const done: Array<{ step: StepSpec; outcome: HostStepOutcome; ctx: HostStepRunContext }> = [];
  const hostEarlier: HostPlanContext['hostEarlier'] = {};
  setHandler(hostResultsQuery, () => hostEarlier);
  let current: StepSpec | undefined;
  try {
    const host: HostSpec = input.spec ?? WORKER_HOST;
    const planned: Array<{ step: string; hash: string }> = [];
    for (const [index, step] of input.steps.entries()) {
      current = step;
      const st = status.steps[index]!;
      const kind = hostKindOf(step);
      const plan: HostPlanContext = {
        runbook: input.runbook,
        incident: input.incident,
        params: input.params,
        secretFingerprints: input.secretFingerprints,
        host,
        hostEarlier,
      };
      const { hash, action } = plannedAction(
        { runbook: input.runbook, specSha256: input.specSha256, step: step.id, kind: step.kind },
        kind.describe(step, plan),
      );
      st.hash = hash;
      if (input.dryRun) {
        st.state = 'skipped';
        st.summary = 'dry run';
        planned.push({ step: step.id, hash });
        continue;
      }
      let approval: HostRelease | undefined;
      // Patched: runs from before it opened the gate of a step that does nothing on this host.
      const idle = kind.gateHere !== undefined && !kind.gateHere(step, plan) && patched(SKIP_IDLE_GATES);
      if ((kind.alwaysGated || step.approval) && !idle) {
        st.state = 'waiting-approval';
        status.state = 'parked';
        publish();
        await report({ state: 'parked', step: step.id, hash, args: action.args });
        await condition(() => releases.has(step.id));
        approval = releases.get(step.id)!;
        if (!approval.approved) {
          st.state = 'skipped';
          st.summary = approval.reason;
          status.state = 'skipped';
          publish();
          await audit('host.stopped', { step: step.id, result: { reason: approval.reason } });
          await report({ state: 'skipped', step: step.id, summary: approval.reason });
          return { host: input.host, state: 'skipped', steps: status.steps };
        }
        status.state = 'running';
      }
      st.state = 'running';
      st.startedAt = new Date().toISOString();
      publish();
      // The action hash this host runs under, and the wave approval that covered it.
      await audit('step.started', {
        step: step.id,
        args: { hash, ...(approval ? { waveHash: approval.waveHash, merkleRoot: approval.merkleRoot, approvers: approval.approvers } : {}) },
      });
      let stepSeq = 0;
      const ctx: HostStepRunContext = {
        workflowId,
        plan,
        secretRefs: input.secretRefs,
        record: (event, details) => audit(event, { step: step.id, result: details, id: `${workflowId}/${runId}/${step.id}/${event}/${stepSeq++}` }),
        awaitPerson: async ({ action, instruction }) => {
          const key = `${step.id}\0${action}`;
          confirmations.delete(key);
          status.waiting = { step: step.id, action, instruction, since: new Date().toISOString() };
          st.state = 'waiting-person';
          publish();
          await condition(() => confirmations.has(key));
          const c = confirmations.get(key)!;
          confirmations.delete(key);
          delete status.waiting;
          st.state = 'running';
          publish();
          await audit('person.confirmed', { step: step.id, actor: c.by, result: { action, ...(c.note ? { note: c.note } : {}) } });
          return { by: c.by, ...(c.note ? { note: c.note } : {}) };
        },
      };
      const outcome = await kind.run(step, ctx);
      st.state = 'done';
      st.endedAt = new Date().toISOString();
      st.summary = outcome.summary;
      hostEarlier[step.id] = { kind: step.kind, result: outcome.result ?? {} };
      if (outcome.changed !== false && kind.undo) done.push({ step, outcome, ctx });
      await audit('step.completed', { step: step.id, result: { summary: outcome.summary } });
      publish();
    }
    status.state = 'done';
    publish();
    const summary = status.steps.map((s) => `${s.id}: ${s.summary ?? s.state}`).join('; ');
    await report({ state: 'done', summary, ...(input.dryRun ? { planned } : {}) });
    return { host: input.host, state: 'done', steps: status.steps };
  } catch (err) {
    const message = errorMessage(err);
    const st = status.steps.find((s) => s.id === current?.id);
    if (st) {
      st.state = 'failed';
      st.summary = message;
      st.endedAt = new Date().toISOString();
    }
    status.state = 'failed';
    status.error = message;
    publish();
    await audit('step.failed', { step: current?.id, result: { error: message } });
    await undoAll(done, status, audit);
    publish();
    await report({ state: 'failed', step: current?.id, error: message });
    throw ApplicationFailure.nonRetryable(`${input.host}: ${current ? `step ${current.id}: ` : ''}${message}`, 'HostFailed');
  }
}

/** This host's completed steps, undone in reverse; an undo that fails is recorded and the rest go on. */
async function undoAll(
  done: Array<{ step: StepSpec; outcome: HostStepOutcome; ctx: HostStepRunContext }>,
  status: HostStatus,
  audit: (event: string, fields?: Partial<AuditEvent>) => Promise<void>,
) {
  for (const { step, outcome, ctx } of [...done].reverse()) {
    const st = status.steps.find((s) => s.id === step.id)!;
    try {
      await hostKindOf(step).undo!(step, outcome, ctx);
      st.state = 'rolled-back';
      await audit('step.rolled-back', { step: step.id });
    } catch (err) {
      await audit('step.rollback-failed', { step: step.id, result: { error: errorMessage(err) } });
    }
  }
}
