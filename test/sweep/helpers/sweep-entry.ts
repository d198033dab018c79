import { Command, CommanderError } from 'commander';
import { register } from '../../../cli/commands/sweep.js';
import { UserError } from '../../../lib/errors.js';

const program = new Command('respond').exitOverride();
register(program);
try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) process.exitCode = err.exitCode === 0 ? 0 : 2;
  else if (err instanceof UserError) {
    process.stderr.write(`respond: ${err.message}\n`);
    process.exitCode = err.exitCode;
  } else {
    process.stderr.write(`respond: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}\n`);
    process.exitCode = 5;
  }
}
