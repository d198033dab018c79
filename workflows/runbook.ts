/**
 * The one workflow: interprets a runbook spec step by step, gating risky steps on human approval,
 * recording every action in the audit log, and undoing completed steps if a later one fails.
 */
import {
  ApplicationFailure,
  condition,
  log,
  patched,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { AuditEvent } from '../activities/audit/audit-log.js';
import { parseDuration } from '../lib/duration.js';
import type { StepSpec } from '../lib/runbook/schema.js';
import type { PlanContext, PlannedAction } from '../lib/runbook/step-base.js';
import { CURRENT_STEP, PHASE } from '../lib/search-attributes.js';
import { activities } from './activity-options.js';
import { ApprovalGate, type GatePolicy } from './approval-gate.js';
import {
  approveSignal,
  approveUpdate,
  rejectSignal,
  rejectUpdate,
  statusQuery,
  type RunbookInput,
  type RunbookPhase,
  type RunbookStatus,
  type StepStatus,
} from './definitions.js';
import { progressMarkdown } from './progress.js';
import { kindOf, planStep } from './plan-step.js';
import type { Compensation, StepOutcome } from './steps/types.js';

/** Patch: plans (and so approval hashes) include what earlier steps of the run found. */
const SHOW_EARLIER_RESULTS = 'plans-show-earlier-results';

export interface RunbookResult {
  outcome: 'completed' | 'dry-run';
  steps: StepStatus[];
}

export async function runbookWorkflow(input: RunbookInput): Promise<RunbookResult> {
  const { spec } = input;
  const { workflowId } = workflowInfo();
  const gate = new ApprovalGate();
  const status: RunbookStatus = {
    runbook: spec.name,
    incident: input.incident,
    specSha256: input.specSha256,
    dryRun: input.dryRun,
    phase: 'running',
    steps: spec.steps.map((s) => ({ id: s.id, kind: s.kind, state: 'pending' })),
    ignoredSignals: [],
  };
  let auditSeq = 0;
  const audit = (event: string, fields: Partial<AuditEvent> = {}) =>
    activities.appendAudit({
      id: `${workflowId}/${workflowInfo().runId}/${auditSeq++}`,
      event,
      runbook: spec.name,
      actor: 'respond',
      ts: new Date().toISOString(),
      workflowId,
      incident: input.incident,
      ...fields,
    });
  const publish = () => {
    status.pending = gate.pending;
    setCurrentDetails(progressMarkdown(workflowId, status));
  };
  const setPhase = (phase: RunbookPhase, step?: string) => {
    status.phase = phase;
    upsertSearchAttributes([
      { key: PHASE, value: phase },
      ...(step ? [{ key: CURRENT_STEP, value: step }] : []),
    ]);
    publish();
  };

  setHandler(statusQuery, () => ({ ...status, pending: gate.pending }));
  setHandler(approveUpdate, (req) => gate.approve(req, 'update', Date.now()), {
    validator: (req) => gate.validateApproval(req),
  });
  setHandler(rejectUpdate, (req) => gate.reject(req), { validator: (req) => gate.validateRejection(req) });
  // Signals cannot be refused before they reach history, so a bad one is kept aside and shown.
  setHandler(approveSignal, (req) => {
    try {
      gate.validateApproval(req);
      gate.approve(req, 'signal', Date.now());
    } catch (err) {
      status.ignoredSignals.push({ at: new Date().toISOString(), reason: `approve: ${(err as Error).message}` });
      publish();
    }
  });
  setHandler(rejectSignal, (req) => {
    try {
      gate.validateRejection(req);
      gate.reject(req);
    } catch (err) {
      status.ignoredSignals.push({ at: new Date().toISOString(), reason: `reject: ${(err as Error).message}` });
      publish();
    }
  });

  const secretRefs = Object.fromEntries(Object.entries(spec.secrets).map(([name, s]) => [name, s.ref]));
  const secretFingerprints = Object.keys(secretRefs).length ? await activities.fingerprintSecrets(secretRefs) : {};
  const planCtx: PlanContext = { runbook: spec.name, incident: input.incident, params: input.params, secretFingerprints };

  await audit('runbook.started', {
    actor: input.actor,
    args: { source: input.source, specSha256: input.specSha256, params: input.params, dryRun: input.dryRun, secrets: secretFingerprints },
  });
  setPhase('running');

  const compensations: { step: string; undo: Compensation }[] = [];
  const earlier: NonNullable<PlanContext['earlier']> = {};
  for (const [index, step] of spec.steps.entries()) {
    const st = status.steps[index]!;
    const kind = kindOf(step);
    // Runs started before this patch approved plans that did not include earlier results.
    const stepCtx = patched(SHOW_EARLIER_RESULTS) ? { ...planCtx, earlier } : planCtx;
    const { action, hash, gated } = planStep(spec, input.specSha256, step, stepCtx);
    st.hash = hash;

    if (input.dryRun) {
      st.state = 'skipped';
      st.summary = `dry run: would ${step.kind}`;
      await audit('step.planned', { step: step.id, args: { ...action.args, hash } });
      publish();
      continue;
    }

    if (gated) {
      st.state = 'waiting-approval';
      setPhase('waiting-approval', step.id);
      const decision = await awaitApproval(step, action, hash);
      if (decision.kind === 'rejected') {
        st.state = 'skipped';
        st.summary = `rejected by ${decision.actor}: ${decision.reason}`;
        await audit('approval.rejected', { step: step.id, actor: decision.actor, args: { hash, reason: decision.reason } });
        setPhase('rejected');
        throw ApplicationFailure.nonRetryable(`step ${step.id} rejected by ${decision.actor}: ${decision.reason}`, 'Rejected');
      }
    }

    st.state = 'running';
    st.startedAt = new Date().toISOString();
    setPhase('running', step.id);
    await audit('step.started', { step: step.id, args: { ...action.args, hash } });
    let outcome: StepOutcome;
    try {
      outcome = await kind.run(step, { workflowId, plan: stepCtx, secretRefs });
    } catch (err) {
      st.state = 'failed';
      st.endedAt = new Date().toISOString();
      st.summary = (err as Error).message;
      status.error = (err as Error).message;
      await audit('step.failed', { step: step.id, result: { error: (err as Error).message } });
      await rollBack(compensations);
      setPhase('failed');
      throw err;
    }
    st.state = 'done';
    st.endedAt = new Date().toISOString();
    st.summary = outcome.summary;
    if (outcome.compensation) compensations.push({ step: step.id, undo: outcome.compensation });
    earlier[step.id] = { kind: step.kind, result: outcome.result ?? {} };
    await audit('step.completed', { step: step.id, result: { summary: outcome.summary, ...outcome.result } });
    publish();
  }

  await audit('runbook.completed', { result: { steps: status.steps.length } });
  setPhase('completed', '-');
  return { outcome: input.dryRun ? 'dry-run' : 'completed', steps: status.steps };

  async function awaitApproval(step: StepSpec, action: PlannedAction, hash: string) {
    const policy = gatePolicy(step);
    gate.open(step.id, hash, action, policy, Date.now());
    await audit('approval.requested', { step: step.id, args: { hash, approvers: policy.approvers, minApprovals: policy.minApprovals } });
    publish();
    let decided = await condition(() => gate.decision !== undefined, policy.timeoutMs);
    if (!decided && policy.onTimeout === 'escalate') {
      gate.escalate(policy.escalateTo, policy.timeoutMs, Date.now());
      await audit('approval.escalated', { step: step.id, args: { hash, approvers: gate.pending!.approvers } });
      publish();
      decided = await condition(() => gate.decision !== undefined, policy.timeoutMs);
    }
    const pending = gate.pending!;
    gate.close();
    if (!decided) {
      await audit('approval.timed-out', { step: step.id, args: { hash } });
      status.steps.find((s) => s.id === step.id)!.state = 'skipped';
      status.error = `approval of step ${step.id} timed out`;
      setPhase('aborted');
      throw ApplicationFailure.nonRetryable(`approval of step ${step.id} timed out; runbook aborted`, 'ApprovalTimedOut');
    }
    for (const a of pending.approvals) {
      await audit('approval.granted', { step: step.id, actor: a.approver, args: { hash, via: a.via, at: a.at, comment: a.comment } });
    }
    return gate.decision!;
  }

  function gatePolicy(step: StepSpec): GatePolicy {
    const own = step.approval === true || step.approval === undefined ? {} : step.approval;
    const defaults = spec.approval;
    return {
      minApprovals: own.minApprovals ?? defaults.minApprovals ?? 1,
      approvers: own.approvers ?? defaults.approvers ?? spec.approvers,
      timeoutMs: parseDuration(own.timeout ?? defaults.timeout ?? '24h'),
      onTimeout: own.onTimeout ?? defaults.onTimeout ?? 'abort',
      escalateTo: own.escalateTo ?? defaults.escalateTo ?? [],
    };
  }

  async function rollBack(done: { step: string; undo: Compensation }[]) {
    for (const { step, undo } of [...done].reverse()) {
      try {
        await undo.run();
        status.steps.find((s) => s.id === step)!.state = 'rolled-back';
        await audit('step.rolled-back', { step, result: { description: undo.description } });
      } catch (err) {
        // Keep undoing the rest; the original failure is what the run reports.
        log.error('rollback failed', { step, error: (err as Error).message });
        await audit('step.rollback-failed', { step, result: { error: (err as Error).message } });
      }
      publish();
    }
  }
}
