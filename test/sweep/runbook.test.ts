// The sweep and scrub steps in a real runbook through the real CLI, embedded Temporal server and
// worker: scrub waits for its approval, the run ends with the old token gone from live files,
// and neither the CLI output, the workflow history nor the audit log ever holds the value.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fingerprint } from '../../lib/secrets.js';
import { historyJson, pendingFor, statusOf } from '../helpers/runs.js';
import { Sandbox } from '../helpers/sandbox.js';
import { makeOpenClawFixture, type OpenClawFixture } from './helpers/openclaw.js';

const RUNBOOK = join(import.meta.dirname, 'runbooks', 'sweep-rotated-token.yaml');
let s: Sandbox;
let c: Client;
let fx: OpenClawFixture;
let root: string;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'respond-sweep-runbook-'));
  fx = await makeOpenClawFixture(root);
  // The daemon's worker inherits this environment: the reference resolves there and only there.
  s = await Sandbox.create({ RESPOND_TEST_OLD_GW: fx.oldToken, RESPOND_QUARANTINE_DIR: join(root, 'quarantine') });
  // The first command starts the embedded server and worker.
  expect((await s.cli(['list'])).code).toBe(0);
  c = await s.client();
});

afterAll(async () => {
  // The fixture holds (test-generated) secrets: leave nothing behind.
  if (root) rmSync(root, { recursive: true, force: true });
  await s?.stop();
});

describe('sweep runbook', () => {
  it('finds, scrubs after approval, and proves the rotated token gone; no value anywhere', async () => {
    const sets = ['--set', `home=${fx.home}`, '--set', `logs=${fx.logDir}`];
    const holding = fx.filesWithOldToken();
    const plan = await s.cli(['plan', RUNBOOK, ...sets]);
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toContain(`<secret old_gateway_token ${fingerprint(fx.oldToken)}>`);

    const started = await s.cli(['start', RUNBOOK, '--incident', 'INC-42', ...sets, '--json']);
    expect(started.code, started.stderr).toBe(0);
    const { id } = JSON.parse(started.stdout) as { id: string };

    // scrub is always gated, even without an `approval:` key in the runbook.
    const pending = await pendingFor(s, c, id, 'scrub-old');
    // One approval for the one host (the worker's machine); its action names the credential by fingerprint.
    const [group] = pending.action.args.groups as Array<{ hosts: string[]; action: { hunt: string[] } }>;
    expect(group!.hosts).toEqual(['local']);
    expect(group!.action.hunt).toEqual([`<secret old_gateway_token ${fingerprint(fx.oldToken)}>`]);
    const found = (await statusOf(c, id)).steps.find((x) => x.id === 'find-old')!;
    expect(found.summary).toMatch(new RegExp(`still present: old_gateway_token in ${holding.length} file`));

    const ok = await s.cli(['approve', id, '--hash', pending.hash, '--as', 'alice']);
    expect(ok.code, ok.stderr).toBe(0);
    const done = await s.waitFor('run end', async () => {
      const st = await statusOf(c, id);
      return st.phase === 'completed' || st.phase === 'failed' ? st : undefined;
    }, 120_000);
    expect(done.phase).toBe('completed');
    expect(done.steps.find((x) => x.id === 'prove-gone')!.summary).toContain('hunted credentials gone');
    for (const f of holding) expect(readFileSync(f, 'utf8').includes(fx.oldToken)).toBe(false);

    const everything = [...s.captured, await historyJson(c, id), JSON.stringify(s.audit()), s.daemonLog()].join('\n');
    expect(everything.includes(fx.oldToken)).toBe(false);
    expect(everything.includes(Buffer.from(`operator:${fx.oldToken}`).toString('base64'))).toBe(false);
  });
});
