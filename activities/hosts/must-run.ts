/** A host command that must succeed: a failure is an error naming the host, the command and its first stderr line. */
import type { RunResult, Transport } from './transports/index.js';

export async function mustRun(t: Pick<Transport, 'run' | 'description'>, cmd: string, args: string[], timeoutMs = 60_000): Promise<RunResult> {
  const r = await t.run(cmd, args, { timeoutMs });
  if (r.exitCode !== 0) throw new Error(`${t.description}: ${cmd} ${args.at(-1)} failed: ${r.stderr.trim().split('\n')[0]}`);
  return r;
}
