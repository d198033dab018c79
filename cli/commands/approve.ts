/** `respond approve` and `respond reject`: Temporal Updates, validated by the workflow before they count. */
import type { Command } from 'commander';
import { UserError } from '../../lib/errors.js';
import { describePending, sendApproval, sendRejection } from '../approval-actions.js';
import { actor, client } from '../context.js';
import { EXIT } from '../exit-codes.js';
import type { ApprovalRequest } from '../../workflows/definitions.js';
import { confirm, interactive } from '../prompt.js';
import { readRun } from '../runs.js';
import { signApproval, type SignWith } from '../sign-approval.js';

interface ApproveOptions {
  step?: string;
  hash?: string;
  as?: string;
  comment?: string;
  sign?: string;
  signAgent?: true | string;
  printSignal?: boolean;
  json?: boolean;
}

function signWith(opts: ApproveOptions): SignWith | undefined {
  if (opts.sign && opts.signAgent) throw new UserError('--sign and --sign-agent: choose one');
  if (opts.sign) return { keyFile: opts.sign };
  if (opts.signAgent) return { agent: opts.signAgent };
  return undefined;
}

export function register(program: Command): void {
  program
    .command('approve')
    .description('approve the step a run waits on; the hash must match the planned action you reviewed')
    .argument('<id>', 'run id')
    .option('--step <step>', 'step id (default: the step waiting)')
    .option('--hash <sha256>', 'hash of the planned action (from `respond status`); asked for interactively if omitted')
    .option('--as <name>', 'approver (default: $RESPOND_ACTOR or your user name)')
    .option('--comment <text>', 'note kept with the approval')
    .option('--sign <key>', 'sign the approval with this SSH private key file (ssh-keygen -Y sign)')
    .option('--sign-agent [pubkey]', "sign with a key held by ssh-agent (the agent's only key, or the one in this .pub file)")
    .option('--print-signal', "print the approve Signal's JSON input (signature included) for the web UI, and send nothing")
    .option('--json', 'print the receipt as JSON')
    .action(async (id: string, opts: ApproveOptions) => {
      const c = await client();
      const { status } = await readRun(c, id);
      const pending = status.pending;
      if (!pending) throw new UserError(`run ${id} is not waiting for approval`, EXIT.refused);
      let hash = opts.hash;
      if (!hash) {
        if (!interactive()) throw new UserError('--hash is required when not on a terminal (see respond status ' + id + ')');
        console.log(describePending(pending));
        if (!(await confirm(`approve step ${pending.step}?`))) throw new UserError('not approved', EXIT.refused);
        hash = pending.hash;
      }
      const req: ApprovalRequest = { step: opts.step ?? pending.step, hash, approver: actor(opts.as), ...(opts.comment ? { comment: opts.comment } : {}) };
      const how = signWith(opts);
      if (how) req.signature = await signApproval({ run: id, step: req.step, hash: req.hash, approver: req.approver }, how);
      else if (pending.signed) throw new UserError(`run ${id} takes signed approvals only: add --sign ~/.ssh/id_ed25519 or --sign-agent`);
      if (opts.printSignal) {
        console.log(JSON.stringify(req));
        return;
      }
      const receipt = await sendApproval(c, id, req);
      console.log(
        opts.json
          ? JSON.stringify(receipt)
          : `approved ${receipt.step} (${receipt.approvals}/${receipt.required})${receipt.approved ? '; the step runs now' : ''}`,
      );
    });

  program
    .command('reject')
    .description('reject the step a run waits on; the run stops without running it')
    .argument('<id>', 'run id')
    .requiredOption('--reason <text>', 'why (kept in the audit log)')
    .option('--step <step>', 'step id (default: the step waiting)')
    .option('--as <name>', 'who rejects (default: $RESPOND_ACTOR or your user name)')
    .action(async (id: string, opts: { reason: string; step?: string; as?: string }) => {
      const c = await client();
      await sendRejection(c, id, { step: opts.step, actor: actor(opts.as), reason: opts.reason });
      console.log(`rejected; run ${id} stops`);
    });
}
