/** `respond start <runbook>`: validate everything, then start the run; follow it when asked or attached. */
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { Command } from 'commander';
import { uiUrl } from '../../lib/config.js';
import { UserError } from '../../lib/errors.js';
import { INCIDENT, RUNBOOK } from '../../lib/search-attributes.js';
import { gatesRefusingAutoApprove } from '../../workflows/plan-step.js';
import { RUNBOOK_WORKFLOW, type RunbookInput } from '../../workflows/definitions.js';
import { actor, client, config } from '../context.js';
import { resolveRunInput } from '../run-input.js';
import { EXIT } from '../exit-codes.js';
import { describePending, sendApproval } from '../approval-actions.js';
import { confirm, interactive } from '../prompt.js';
import { renderStatus } from '../render/status.js';
import { exitCodeOf, followRun } from '../runs.js';
import { pinSigners, signedApprovalsOn } from '../signers.js';

export interface StartOptions {
  inventory?: string;
  incident?: string;
  set: string[];
  dryRun?: boolean;
  wait?: boolean;
  detach?: boolean;
  autoApprove?: boolean;
  emergency?: boolean;
  as?: string;
  json?: boolean;
}

export function register(program: Command): void {
  program
    .command('start')
    .description('start a runbook (a bundled name such as "example", or a path to a YAML file)')
    .argument('<runbook>', 'runbook name or file')
    .option('--inventory <file>', 'inventory of the hosts the runbook acts on (sets its inventory parameter)')
    .option('--incident <id>', 'incident id (default: adhoc-<UTC timestamp>); one run per runbook and incident')
    .option('--set <name=value>', 'set a runbook parameter, or a fleet setting as fleet.NAME=VALUE (canary, waves, maxConcurrency, maxErrors) (repeatable)', (v: string, acc: string[]) => [...acc, v], [])
    .option('--dry-run', 'walk the steps and record each planned action and hash; change nothing')
    .option('--wait', 'follow the run until it ends (no prompts); exit 1 if it fails')
    .option('--detach', 'print the run id and return at once, even on a terminal')
    .option('--auto-approve', 'approve every gate as auto:<you> with the hash the workflow computed (demos, drills, benches); refused by autoApprove: false')
    .option('--emergency', 'rotations cut over at once, no overlap window (sets overlap=0): for a secret known to be stolen')
    .option('--as <name>', 'who is starting (default: $RESPOND_ACTOR or your user name)')
    .option('--json', 'print the run id and links as JSON')
    .action(async (runbook: string, opts: StartOptions) => {
      process.exitCode = await start(runbook, opts);
    });
}

/** Validates everything, then starts the run (nothing printed): for `start` and the commands built on it. */
export async function launchRun(runbookArg: string, opts: StartOptions) {
  // Everything that can be wrong with the input is checked before anything starts.
  const { loaded, params, fleet } = await resolveRunInput(runbookArg, opts.set, opts.inventory, { emergency: Boolean(opts.emergency) });
  if (opts.autoApprove) {
    const refusing = gatesRefusingAutoApprove(loaded.spec);
    if (refusing.length) {
      throw new UserError(`--auto-approve: ${loaded.path}: step ${refusing[0]!.id} needs a person's approval (autoApprove: false)`);
    }
  }
  const incident = opts.incident ?? `adhoc-${new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '')}`;
  if (!/^[\w.-]{1,64}$/.test(incident)) throw new UserError(`--incident ${incident}: use letters, digits, . _ - (at most 64)`);
  const who = actor(opts.as);

  const cfg = config();
  const signed = signedApprovalsOn(loaded.spec, cfg);
  if (signed && opts.autoApprove) throw new UserError(`--auto-approve: ${loaded.path}: signed approvals are on; every gate needs an approver's signature`);
  const signers = signed ? pinSigners(loaded.spec, cfg) : undefined;
  const c = await client(cfg);
  const workflowId = `respond-${loaded.spec.name}-${incident}`;
  const input: RunbookInput = {
    spec: loaded.spec,
    specSha256: loaded.specSha256,
    source: loaded.path,
    params,
    incident,
    actor: who,
    dryRun: Boolean(opts.dryRun),
    ...(fleet ? { fleet } : {}),
    ...(opts.autoApprove ? { autoApprove: { actor: who } } : {}),
    ...(signers ? { signing: { signers } } : {}),
  };
  try {
    await c.workflow.start(RUNBOOK_WORKFLOW, {
      taskQueue: cfg.taskQueue,
      workflowId,
      args: [input],
      typedSearchAttributes: [
        { key: RUNBOOK, value: loaded.spec.name },
        { key: INCIDENT, value: incident },
      ],
      staticSummary: `${loaded.spec.name} · incident ${incident}${opts.dryRun ? ' · dry run' : ''}`,
      staticDetails: [
        `Runbook **${loaded.spec.name}** from \`${loaded.path}\``,
        `spec sha256 \`${loaded.specSha256}\``,
        `started by ${who}; ${loaded.spec.steps.length} steps: ${loaded.spec.steps.map((s) => `${s.id} (${s.kind})`).join(', ')}`,
        ...(fleet
          ? [`fleet: hosts \`${fleet.hosts}\` of \`${fleet.inventory}\`, canary ${fleet.canary}, waves ${fleet.waves.join(', ')}, maxConcurrency ${fleet.maxConcurrency}, maxErrors ${fleet.maxErrors}`]
          : []),
        ...(opts.autoApprove ? [`gates auto-approved as auto:${who}`] : []),
        ...(signers ? [`signed approvals: ${Object.entries(signers).map(([name, keys]) => `${name} (${keys.map((k) => k.fingerprint).join(', ')})`).join('; ')}`] : []),
      ].join('\n\n'),
    });
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) {
      throw new UserError(`runbook ${loaded.spec.name} already runs for incident ${incident}: respond status ${workflowId}`);
    }
    throw err;
  }
  return { c, cfg, workflowId, incident, who, runbook: loaded.spec.name, specSha256: loaded.specSha256 };
}

export async function start(runbookArg: string, opts: StartOptions): Promise<number> {
  const { c, cfg, workflowId, incident, who, runbook, specSha256 } = await launchRun(runbookArg, opts);
  const ui = uiUrl(cfg, workflowId);
  if (opts.json) {
    console.log(JSON.stringify({ id: workflowId, runbook, incident, specSha256, ui }));
  } else {
    console.log(`started ${workflowId}${ui ? `  (${ui})` : ''}`);
  }
  const attached = interactive() && !opts.detach && !opts.json && !opts.autoApprove;
  if (!opts.wait && !attached) return EXIT.ok;

  const final = await followRun(
    c,
    workflowId,
    (view) => !opts.json && console.log(renderStatus(view.id, view.status, view.failure)),
    attached
      ? async (view) => {
          const p = view.status.pending!;
          if (p.signed) {
            console.log(`approve with a signature: respond approve ${workflowId} --step ${p.step} --hash ${p.hash} --as ${who} --sign ~/.ssh/id_ed25519`);
            return;
          }
          if (p.approvers.length > 0 && !p.approvers.includes(who)) return;
          console.log(describePending(p));
          if (!(await confirm(`approve step ${p.step} as ${who}?`))) {
            console.log(`not approved; approve later with: respond approve ${workflowId} --step ${p.step} --hash ${p.hash}`);
            return;
          }
          const receipt = await sendApproval(c, workflowId, { step: p.step, hash: p.hash, approver: who });
          console.log(`approved (${receipt.approvals}/${receipt.required})`);
        }
      : undefined,
  );
  return exitCodeOf(final);
}
