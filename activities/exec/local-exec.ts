/**
 * Runs one command on the worker's own host. The command's output is redacted (known secret
 * values, then well-known token shapes) and truncated before it leaves this function.
 */
import { existsSync } from 'node:fs';
import { execa } from 'execa';
import { redactKnown } from '../../lib/secrets.js';
import { redactTokenShapes } from '../../lib/redact-patterns.js';

export interface LocalExecRequest {
  command: string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
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
const canTieToParent = process.platform === 'linux' && existsSync(SETPRIV);

export async function runLocal(
  req: LocalExecRequest,
  secretValues: readonly string[],
  onTick?: () => void,
): Promise<ExecResult> {
  const [file, ...args] = req.command;
  if (!file) throw new Error('empty command');
  const [bin, argv] = canTieToParent ? [SETPRIV, ['--pdeathsig', 'KILL', '--', file, ...args]] : [file, args];
  const started = Date.now();
  const ticker = onTick ? setInterval(onTick, 1000) : undefined;
  try {
    const result = await execa(bin, argv, {
      cwd: req.cwd,
      env: req.env,
      timeout: req.timeoutMs,
      forceKillAfterDelay: 5000,
      reject: false,
      stdin: 'ignore',
      maxBuffer: 16 * 1024 * 1024,
    });
    const clean = (text: string | undefined) => tail(redactTokenShapes(redactKnown(text ?? '', secretValues)));
    return {
      exitCode: result.exitCode ?? (result.timedOut ? 124 : 128),
      timedOut: result.timedOut ?? false,
      durationMs: Date.now() - started,
      stdoutTail: clean(result.stdout as string),
      stderrTail: clean(result.failed && !result.stderr ? result.shortMessage : (result.stderr as string)),
    };
  } finally {
    if (ticker) clearInterval(ticker);
  }
}

function tail(text: string): string {
  return text.length <= OUTPUT_TAIL_CHARS ? text : `…${text.slice(-OUTPUT_TAIL_CHARS)}`;
}
