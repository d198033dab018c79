/**
 * The one workflow: interprets a runbook spec step by step, gating risky steps on human approval,
 * recording every action in the audit log, and undoing completed steps if a later one fails.
 */
import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  ContinueAsNew,
  continueAsNew,
  log,
  patched,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { AuditEvent } from '../activities/audit/audit-log.js';
import type { AttachedReport } from '../activities/report/activities.js';
import { parseDuration } from '../lib/duration.js';
import { plannedAction } from '../lib/runbook/plan.js';
import type { StepSpec } from './runbook-schema.js';
import type { PlanContext, PlannedAction } from '../lib/runbook/step-base.js';
import { renderTemplate } from '../lib/template.js';
import { CURRENT_STEP, PHASE } from '../lib/search-attributes.js';
import { activities, reportActivities } from './activity-options.js';
import { ApprovalGate, type GatePolicy } from './approval-gate.js';
import {
  approveSignal,
  approveUpdate,
  hostReportSignal,
  rejectSignal,
  rejectUpdate,
  statusQuery,
  type HostReport,
  type RunbookInput,
  type RunbookPhase,
  type RunbookStatus,
  type StepStatus,
} from './definitions.js';
import type { FleetCursor, ResumeState } from './fleet/cursor.js';
import { FleetSection, openSection, type WaveLeaves } from './fleet/section.js';
import { legacyDescribe, legacyRun, type LegacyHostStep } from './legacy/host-loops.js';
import { progressMarkdown } from './progress.js';
import { isGated, isHostStep, kindOf, planStep, sectionEnd, sectionOrdinal, stepIdentity, type PlannedStep } from './plan-step.js';
import type { Compensation, StepOutcome } from './steps/types.js';

/** Patch: plans (and so approval hashes) include what earlier steps of the run found. */
const SHOW_EARLIER_RESULTS = 'plans-show-earlier-results';
/** Patch: host-scoped steps fan out to one child workflow per host (before: a loop per step, here). */
const FLEET_CHILDREN = 'fleet-children';
/** Patch: a completed run writes its incident report and attaches it to its result (shown in the UI). */
const REPORT_IN_RESULT = 'report-in-result';

export interface RunbookResult {
  outcome: 'completed' | 'dry-run';
  steps: StepStatus[];
  /** The incident report (paths and content), or why it could not be written. */
  report?: AttachedReport | { error: string };
}

