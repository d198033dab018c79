/**
 * Runs one section of host-scoped steps over the fleet: one child workflow per host, waves in
 * order (canaries first), at most `maxConcurrency` hosts working at once, no new host once more
 * than `maxErrors` have failed, and one approval per wave and gated step over every host's
 * planned action. Only compact state lives here (counts, the current wave's unfinished hosts),
 * and the run continues as new before its history grows large.
 */
import {
  ApplicationFailure,
  condition,
  getExternalWorkflowHandle,
  ParentClosePolicy,
  proxyActivities,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import type { AuditEvent } from '../../activities/audit/audit-log.js';
import type { FleetActivities } from '../../activities/fleet/activities.js';
import type { HostSpec } from '../../lib/inventory/schema.js';
import { activities as bookkeeping } from '../activity-options.js';
import { computeWaves, resolveCount, type FleetPolicy } from '../../lib/fleet/policy.js';
import type { HostLeaf } from '../../lib/fleet/merkle.js';
import { waveGate } from '../../lib/fleet/wave-gate.js';
import type { StepSpec } from '../runbook-schema.js';
import type { PlannedAction } from '../../lib/runbook/step-base.js';
import { HOST, INCIDENT, RUNBOOK } from '../../lib/search-attributes.js';
import {
  HOST_WORKFLOW,
  hostWorkflowId,
  hostReleaseSignal,
  type FleetSummary,
  type HostReport,
  type HostRunInput,
  type HostState,
  type RunbookInput,
} from '../definitions.js';
import { stepIdentity } from '../plan-step.js';
import { errorMessage } from '../upgrade-flow.js';
import { MAX_FAILED_SHOWN, type FleetCursor } from './cursor.js';
import { WORKER_HOST_NAME } from './worker-host.js';

const fleetActs = proxyActivities<FleetActivities>({
  startToCloseTimeout: '2m',
  retry: { initialInterval: '1s', maximumInterval: '20s', maximumAttempts: 10 },
});

/** Well below Temporal's 51,200-event limit, so no run of a fleet workflow comes near it. */
export const ROLL_OVER_EVENTS = 4000;
const PAGE = 500;
const AUDIT_BATCH = 200;
const SHOWN_ACTIVE = 50;

/** What a wave's approval commits to: the Merkle root and the leaves it was built from. */
export interface WaveLeaves {
  root: string;
  leaves: HostLeaf[];
}

export interface SectionDeps {
  workflowId: string;
  input: RunbookInput;
  steps: StepSpec[];
  /** Ordinal of this section among the runbook's sections of host steps. */
  section: number;
  secretFingerprints: Record<string, string>;
  secretRefs: Record<string, string>;
  /** Publish progress (current details, status query); `hostSteps` when the section has one host. */
  publish(summary: FleetSummary, hostSteps?: HostReport['steps']): void;
  /** Waits for the wave's approval; throws when rejected or timed out. */
  approve(step: StepSpec, action: PlannedAction, hash: string, wave: WaveLeaves): Promise<string[]>;
  /** Continue as new with this cursor; never returns. */
  rollOver(cursor: FleetCursor): Promise<never>;
}

/** A new section's cursor: the selection counted and pinned on the worker, waves laid out. */
export async function openSection(sectionStart: number, policy: FleetPolicy | undefined, render: (t: string) => string): Promise<FleetCursor> {
  const base = { sectionStart, active: {}, counts: { done: 0, failed: 0, skipped: 0 }, failed: [], tripped: false, samples: {}, peak: 0, wave: 0, next: 0 };
  if (!policy?.inventory) {
    return { ...base, hosts: WORKER_HOST_NAME, canary: 'none', total: 1, waves: [[0, 1]], maxConcurrency: 1, maxErrors: 0 };
  }
  const inventory = render(policy.inventory);
  const hosts = render(policy.hosts);
  const sel = await fleetActs.fleetSelect({ inventory, hosts, canary: policy.canary });
  return {
    ...base,
    inventory,
    inventorySha256: sel.inventorySha256,
    hosts,
    canary: policy.canary,
    total: sel.total,
    waves: computeWaves(sel.total, sel.canaryCount, policy.waves),
    maxConcurrency: resolveCount(policy.maxConcurrency, sel.total, 1),
    maxErrors: resolveCount(policy.maxErrors, sel.total, 0),
  };
}

export class FleetSection {
  private dirty = false;
  private inFlight = 0;
  private page?: { offset: number; hosts: HostSpec[] };
  /** Approved hosts waiting for a free slot, in the order they parked. */
  private queue: string[];
  private hostSteps?: HostReport['steps'];

  constructor(
    private readonly cur: FleetCursor,
    private readonly d: SectionDeps,
  ) {
    this.queue = Object.entries(cur.active).filter(([, a]) => a.state === 'approved').map(([h]) => h);
    // Dry run: planned hashes reported by hosts, written to the audit log in batches; kept in the
    // cursor so records that arrive just before a continue-as-new travel with it.
    cur.pendingAudit ??= [];
  }

  /** A child's report; duplicates and reports of hosts no longer active are ignored. */
  onReport(r: HostReport): void {
    const a = this.cur.active[r.host];
    if (!a) return;
    const c = this.cur;
    if (r.steps) this.hostSteps = r.steps;
    if (r.state === 'parked') {
      a.state = 'parked';
      a.step = r.step;
      a.hash = r.hash;
      if (r.hash && r.args && !(r.hash in c.samples) && Object.keys(c.samples).length < 50) c.samples[r.hash] = r.args;
    } else {
      delete c.active[r.host];
      if (r.planned) this.recordPlanned(r);
      if (r.state === 'done') c.counts.done++;
      else if (r.state === 'skipped') c.counts.skipped++;
      else {
        c.counts.failed++;
        if (c.failed.length < MAX_FAILED_SHOWN) c.failed.push({ host: r.host, reason: r.error ?? 'failed' });
        if (c.counts.failed > c.maxErrors) c.tripped = true;
      }
    }
    this.dirty = true;
  }

  async run(): Promise<{ summary: string }> {
    const c = this.cur;
    while (c.wave < c.waves.length) {
      const end = c.waves[c.wave]![1];
      for (;;) {
        await this.fill(end);
        this.d.publish(this.summary(), this.hostSteps);
        const active = Object.values(c.active);
        if (c.next >= end || c.tripped) {
          if (active.length === 0) {
            this.flushPlanned();
            await condition(() => this.inFlight === 0);
            if (Object.keys(c.active).length === 0) break;
          }
          if (active.length > 0 && this.inFlight === 0 && active.every((a) => a.state === 'parked')) {
            if (c.tripped) await this.releaseAll(false, this.budgetMessage());
            else await this.openGate();
            continue;
          }
        }
        if (this.shouldRollOver()) {
          this.flushPlanned();
          await condition(() => this.inFlight === 0);
          await this.d.rollOver(c);
        }
        this.dirty = false;
        await condition(() => this.dirty);
      }
      if (c.tripped) break;
      c.wave++;
      c.next = c.waves[c.wave]?.[0] ?? c.total;
      c.samples = {};
      c.approval = undefined;
    }
    if (c.tripped) {
      c.counts.skipped += c.total - c.next;
      c.next = c.total;
      this.d.publish(this.summary(), this.hostSteps);
      throw ApplicationFailure.nonRetryable(`${this.budgetMessage()}; ${this.countsText()}`, 'ErrorBudgetExhausted');
    }
    this.d.publish(this.summary(), this.hostSteps);
    return { summary: this.countsText() };
  }

  private running(): number {
    let n = 0;
    for (const a of Object.values(this.cur.active)) if (a.state === 'running') n++;
    return n;
  }

  private async fill(end: number): Promise<void> {
    const c = this.cur;
    // Approved for this wave but not yet released: once the budget trips they stop like the parked.
    if (c.tripped) {
      for (const host of this.queue.splice(0)) {
        c.active[host] = { state: 'running' };
        this.release(host, false, this.budgetMessage());
      }
    }
    // Counted once, not per pass: a report handled during a page fetch can only free a slot, so the
    // count errs high (never past the limit) and the next round fills the slot.
    let running = this.running();
    while (running < c.maxConcurrency) {
      const approved = this.queue.shift();
      if (approved !== undefined) {
        c.active[approved] = { state: 'running' };
        this.release(approved, true);
      } else if (!c.tripped && c.next < end) {
        const spec = await this.hostAt(c.next);
        c.next++;
        const name = spec?.name ?? WORKER_HOST_NAME;
        c.active[name] = { state: 'running' };
        this.start(name, spec);
      } else {
        break;
      }
      running++;
      c.peak = Math.max(c.peak, running);
    }
  }

  private async hostAt(i: number): Promise<HostSpec | undefined> {
    const c = this.cur;
    if (!c.inventory) return undefined;
    const p = this.page;
    if (!p || i < p.offset || i >= p.offset + p.hosts.length) {
      const hosts = await fleetActs.fleetPage({
        inventory: c.inventory,
        hosts: c.hosts,
        canary: c.canary,
        inventorySha256: c.inventorySha256!,
        offset: i,
        limit: PAGE,
      });
      this.page = { offset: i, hosts };
    }
    return this.page!.hosts[i - this.page!.offset]!;
  }

  private start(host: string, spec: HostSpec | undefined): void {
    const { input, workflowId } = this.d;
    const c = this.cur;
    const args: HostRunInput = {
      parentId: workflowId,
      host,
      spec,
      wave: c.wave + 1,
      runbook: input.spec.name,
      specSha256: input.specSha256,
      incident: input.incident,
      params: input.params,
      secretFingerprints: this.d.secretFingerprints,
      secretRefs: this.d.secretRefs,
      steps: this.d.steps,
      dryRun: input.dryRun,
      reportSteps: c.total === 1,
    };
    this.track(
      startChild(HOST_WORKFLOW, {
        workflowId: hostWorkflowId(workflowId, host, this.d.section),
        args: [args],
        // Children outlive a continue-as-new of this run and report to it by workflow id.
        parentClosePolicy: ParentClosePolicy.ABANDON,
        typedSearchAttributes: [
          { key: HOST, value: host },
          { key: RUNBOOK, value: input.spec.name },
          { key: INCIDENT, value: input.incident },
        ],
        staticSummary: `${input.spec.name} · ${host} · wave ${c.wave + 1} · incident ${input.incident}`,
      }),
      host,
      'could not start its workflow',
    );
  }

  private release(host: string, approved: boolean, reason?: string): void {
    const a = this.cur.approval;
    this.track(
      getExternalWorkflowHandle(hostWorkflowId(this.d.workflowId, host, this.d.section)).signal(hostReleaseSignal, {
        step: a?.step ?? this.cur.active[host]?.step ?? '',
        approved,
        ...(approved && a ? { waveHash: a.hash, merkleRoot: a.root, approvers: a.approvers } : { reason }),
      }),
      host,
      'could not be released',
    );
  }

  /** Starts and signals are not awaited one by one, so hundreds go out in one workflow task. */
  private track(p: Promise<unknown>, host: string, what: string): void {
    this.inFlight++;
    p.then(
      () => undefined,
      (err) => this.onReport({ host, wave: this.cur.wave + 1, state: 'failed', error: `${what}: ${errorMessage(err)}` }),
    ).finally(() => {
      this.inFlight--;
      this.dirty = true;
    });
  }

  private async releaseAll(approved: boolean, reason: string): Promise<void> {
    for (const [host, a] of Object.entries(this.cur.active)) {
      if (a.state !== 'parked') continue;
      this.release(host, approved, reason);
      // Its report (skipped) removes it; meanwhile it is no longer waiting for a gate.
      a.state = 'running';
    }
    await condition(() => this.inFlight === 0);
  }

  private async openGate(): Promise<void> {
    const c = this.cur;
    const parked = Object.entries(c.active);
    const stepId = parked[0]![1].step!;
    const step = this.d.steps.find((s) => s.id === stepId)!;
    const leaves = parked.map(([host, a]) => ({ host, actionHash: a.hash! }));
    const g = waveGate({
      id: stepIdentity(this.d.input.spec, this.d.input.specSha256, step),
      wave: c.wave + 1,
      waves: c.waves.length,
      leaves,
      samples: c.samples,
    });
    let approvers: string[];
    try {
      approvers = await this.d.approve(step, g.action, g.hash, { root: g.root, leaves });
    } catch (err) {
      await this.releaseAll(false, errorMessage(err));
      throw err;
    }
    c.approval = { step: step.id, hash: g.hash, root: g.root, approvers };
    c.samples = {};
    for (const [host, a] of parked) {
      a.state = 'approved';
      this.queue.push(host);
    }
  }

  private recordPlanned(r: HostReport): void {
    const { input, workflowId } = this.d;
    const { runId } = workflowInfo();
    this.cur.pendingAudit!.push({
      id: `${workflowId}/${runId}/planned/${r.host}`,
      event: 'host.planned',
      runbook: input.spec.name,
      host: r.host,
      actor: 'respond',
      args: { steps: r.planned, wave: r.wave },
      ts: new Date().toISOString(),
      workflowId,
      incident: input.incident,
    });
    if (this.cur.pendingAudit!.length >= AUDIT_BATCH) this.flushPlanned();
  }

  private flushPlanned(): void {
    const pending = this.cur.pendingAudit!;
    if (pending.length === 0) return;
    const batch = pending.splice(0);
    this.inFlight++;
    bookkeeping
      .appendAuditBatch(batch)
      .finally(() => {
        this.inFlight--;
        this.dirty = true;
      })
      .catch(() => undefined);
  }

  private shouldRollOver(): boolean {
    const info = workflowInfo();
    return info.continueAsNewSuggested || info.historyLength >= ROLL_OVER_EVENTS;
  }

  private budgetMessage(): string {
    const c = this.cur;
    const why = c.failed.slice(0, 5).map((f) => `${f.host}: ${f.reason}`).join('; ');
    return `error budget exhausted: ${c.counts.failed} host(s) failed, maxErrors ${c.maxErrors}, no new host started (${why})`;
  }

  private countsText(): string {
    const { done, failed, skipped } = this.cur.counts;
    return `${done} done, ${failed} failed, ${skipped} skipped of ${this.cur.total} host(s) in ${this.cur.waves.length} wave(s)`;
  }

  summary(): FleetSummary {
    const c = this.cur;
    const counts: Record<HostState, number> = {
      queued: Math.max(0, c.total - c.next),
      running: 0,
      parked: 0,
      approved: 0,
      done: c.counts.done,
      failed: c.counts.failed,
      skipped: c.counts.skipped,
    };
    const active: FleetSummary['active'] = [];
    for (const [host, a] of Object.entries(c.active)) {
      counts[a.state]++;
      if (active.length < SHOWN_ACTIVE) active.push({ host, state: a.state, ...(a.step ? { step: a.step } : {}) });
    }
    const wave = c.waves[Math.min(c.wave, c.waves.length - 1)]!;
    return {
      steps: this.d.steps.map((s) => s.id),
      section: this.d.section,
      total: c.total,
      wave: Math.min(c.wave + 1, c.waves.length),
      waves: c.waves.length,
      waveHosts: wave[1] - wave[0],
      counts,
      failed: c.failed,
      active,
      maxConcurrency: c.maxConcurrency,
      maxErrors: c.maxErrors,
      tripped: c.tripped,
      peakConcurrency: c.peak,
    };
  }
}
