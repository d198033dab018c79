// The sweep and scrub step kinds inside real workflows on a real Temporal dev server (the
// pinned CLI in .tools), with the real activities: references go in, fingerprints come out,
// and no workflow history ever holds the value.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { WorkflowFailedError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSweepActivities, defaultSweepDeps } from '../../activities/sweep/activities.js';
import { fingerprint } from '../../lib/secrets.js';
import type { StepRunContext } from '../../workflows/steps/types.js';
import { makeOpenClawFixture, type OpenClawFixture } from './helpers/openclaw.js';

const ROOT = join(import.meta.dirname, '..', '..');
const TEMPORAL = join(ROOT, '.tools', 'temporal-1.9.1', 'temporal');
const TASK_QUEUE = 'sweep-steps-test';

let env: TestWorkflowEnvironment;
let worker: Worker;
let running: Promise<void>;
let fx: OpenClawFixture;
let root: string;
const histories: string[] = [];
const logs: string[] = [];

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'respond-sweep-steps-'));
  fx = await makeOpenClawFixture(root);
  process.env.RESPOND_TEST_OLD_GW = fx.oldToken;
  // Every log line the worker and the SDK write, at DEBUG, is kept and scanned for the secret.
  Runtime.install({ logger: new DefaultLogger('DEBUG', (e) => logs.push(`${e.level} ${e.message} ${JSON.stringify(e.meta ?? {})}`)) });
  env = await TestWorkflowEnvironment.createLocal({
    server: { executable: { type: 'existing-path', path: TEMPORAL }, ip: '127.0.0.1' },
  });
  const { code } = await bundleWorkflowCode({
    workflowsPath: join(import.meta.dirname, 'helpers', 'step-workflows.ts'),
    logger: new DefaultLogger('WARN'),
    // Sources import each other as .js (NodeNext); the bundler reads the .ts files.
    webpackConfigHook: (c) => ({ ...c, resolve: { ...c.resolve, extensionAlias: { '.js': ['.ts', '.js'] } } }),
  });
  worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue: TASK_QUEUE,
    workflowBundle: { code },
    activities: createSweepActivities({ ...defaultSweepDeps(), quarantineBase: join(root, 'quarantine') }),
  });
  running = worker.run();
});

afterAll(async () => {
  // The fixture holds (test-generated) secrets: leave nothing behind.
  if (root) rmSync(root, { recursive: true, force: true });
  worker?.shutdown();
  await running;
  await env?.teardown();
  delete process.env.RESPOND_TEST_OLD_GW;
  const all = [...histories, ...logs].join('\n');
  expect(histories.length).toBeGreaterThanOrEqual(4);
  expect(logs.length).toBeGreaterThan(0);
  expect(all.includes(fx.oldToken), 'workflow history holds the secret').toBe(false);
  expect(all.includes(fx.newToken)).toBe(false);
});

function ctx(workflowId: string): StepRunContext {
  return {
    workflowId,
    plan: { runbook: 'rotate-gateway-token', incident: 'INC-9', params: {}, secretFingerprints: { old_gateway_token: fingerprint(fx.oldToken) } },
    secretRefs: { old_gateway_token: 'env:RESPOND_TEST_OLD_GW' },
  };
}

async function run(workflow: 'sweepStepWorkflow' | 'scrubStepWorkflow', id: string, step: unknown) {
  const handle = await env.client.workflow.start(workflow, { taskQueue: TASK_QUEUE, workflowId: id, args: [step, ctx(id)] });
  try {
    return (await handle.result()) as { summary: string; result: Record<string, unknown> };
  } finally {
    histories.push(JSON.stringify(await handle.fetchHistory()));
  }
}

describe('sweep and scrub steps in a workflow', () => {
  const roots = () => [fx.home, fx.logDir];

  it('sweep reports where the rotated token still is; failOn: hunt fails the step', async () => {
    const out = await run('sweepStepWorkflow', 'sweep-1', { id: 'find-old', kind: 'sweep', paths: roots(), hunt: ['{{secrets.old_gateway_token}}'] });
    const hits = (out.result.huntHits as Record<string, string[]>).old_gateway_token!;
    expect(hits.sort()).toEqual(fx.filesWithOldToken().sort());
    expect(out.summary).toMatch(/still present: old_gateway_token in \d+ file/);

    await expect(
      run('sweepStepWorkflow', 'sweep-2', { id: 'prove-gone', kind: 'sweep', paths: roots(), hunt: ['{{secrets.old_gateway_token}}'], failOn: 'hunt' }),
    ).rejects.toBeInstanceOf(WorkflowFailedError);
  });

  it('scrub quarantines and redacts; afterwards a failOn: hunt sweep passes', async () => {
    const holding = fx.filesWithOldToken();
    const scrub = await run('scrubStepWorkflow', 'scrub-1', { id: 'scrub-old', kind: 'scrub', paths: roots(), hunt: ['{{secrets.old_gateway_token}}'] });
    const scrubbed = scrub.result.scrubbed as Array<{ path: string }>;
    expect(scrubbed.map((s) => s.path).sort()).toEqual(holding.sort());
    // Only the quarantined copies still hold it now.
    expect(fx.filesWithOldToken().every((f) => f.startsWith(join(root, 'quarantine')))).toBe(true);
    expect(scrub.result.quarantineDir).toBe(join(root, 'quarantine', 'scrub-1.scrub-old'));

    const after = await run('sweepStepWorkflow', 'sweep-3', { id: 'prove-gone', kind: 'sweep', paths: roots(), hunt: ['{{secrets.old_gateway_token}}'], failOn: 'hunt' });
    expect(after.result.huntHits).toEqual({});
    expect(after.summary).toContain('hunted credentials gone');
  });

  it('the step schemas reject a plaintext value where a {{secrets.NAME}} belongs', async () => {
    const { sweepStep } = await import('../../workflows/steps/sweep.js');
    const { scrubStep } = await import('../../workflows/steps/scrub.js');
    expect(sweepStep.schema.safeParse({ id: 'x', kind: 'sweep', hunt: [fx.oldToken] }).success).toBe(false);
    expect(scrubStep.schema.safeParse({ id: 'x', kind: 'scrub', hunt: [] }).success).toBe(false);
    expect(scrubStep.alwaysGated).toBe(true);
  });
});
