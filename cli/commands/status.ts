/** `respond status [id]`: one run's steps and pending approval, or the recent runs. */
import type { Command } from 'commander';
import { client } from '../context.js';
import { renderStatus } from '../render/status.js';
import { exitCodeOf, followRun, readRun } from '../runs.js';
import { listRuns, renderRunList } from './list.js';

export function register(program: Command): void {
  program
    .command('status')
    .description('show a run: each step, what it did, and any approval it waits for')
    .argument('[id]', 'run id (default: list recent runs)')
    .option('--watch', 'keep showing changes until the run ends')
    .option('--json', 'print the status as JSON')
    .action(async (id: string | undefined, opts: { watch?: boolean; json?: boolean }) => {
      const c = await client();
      if (!id) {
        const runs = await listRuns(c, 20);
        console.log(opts.json ? JSON.stringify(runs, null, 2) : renderRunList(runs));
        return;
      }
      if (opts.watch) {
        const final = await followRun(c, id, (view) =>
          console.log(opts.json ? JSON.stringify(view) : `\n${renderStatus(view.id, view.status, view.failure)}`),
        );
        process.exitCode = exitCodeOf(final);
        return;
      }
      const view = await readRun(c, id);
      console.log(opts.json ? JSON.stringify(view, null, 2) : renderStatus(view.id, view.status, view.failure));
      process.exitCode = exitCodeOf(view);
    });
}
