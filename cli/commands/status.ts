/** `respond status [id]`: one run's steps and pending approval, or the recent runs. */
import type { Command } from 'commander';
import { proveInclusion, verifyInclusion } from '../../lib/fleet/merkle.js';
import { UserError } from '../../lib/errors.js';
import { hostStatusQuery, hostWorkflowId } from '../../workflows/definitions.js';
import { client } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { renderHostStatus, renderStatus } from '../render/status.js';
import { exitCodeOf, followRun, personWaits, readRun, renderPersonWaits } from '../runs.js';
import { listRuns, renderRunList } from './list.js';

export function register(program: Command): void {
  program
    .command('status')
    .description('show a run: each step, what it did, and any approval it waits for')
    .argument('[id]', 'run id (default: list recent runs)')
    .option('--watch', 'keep showing changes until the run ends')
    .option('--host <name>', "one host's steps in a fleet run, and its inclusion in a waiting wave approval")
    .option('--json', 'print the status as JSON')
    .action(async (id: string | undefined, opts: { watch?: boolean; json?: boolean; host?: string }) => {
      const c = await client();
      if (opts.host) {
        if (!id) throw new UserError('--host needs a run id');
        const view = await readRun(c, id);
        let host;
        try {
          host = await c.workflow.getHandle(hostWorkflowId(id, opts.host, view.status.fleet?.section)).query(hostStatusQuery);
        } catch {
          throw new UserError(`run ${id} has no workflow for host ${opts.host} (not selected, or not started yet)`, EXIT.notFound);
        }
        const p = view.status.pending;
        const leaves = p?.leaves;
        const proof =
          p && leaves?.some((l) => l.host === opts.host) ? { ...proveInclusion(leaves, opts.host), waveHash: p.hash } : undefined;
        const out = proof ? { ...proof, verified: verifyInclusion(proof) && proof.root === p!.merkleRoot } : undefined;
        console.log(opts.json ? JSON.stringify({ host, proof: out }, null, 2) : renderHostStatus(`${id}/${opts.host}`, host, out));
        return;
      }
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
      const waits = await personWaits(c, view);
      if (opts.json) console.log(JSON.stringify({ ...view, ...(waits.length ? { waitingForPeople: waits } : {}) }, null, 2));
      else console.log([renderStatus(view.id, view.status, view.failure), ...(waits.length ? [renderPersonWaits(view.id, waits)] : [])].join('\n'));
      process.exitCode = exitCodeOf(view);
    });
}
