/**
 * `respond confirm <run> --host H`: tells a host that waits for a person (a gateway only a person
 * can stop or start) that it is done. The host then checks for itself before it goes on.
 */
import type { Command } from 'commander';
import { UserError } from '../../lib/errors.js';
import { hostConfirmSignal, hostStatusQuery, hostWorkflowId, type HostStatus } from '../../workflows/definitions.js';
import { actor, client } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { readRun } from '../runs.js';

export function register(program: Command): void {
  program
    .command('confirm')
    .description('confirm you did what a host waits for (e.g. stopped a gateway respond cannot stop); respond checks it before going on')
    .argument('<id>', 'run id')
    .requiredOption('--host <name>', 'the host that waits')
    .option('--as <name>', 'who did it (default: $RESPOND_ACTOR or your user name)')
    .option('--note <text>', 'what you did, kept in the audit log')
    .option('--json', 'print the receipt as JSON')
    .action(async (id: string, opts: { host: string; as?: string; note?: string; json?: boolean }) => {
      const c = await client();
      const view = await readRun(c, id);
      const wid = hostWorkflowId(id, opts.host, view.status.fleet?.section);
      let host: HostStatus;
      try {
        host = await c.workflow.getHandle(wid).query(hostStatusQuery);
      } catch {
        throw new UserError(`run ${id} has no workflow for host ${opts.host} (not selected, or not started yet)`, EXIT.notFound);
      }
      const w = host.waiting;
      if (!w) throw new UserError(`host ${opts.host} in run ${id} is not waiting for a person (state: ${host.state})`, EXIT.refused);
      const by = actor(opts.as);
      await c.workflow.getHandle(wid).signal(hostConfirmSignal, { step: w.step, action: w.action, by, ...(opts.note ? { note: opts.note } : {}) });
      const receipt = { run: id, host: opts.host, step: w.step, action: w.action, by };
      console.log(opts.json ? JSON.stringify(receipt) : `confirmed ${w.action} on ${opts.host} (step ${w.step}) as ${by}; respond now checks the host`);
    });
}
