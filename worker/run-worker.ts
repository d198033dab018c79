/** Runs one respond worker until SIGINT/SIGTERM: the runbook workflow plus every activity. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities } from '../activities/index.js';
import type { RespondConfig } from '../lib/config.js';
import { projectRoot } from '../lib/project-root.js';
import { connectWorker } from '../lib/temporal-connection.js';
import { dataConverterFor } from '../lib/codec/settings.js';

/** Prebuilt by `npm run build`: a worker starts in well under a second instead of bundling. */
export function workflowBundlePath(): string {
  return join(projectRoot(), 'dist', 'workflow-bundle.js');
}

export function workflowSource(): Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath'> {
  const bundle = workflowBundlePath();
  if (existsSync(bundle)) return { workflowBundle: { codePath: bundle } };
  return { workflowsPath: join(projectRoot(), 'workflows', 'index.ts') };
}

export async function createWorker(config: RespondConfig): Promise<Worker> {
  const connection = await connectWorker(config);
  return Worker.create({
    connection,
    namespace: config.namespace,
    taskQueue: config.taskQueue,
    ...workflowSource(),
    dataConverter: dataConverterFor(config.codec),
    activities: createActivities({ stateDir: config.stateDir, auditLogPath: config.auditLogPath, memoryBackup: config.memoryBackup }),
  });
}

export async function runWorker(config: RespondConfig): Promise<void> {
  const worker = await createWorker(config);
  await worker.run();
}
