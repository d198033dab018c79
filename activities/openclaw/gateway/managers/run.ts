import type { OpenclawHost } from '../../host.js';
import type { RunResult } from '../../../hosts/transports/index.js';

/** Runs a manager's command on the host; a non-zero exit is the manager refusing, with its words. */
export async function runManagerCommand(h: OpenclawHost, cmd: string, args: string[], opts: { timeoutMs?: number; env?: Record<string, string> } = {}): Promise<RunResult> {
  const r = await h.t.run(cmd, args, { timeoutMs: opts.timeoutMs ?? 90_000, env: opts.env });
  if (r.exitCode !== 0 || /\bERROR\b/.test(r.stdout)) {
    const said = `${r.stdout}\n${r.stderr}`.replace(/\s+/g, ' ').trim().slice(0, 300);
    throw new Error(`${[cmd, ...args].join(' ')} failed (exit ${r.exitCode}${r.timedOut ? ', timed out' : ''}): ${said || 'no output'}`);
  }
  return r;
}
