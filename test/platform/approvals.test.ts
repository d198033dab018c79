import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fingerprint } from '../../lib/secrets.js';
import { approveSignal } from '../../workflows/definitions.js';
import { ROOT, Sandbox } from '../helpers/sandbox.js';
import { historyJson, pendingFor, statusOf } from '../helpers/runs.js';
import { maybeRecordHistory } from '../helpers/histories.js';

const runbook = (name: string) => join(ROOT, 'test', 'runbooks', `${name}.yaml`);
// A real-looking gateway token, made fresh for this run so no output can contain it by chance.
const TOKEN = `ocgw_${randomBytes(24).toString('hex')}`;

describe('approval gates on a real Temporal server', () => {
  let s: Sandbox;
  let c: Client;
  beforeAll(async () => {
    // The daemon (and so the worker) inherits this environment: the secret reference resolves there.
    s = await Sandbox.create({ RESPOND_TEST_TOKEN: TOKEN });
    const warm = await s.cli(['list']);
    expect(warm.code).toBe(0);
    c = await s.client();
  });
  afterAll(async () => s?.stop());

  it('runs end to end with approvals by Update and by Signal; refusals leave no trace in history', async () => {
    const out = join(s.dir, 'approvals.out');
    const started = await s.cli(['start', runbook('approvals'), '--incident', 'INC-7', '--set', `out=${out}`, '--json']);
    expect(started.code, started.stderr).toBe(0);
    const { id } = JSON.parse(started.stdout) as { id: string };
    expect(id).toBe('respond-approvals-test-INC-7');

    const first = await pendingFor(s, c, id, 'gate-update');
    expect(first.action.args.message).toContain(`<secret token ${fingerprint(TOKEN)}>`);
    const meta = (await c.workflow.getHandle(id).query('__temporal_workflow_metadata')) as { currentDetails: string };
    expect(meta.currentDetails).toContain(first.hash);
    expect(meta.currentDetails).toContain('Waiting for approval of `gate-update`');

    const wrongHash = await s.cli(['approve', id, '--hash', 'f'.repeat(64), '--as', 'alice']);
    expect(wrongHash.code).toBe(4);
    expect(wrongHash.stderr.trim()).toBe('respond: approval refused: hash does not match the planned action of step gate-update');
    const outsider = await s.cli(['approve', id, '--hash', first.hash, '--as', 'mallory']);
    expect(outsider.code).toBe(4);
    expect(outsider.stderr).toContain('approver "mallory" is not allowed to approve step gate-update');
    const wrongStep = await s.cli(['approve', id, '--step', 'after', '--hash', first.hash, '--as', 'alice']);
    expect(wrongStep.code).toBe(4);
    const noHash = await s.cli(['approve', id, '--as', 'alice']);
    expect(noHash.code).toBe(2);

    const ok = await s.cli(['approve', id, '--hash', first.hash, '--as', 'alice', '--json']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout)).toEqual({ step: 'gate-update', approvals: 1, required: 1, approved: true });

    const second = await pendingFor(s, c, id, 'two-person');
    expect(second.minApprovals).toBe(2);
    expect((await s.cli(['approve', id, '--hash', second.hash, '--as', 'alice'])).code).toBe(0);
    const again = await s.cli(['approve', id, '--hash', second.hash, '--as', 'alice']);
    expect(again.code).toBe(4);
    expect(again.stderr).toContain('approver "alice" has already approved step two-person');
    expect((await statusOf(c, id)).pending?.approvals.map((a) => a.approver)).toEqual(['alice']);
    expect((await s.cli(['approve', id, '--hash', second.hash, '--as', 'bob'])).code).toBe(0);

    // The web UI sends signals: a bad one is set aside, a good one counts.
    const third = await pendingFor(s, c, id, 'gate-signal');
    const handle = c.workflow.getHandle(id);
    await handle.signal(approveSignal, { step: 'gate-signal', hash: 'bad', approver: 'carol' });
    await s.waitFor('ignored signal', async () => ((await statusOf(c, id)).ignoredSignals.length === 1 ? true : undefined));
    expect((await statusOf(c, id)).pending?.step).toBe('gate-signal');
    await handle.signal(approveSignal, { step: 'gate-signal', hash: third.hash, approver: 'carol' });

    await handle.result();
    const status = await s.cli(['status', id]);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/completed/);
    expect(readFileSync(out, 'utf8')).toBe('start\ntwo\nend\n');

    const history = await historyJson(c, id);
    expect(history).not.toContain('mallory');
    expect(history).not.toContain('f'.repeat(64));
    // Exactly the three accepted updates reached history (alice, alice, bob); refusals did not.
    expect(history.match(/"workflowExecutionUpdateAcceptedEventAttributes"/g)).toHaveLength(3);

    const granted = s.audit().filter((e) => e.workflowId === id && e.event === 'approval.granted');
    expect(granted.map((e) => [e.step, e.actor, e.args?.via])).toEqual([
      ['gate-update', 'alice', 'update'],
      ['two-person', 'alice', 'update'],
      ['two-person', 'bob', 'update'],
      ['gate-signal', 'carol', 'signal'],
    ]);
    for (const e of granted) expect(e.args?.hash).toMatch(/^[0-9a-f]{64}$/);

    // The secret went through the commands (echoed to stdout and stderr) but nowhere else.
    const after = s.audit().find((e) => e.workflowId === id && e.event === 'step.completed' && e.step === 'after');
    expect(String(after?.result?.stderrTail)).toContain(`[redacted ${fingerprint(TOKEN)}]`);
    const everything = [history, readFileSync(s.config.auditLogPath, 'utf8'), s.daemonLog(), ...s.captured].join('\n');
    expect(everything).not.toContain(TOKEN);
    await maybeRecordHistory(s, id, 'approvals-test');
  });

  it('rejection stops the run before the step runs', async () => {
    const out = join(s.dir, 'rejected.out');
    const started = await s.cli(['start', runbook('approvals'), '--incident', 'INC-8', '--set', `out=${out}`, '--json']);
    const { id } = JSON.parse(started.stdout) as { id: string };
    await pendingFor(s, c, id, 'gate-update');
    const outsider = await s.cli(['reject', id, '--reason', 'nope', '--as', 'mallory']);
    expect(outsider.code).toBe(4);
    const r = await s.cli(['reject', id, '--reason', 'wrong host', '--as', 'bob']);
    expect(r.code, r.stderr).toBe(0);
    await expect(c.workflow.getHandle(id).result()).rejects.toThrow();
    const status = await s.cli(['status', id]);
    expect(status.code).toBe(1);
    expect(status.stdout).toContain('rejected by bob: wrong host');
    expect(readFileSync(out, 'utf8')).toBe('start\n');
    const rejected = s.audit().filter((e) => e.workflowId === id && e.event === 'approval.rejected');
    expect(rejected.map((e) => [e.actor, e.args?.reason])).toEqual([['bob', 'wrong host']]);
  });

  it('an approval that times out aborts the run', async () => {
    const started = await s.cli(['start', runbook('timeout'), '--incident', 'INC-9', '--wait']);
    expect(started.code).toBe(1);
    expect(started.stdout).toContain('approval of step never-approved timed out');
    const events = s.audit().filter((e) => e.workflowId === 'respond-timeout-test-INC-9').map((e) => e.event);
    expect(events).toEqual(['runbook.started', 'approval.requested', 'approval.timed-out']);
  });

  it('escalates a timed-out approval, and rolls back completed steps when a later one fails', async () => {
    const out = join(s.dir, 'gates.out');
    const started = await s.cli(['start', runbook('gates'), '--incident', 'INC-10', '--set', `out=${out}`, '--json']);
    const { id } = JSON.parse(started.stdout) as { id: string };
    const p = await pendingFor(s, c, id, 'escalating');
    expect(readFileSync(out, 'utf8')).toBe('created\n');
    const dave = await s.cli(['approve', id, '--hash', p.hash, '--as', 'dave']);
    expect(dave.code).toBe(4);
    await s.waitFor('escalation', async () => ((await statusOf(c, id)).pending?.escalated ? true : undefined));
    const afterEscalation = await s.cli(['approve', id, '--hash', p.hash, '--as', 'dave']);
    expect(afterEscalation.code, afterEscalation.stderr).toBe(0);

    await expect(c.workflow.getHandle(id).result()).rejects.toThrow();
    const status = await statusOf(c, id);
    expect(status.phase).toBe('failed');
    expect(status.error).toBe('step failing: command exited with 3: about to fail');
    expect(status.steps.map((st) => st.state)).toEqual(['rolled-back', 'done', 'failed']);
    expect(() => readFileSync(out)).toThrow(/ENOENT/);
    const events = s.audit().filter((e) => e.workflowId === id).map((e) => e.event);
    expect(events).toContain('approval.escalated');
    expect(events.slice(-2)).toEqual(['step.failed', 'step.rolled-back']);
    await maybeRecordHistory(s, id, 'gates-test');
  });

  it('plan shows the same hashes the run asks approval for, and a dry run changes nothing', async () => {
    const out = join(s.dir, 'dry.out');
    const plan = await s.cli(['plan', runbook('approvals'), '--incident', 'INC-11', '--set', `out=${out}`, '--json']);
    expect(plan.code, plan.stderr).toBe(0);
    const planned = JSON.parse(plan.stdout) as { steps: { step: string; hash: string; gated: boolean }[] };
    expect(planned.steps.map((p) => [p.step, p.gated])).toEqual([
      ['before', false],
      ['gate-update', true],
      ['two-person', true],
      ['gate-signal', true],
      ['after', false],
    ]);

    const dry = await s.cli(['start', runbook('approvals'), '--incident', 'INC-11', '--set', `out=${out}`, '--dry-run', '--wait']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(() => readFileSync(out)).toThrow(/ENOENT/);
    const recorded = s.audit().filter((e) => e.workflowId === 'respond-approvals-test-INC-11' && e.event === 'step.planned');
    expect(recorded.map((e) => [e.step, e.args?.hash])).toEqual(planned.steps.map((p) => [p.step, p.hash]));

    const live = await s.cli(['start', runbook('approvals'), '--incident', 'INC-12', '--set', `out=${out}`, '--json']);
    const { id } = JSON.parse(live.stdout) as { id: string };
    const pending = await pendingFor(s, c, id, 'gate-update');
    const planFor12 = JSON.parse((await s.cli(['plan', runbook('approvals'), '--incident', 'INC-12', '--set', `out=${out}`, '--json'])).stdout) as {
      steps: { step: string; hash: string }[];
    };
    expect(pending.hash).toBe(planFor12.steps.find((p) => p.step === 'gate-update')!.hash);
    await s.cli(['reject', id, '--reason', 'test over', '--as', 'alice']);
  });
});
