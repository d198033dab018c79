import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, Sandbox } from '../helpers/sandbox.js';
import { maybeRecordHistory } from '../helpers/histories.js';
import { statusOf } from '../helpers/runs.js';

const runbook = (name: string) => join(ROOT, 'test', 'runbooks', `${name}.yaml`);
const lines = (path: string) => {
  try {
    return readFileSync(path, 'utf8').split('\n').filter(Boolean);
  } catch {
    return [];
  }
};

describe('durability of runs on the embedded server', () => {
  let s: Sandbox;
  let c: Client;
  beforeAll(async () => {
    s = await Sandbox.create();
    expect((await s.cli(['list'])).code).toBe(0);
    c = await s.client();
  });
  afterAll(async () => s?.stop());

  it('binds every listener of the dev server to 127.0.0.1', async () => {
    const { server } = s.pids();
    expect(server).toBeGreaterThan(0);
    const { stdout } = await execa('ss', ['-H', '-ltnp']);
    const mine = stdout.split('\n').filter((l) => l.includes(`pid=${server},`));
    expect(mine.length).toBeGreaterThanOrEqual(2); // frontend + UI at least
    for (const l of mine) expect(l.split(/\s+/)[3]).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(mine.some((l) => l.includes(`127.0.0.1:${s.env.RESPOND_UI_PORT}`))).toBe(true);
  });

  it('resumes after the worker is SIGKILLed mid-step, and does each side effect once', async () => {
    const dir = join(s.dir, 'crash');
    mkdirSync(dir);
    const started = await s.cli(['start', runbook('crash'), '--incident', 'K1', '--set', `dir=${dir}`, '--json']);
    const { id } = JSON.parse(started.stdout) as { id: string };
    await s.waitFor('the slow command to start', () => (lines(join(dir, 'attempts')).length === 1 ? true : undefined));
    const victim = s.pids().worker!;
    process.kill(victim, 'SIGKILL');
    // The supervisor starts a new worker; the activity is retried once its heartbeat times out.
    await s.waitFor('a new worker', () => (s.pids().worker && s.pids().worker !== victim ? true : undefined));
    await c.workflow.getHandle(id).result();
    // Sleep past the killed attempt's would-be finish: its "done" must never come.
    await new Promise((r) => setTimeout(r, 3000));
    expect(lines(join(dir, 'attempts'))).toEqual(['started', 'started']);
    expect(lines(join(dir, 'effects'))).toEqual(['done', 'next']);
    const events = s.audit().filter((e) => e.workflowId === id).map((e) => `${e.event}:${e.step ?? ''}`);
    expect(events).toEqual([
      'runbook.started:',
      'step.started:slow',
      'step.completed:slow',
      'step.started:next',
      'step.completed:next',
      'runbook.completed:',
    ]);
    await maybeRecordHistory(s, id, 'crash-test');
  });

  it('resumes after the embedded server is stopped and restarted on the same SQLite file', async () => {
    const dir = join(s.dir, 'restart');
    mkdirSync(dir);
    const started = await s.cli(['start', runbook('restart'), '--incident', 'R1', '--set', `dir=${dir}`, '--json']);
    const { id } = JSON.parse(started.stdout) as { id: string };
    await s.waitFor('the wait step', async () => ((await statusOf(c, id)).steps[1]?.state === 'running' ? true : undefined));
    const before = s.pids();
    expect((await s.cli(['server', '--stop'])).code).toBe(0);
    await s.waitFor('the daemon to stop', () => (s.pids().daemon || s.pids().server ? undefined : true));
    await c.connection.close();

    // Any command brings the embedded server back, on the same database.
    const status = await s.cli(['status', id]);
    expect(status.code, status.stderr).toBe(0);
    expect(s.pids().daemon).not.toBe(before.daemon);
    c = await s.client();
    await c.workflow.getHandle(id).result();
    expect(lines(join(dir, 'effects'))).toEqual(['first', 'last']);
    const events = s.audit().filter((e) => e.workflowId === id).map((e) => `${e.event}:${e.step ?? ''}`);
    expect(events.filter((e) => e.startsWith('step.completed'))).toEqual([
      'step.completed:first',
      'step.completed:pause',
      'step.completed:last',
    ]);
    await maybeRecordHistory(s, id, 'restart-test');
  });
});