export async function runbookWorkflow(input: RunbookInput): Promise<RunbookResult> {
  const { spec, resume } = input;
  const { workflowId } = workflowInfo();
  const gate = new ApprovalGate(input.signing ? { run: workflowId, signers: input.signing.signers } : undefined);
  const status: RunbookStatus = {
    runbook: spec.name,
    incident: input.incident,
    specSha256: input.specSha256,
    dryRun: input.dryRun,
    phase: 'running',
    steps: resume?.steps ?? spec.steps.map((s) => ({ id: s.id, kind: s.kind, state: 'pending' })),
    ignoredSignals: resume?.ignoredSignals ?? [],
  };
  let fleet: FleetSection | undefined;
  // Reports that arrive before the section's scheduler exists (first task after continue-as-new).
  const early: HostReport[] = [];
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
  setHandler(hostReportSignal, (r) => (fleet ? fleet.onReport(r) : void early.push(r)));
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
  const secretFingerprints =
    resume?.secretFingerprints ?? (Object.keys(secretRefs).length ? await activities.fingerprintSecrets(secretRefs) : {});
  const planCtx: PlanContext = { runbook: spec.name, incident: input.incident, params: input.params, secretFingerprints };

  if (!resume) {
    await audit('runbook.started', {
      actor: input.actor,
      args: {
        source: input.source,
        specSha256: input.specSha256,
        params: input.params,
        dryRun: input.dryRun,
        secrets: secretFingerprints,
        ...(input.fleet ? { fleet: input.fleet } : {}),
        ...(input.autoApprove ? { autoApprove: `auto:${input.autoApprove.actor}` } : {}),
      },
    });
  }
  setPhase('running');

  const compensations: { step: string; undo: Compensation }[] = [];
  const compensable: number[] = [...(resume?.compensable ?? [])];
  const earlier: NonNullable<PlanContext['earlier']> = resume?.earlier ?? {};
  for (const i of compensable) {
    const step = spec.steps[i]!;
    const undo = kindOf(step).compensationFor?.(step, { workflowId, plan: { ...planCtx, earlier }, secretRefs });
    if (undo) compensations.push({ step: step.id, undo });
  }
  let index = resume?.stepIndex ?? 0;
  for (; index < spec.steps.length; index++) {
    const step = spec.steps[index]!;
    const st = status.steps[index]!;
    // Runs started before this patch approved plans that did not include earlier results.
    const stepCtx = patched(SHOW_EARLIER_RESULTS) ? { ...planCtx, earlier } : planCtx;
    const host = isHostStep(step);
    if (host && (resume?.fleet?.sectionStart === index || patched(FLEET_CHILDREN))) {
      index = await runFleetSection(index, resume?.fleet?.sectionStart === index ? resume.fleet : undefined) - 1;
      continue;
    }
    const { action, hash, gated } = host ? legacyPlan(step, stepCtx) : planStep(spec, input.specSha256, step, stepCtx);
    st.hash = hash;

    if (input.dryRun) {
      st.state = 'skipped';
      st.summary = `dry run: would ${step.kind}`;
      await audit('step.planned', { step: step.id, args: { ...action.args, hash } });
      publish();
      continue;
    }

    if (gated) await gateStep(st, step, action, hash);

    st.state = 'running';
    st.startedAt = new Date().toISOString();
    setPhase('running', step.id);
    await audit('step.started', { step: step.id, args: { ...action.args, hash } });
    let outcome: StepOutcome;
    try {
      const runCtx = { workflowId, plan: stepCtx, secretRefs };
      outcome = host ? await legacyRun(step as unknown as LegacyHostStep, runCtx) : await kindOf(step).run(step, runCtx);
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
    if (outcome.compensation) {
      compensations.push({ step: step.id, undo: outcome.compensation });
      compensable.push(index);
    }
    earlier[step.id] = { kind: step.kind, result: outcome.result ?? {} };
    await audit('step.completed', { step: step.id, result: { summary: outcome.summary, ...outcome.result } });
    publish();
  }

  await audit('runbook.completed', { result: { steps: status.steps.length } });
  setPhase('completed', '-');
  const result: RunbookResult = { outcome: input.dryRun ? 'dry-run' : 'completed', steps: status.steps };
  if (!input.dryRun && patched(REPORT_IN_RESULT)) {
    // The run's work is done: a report that cannot be written is noted, not a failed run.
    result.report = await reportActivities.incidentReport({ id: workflowId, status }).catch((err: Error) => ({ error: err.message }));
  }
  return result;

  /** Waits for the step's approval; a rejection stops the run. Returns who approved. */
  async function gateStep(st: StepStatus, step: StepSpec, action: PlannedAction, hash: string, wave?: WaveLeaves): Promise<string[]> {
    st.state = 'waiting-approval';
    setPhase('waiting-approval', step.id);
    const decision = await awaitApproval(step, action, hash, wave);
    if (decision.kind === 'rejected') {
      st.state = 'skipped';
      st.summary = `rejected by ${decision.actor}: ${decision.reason}`;
      await audit('approval.rejected', { step: step.id, actor: decision.actor, args: { hash, reason: decision.reason } });
      setPhase('rejected');
      throw ApplicationFailure.nonRetryable(`step ${step.id} rejected by ${decision.actor}: ${decision.reason}`, 'Rejected');
    }
    return decision.approvers;
  }

  /** A run from before the fleet model: its host steps are planned and run as they were then. */
  function legacyPlan(step: StepSpec, ctx: PlanContext): PlannedStep {
    const { action, hash } = plannedAction(stepIdentity(spec, input.specSha256, step), legacyDescribe(step as unknown as LegacyHostStep, ctx));
    return { action, hash, gated: isGated(step) };
  }

  /** Consecutive host-scoped steps over the fleet; returns the index of the first step after them. */
  async function runFleetSection(start: number, resumed: FleetCursor | undefined): Promise<number> {
    const end = sectionEnd(spec.steps, start);
    const steps = spec.steps.slice(start, end);
    const render = (t: string) => renderTemplate(t, planCtx);
    const cursor = resumed ?? (await openSection(start, input.fleet, render));
    const sectionStatus = status.steps.slice(start, end);
    if (!resumed) {
      await audit('fleet.started', {
        step: steps[0]!.id,
        args: { steps: steps.map((s) => s.id), hosts: cursor.hosts, inventory: cursor.inventory, inventorySha256: cursor.inventorySha256, total: cursor.total, waves: cursor.waves.length },
      });
    }
    fleet = new FleetSection(cursor, {
      workflowId,
      input,
      steps,
      section: sectionOrdinal(spec.steps, start),
      secretFingerprints,
      secretRefs,
      publish: (summary, hostSteps) => {
        status.fleet = summary;
        for (const st of sectionStatus) {
          if (st.state === 'pending') st.state = 'running';
          if (st.state === 'running' && !st.startedAt) st.startedAt = new Date().toISOString();
          const own = hostSteps?.find((h) => h.id === st.id);
          if (own?.summary) st.summary = own.summary;
        }
        publish();
      },
      approve: async (step, action, hash, wave) => {
        const st = status.steps.find((x) => x.id === step.id)!;
        st.hash = hash;
        const approvers = await gateStep(st, step, action, hash, wave);
        st.state = 'running';
        setPhase('running', step.id);
        return approvers;
      },
      rollOver: async (c) => {
        await condition(allHandlersFinished);
        const next: ResumeState = {
          stepIndex: start,
          steps: status.steps,
          ignoredSignals: status.ignoredSignals.slice(-20),
          earlier,
          compensable,
          fleet: c,
          secretFingerprints,
          generation: (resume?.generation ?? 0) + 1,
        };
        return continueAsNew<typeof runbookWorkflow>({ ...input, resume: next });
      },
    });
    for (const r of early.splice(0)) fleet.onReport(r);
    let outcome: { summary: string };
    try {
      outcome = await fleet.run();
    } catch (err) {
      if (err instanceof ContinueAsNew) throw err;
      for (const st of sectionStatus) {
        if (st.state === 'running' || st.state === 'pending') st.state = 'failed';
        st.endedAt = new Date().toISOString();
      }
      if (status.phase !== 'rejected' && status.phase !== 'aborted') {
        status.error = (err as Error).message;
        sectionStatus[0]!.summary = (err as Error).message;
        await audit('step.failed', { step: steps[0]!.id, result: { error: (err as Error).message, fleet: status.fleet } });
        await rollBack(compensations);
        setPhase('failed');
      }
      throw err;
    } finally {
      fleet = undefined;
    }
    for (const st of sectionStatus) {
      st.state = input.dryRun ? 'skipped' : 'done';
      st.endedAt = new Date().toISOString();
      // One host (the worker's machine): its own step summaries say more than a count.
      if (input.dryRun || (status.fleet?.total ?? 0) > 1 || !st.summary) st.summary = input.dryRun ? `dry run: ${outcome.summary}` : outcome.summary;
    }
    await audit('fleet.completed', { step: steps[0]!.id, result: { summary: outcome.summary, failed: status.fleet?.failed } });
    publish();
    return end;
  }

  async function awaitApproval(step: StepSpec, action: PlannedAction, hash: string, wave?: WaveLeaves) {
    const policy = gatePolicy(step);
    gate.open(step.id, hash, action, policy, Date.now());
    if (wave) {
      gate.pending!.merkleRoot = wave.root;
      // Enough for `status --host` to prove inclusion without bloating every query of a huge wave.
      gate.pending!.leaves = wave.leaves.length <= 5000 ? wave.leaves : undefined;
    }
    // The status query shows the pending approval from here on; the UI's details must not lag behind
    // it by an audit append (no command: replay-safe).
    publish();
    await audit('approval.requested', { step: step.id, args: { hash, approvers: policy.approvers, minApprovals: policy.minApprovals, ...(wave ? { merkleRoot: wave.root, hosts: wave.leaves.length } : {}) } });
    // `--auto-approve`: the workflow approves the hash it computed itself, as auto:<actor>.
    // A planned action may say it needs a person (a host where a rotation takes only with a restart).
    // A signed run has no key to sign with here: `start` refuses --auto-approve for it.
    if (input.autoApprove && !input.signing && spec.autoApprove !== false && step.autoApprove !== false && action.args.explicitApproval !== true) {
      gate.autoApprove(`auto:${input.autoApprove.actor}`, Date.now());
    }
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
    if (input.signing) status.steps.find((s) => s.id === step.id)!.approvedBy = pending.approvals.map((a) => ({ approver: a.approver, signer: a.signer }));
    for (const a of pending.approvals) {
      await audit('approval.granted', { step: step.id, actor: a.approver, args: { hash, via: a.via, at: a.at, comment: a.comment, signer: a.signer, signature: a.signature } });
    }
    const decision = gate.decision!;
    return decision.kind === 'approved' ? { ...decision, approvers: pending.approvals.map((a) => a.approver) } : decision;
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
