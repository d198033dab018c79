/**
 * Runs one command on the worker's own host. The command's output is redacted (known secret
 * values, then well-known token shapes) and truncated before it leaves this function.
 */
import { existsSync } from 'node:fs';
import { LocalTransport } from '../hosts/transports/local.js';

export interface LocalExecRequest {
  command: string[];
  cwd?: string;
  /** Added to the worker's environment. */
  env?: Record<string, string>;
  timeoutMs: number;
}

export interface ExecResult {
  exitCode: number;
  timedOut: boolean;
  durationMs: number;
  /** Last lines of output, redacted. */
  stdoutTail: string;
  stderrTail: string;
}

export const OUTPUT_TAIL_CHARS = 4000;

// A SIGKILLed worker cannot clean up its children; with PR_SET_PDEATHSIG the kernel does, so a
// retried step never races a still-running copy of itself.
const SETPRIV = '/usr/bin/setpriv';
const TIE_TO_PARENT = process.platform === 'linux' && existsSync(SETPRIV) ? [SETPRIV, '--pdeathsig', 'KILL', '--'] : [];

/** Through the one local runner: redacted with the step's secrets and credential shapes, then cut to the tail. */
export async function runLocal(req: LocalExecRequest, secretValues: readonly string[]): Promise<ExecResult> {
  const [file, ...args] = req.command;
  if (!file) throw new Error('empty command');
  const t = new LocalTransport(req.env ?? {}, { wrap: TIE_TO_PARENT });
  t.addSecrets(secretValues);
  const r = await t.run(file, args, { cwd: req.cwd, timeoutMs: req.timeoutMs, heartbeat: true });
  return {
    exitCode: r.exitCode,
    timedOut: r.timedOut,
    durationMs: r.durationMs,
    stdoutTail: tail(r.stdout),
    stderrTail: tail(r.stderr),
  };
}

function tail(text: string): string {
  return text.length <= OUTPUT_TAIL_CHARS ? text : `…${text.slice(-OUTPUT_TAIL_CHARS)}`;
}
