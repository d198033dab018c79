/** `respond worker`: poll the task queue. Run many, on many machines, against one cluster. */
import type { Command } from 'commander';
import { waitForPort } from '../../lib/embedded/dev-server.js';
import { runWorker } from '../../worker/run-worker.js';
import { config } from '../context.js';

export function register(program: Command): void {
  program
    .command('worker')
    .description('run a worker for the respond task queue (foreground, until SIGINT/SIGTERM)')
    .action(async () => {
      const cfg = config();
      if (cfg.mode === 'embedded') await waitForPort(cfg.embedded.port, 30_000);
      process.stderr.write(`respond worker: task queue ${cfg.taskQueue} on ${cfg.address} (namespace ${cfg.namespace}), pid ${process.pid}\n`);
      await runWorker(cfg);
    });
}
