/** The `respond` command line. Commands throw; only this file chooses the exit code and exits. */
import { Command, CommanderError } from 'commander';
import { UserError } from '../lib/errors.js';
import { register as approve } from './commands/approve.js';
import { register as audit } from './commands/audit.js';
import { register as codec } from './commands/codec.js';
import { register as confirm } from './commands/confirm.js';
import { register as credentials } from './commands/credentials.js';
import { register as demo } from './commands/demo.js';
import { register as drill } from './commands/drill.js';
import { register as facts } from './commands/facts.js';
import { register as inventory } from './commands/inventory.js';
import { register as list } from './commands/list.js';
import { register as plan } from './commands/plan.js';
import { register as posture } from './commands/posture.js';
import { register as report } from './commands/report.js';
import { register as server } from './commands/server.js';
import { register as skills } from './commands/skills.js';
import { register as snapshot } from './commands/snapshot.js';
import { register as start } from './commands/start.js';
import { register as status } from './commands/status.js';
import { register as sweep } from './commands/sweep.js';
import { register as worker } from './commands/worker.js';
import { EXIT, EXIT_CODES_HELP } from './exit-codes.js';

const program = new Command('respond')
  .description('Incident-response and credential-rotation runbooks for OpenClaw gateways, on Temporal')
  .showHelpAfterError('(add --help for usage)')
  .exitOverride()
  .addHelpText(
    'after',
    `
With TEMPORAL_ADDRESS unset, respond starts an embedded Temporal dev server on 127.0.0.1:7233
(web UI http://127.0.0.1:8233, state in ~/.local/state/respond) in the background.
Set TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE and TEMPORAL_TLS_CERT/TEMPORAL_TLS_KEY or TEMPORAL_API_KEY
to use an existing cluster or Temporal Cloud, and run \`respond worker\` on as many machines as needed.

${EXIT_CODES_HELP}`,
  );

for (const register of [start, status, approve, confirm, list, plan, facts, credentials, posture, report, snapshot, skills, sweep, inventory, demo, drill, audit, codec, worker, server]) register(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  process.exitCode = exitFor(err);
}
// Open gRPC channels would keep the process alive after a command is done; exit once stdout and
// stderr have flushed (a large --json result on a pipe would otherwise be cut short).
const code = process.exitCode ?? EXIT.ok;
let pending = 2;
const done = () => --pending === 0 && process.exit(code);
process.stdout.write('', done);
process.stderr.write('', done);

function exitFor(err: unknown): number {
  if (err instanceof CommanderError) {
    // Commander already printed its message (or the help).
    return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
  }
  if (err instanceof UserError) {
    process.stderr.write(`respond: ${err.message}\n`);
    return err.exitCode;
  }
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`respond: ${message.split('\n')[0]}\n`);
  if (process.env.RESPOND_DEBUG) console.error(err);
  return EXIT.infra;
}
