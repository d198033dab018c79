/**
 * The path for fleets: TEMPORAL_ADDRESS points at an existing server (here a separately started
 * official dev server standing in for a cluster), several `respond worker` processes share the
 * task queue, and respond starts nothing of its own.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../lib/config.js';
import { spawnDevServer, waitForPort } from '../../lib/embedded/dev-server.js';
import { CLI, freePort, ROOT } from '../helpers/sandbox.js';

describe('an existing Temporal cluster with many workers', () => {
  const dir = mkdtempSync(join(tmpdir(), 'respond-ext-'));
  let server: ReturnType<typeof spawnDevServer>;
  const workers: ResultPromise[] = [];
  let env: Record<string, string>;

  beforeAll(async () => {
    const port = await freePort();
    const settings = { ...loadConfig().embedded, port, uiPort: await freePort(), dbFile: join(dir, 'cluster.sqlite') };
    server = spawnDevServer(settings, 'fleet', 'ignore');
    await waitForPort(port, 30_000, server);
    env = {
      TEMPORAL_ADDRESS: `127.0.0.1:${port}`,
      TEMPORAL_NAMESPACE: 'fleet',
      RESPOND_TASK_QUEUE: 'respond-fleet',
      RESPOND_ACTOR: 'ops',
    };
    for (const name of ['w1', 'w2']) {
      workers.push(
        execa(process.execPath, [CLI, 'worker'], {
          env: { ...env, RESPOND_STATE_DIR: join(dir, name) },
          reject: false,
          all: true,
        }),
      );
    }
  });

  afterAll(async () => {
    for (const w of workers) w.kill('SIGTERM');
    await Promise.all(workers);
    server?.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs runbooks on the shared task queue and never starts an embedded server', async () => {
    const cliState = join(dir, 'cli');
    const runs = await Promise.all(
      ['E1', 'E2', 'E3', 'E4'].map((incident) =>
        execa(process.execPath, [CLI, 'start', join(ROOT, 'test', 'runbooks', 'restart.yaml'), '--incident', incident, '--set', `dir=${dir}`, '--wait'], {
          env: { ...env, RESPOND_STATE_DIR: cliState },
          reject: false,
        }),
      ),
    );
    for (const r of runs) expect(r.exitCode, r.stderr).toBe(0);
    for (const r of runs) expect(r.stdout).toMatch(/completed/);
    expect(existsSync(join(cliState, 'daemon.pid'))).toBe(false);
    expect(existsSync(join(cliState, 'temporal.sqlite'))).toBe(false);

    const list = await execa(process.execPath, [CLI, 'list', '--json'], { env: { ...env, RESPOND_STATE_DIR: cliState } });
    const listed = JSON.parse(list.stdout) as { id: string; execution: string }[];
    expect(listed.map((r) => r.id).sort()).toEqual(['E1', 'E2', 'E3', 'E4'].map((i) => `respond-restart-test-${i}`));
    expect(new Set(listed.map((r) => r.execution))).toEqual(new Set(['COMPLETED']));

    // Each worker keeps its own audit log; together they hold every step exactly once.
    const { AuditLog } = await import('../../activities/audit/audit-log.js');
    const events = [
      ...(await new AuditLog(join(dir, 'w1', 'audit.jsonl')).read()),
      ...(await new AuditLog(join(dir, 'w2', 'audit.jsonl')).read()),
    ].filter((e) => e.event === 'step.completed');
    expect(events).toHaveLength(12);
    expect(new Set(events.map((e) => `${e.workflowId}/${e.step}`)).size).toBe(12);
  });
});
