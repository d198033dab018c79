/**
 * Where respond keeps what it moves out of a user's way (scrubbed originals, tampered memory
 * files, skills that are not allowed): on the worker's own machine under its state dir, on
 * another host under that user's own state dir (the worker's path may not exist or be writable
 * there), unless RESPOND_QUARANTINE_DIR pins one path everywhere.
 */
import { join } from 'node:path';
import { mustRun } from './must-run.js';
import type { Transport } from './transports/index.js';

export interface QuarantineSettings {
  /** Parent of the quarantine dirs on this machine. */
  base: string;
  /** Use `base` on remote hosts too. */
  pinned: boolean;
}

export function quarantineSettings(stateDir: string): QuarantineSettings {
  return { base: process.env.RESPOND_QUARANTINE_DIR || join(stateDir, 'quarantine'), pinned: Boolean(process.env.RESPOND_QUARANTINE_DIR) };
}

export async function quarantineBaseOn(
  t: { run(cmd: string, args: readonly string[], opts: { timeoutMs: number }): Promise<{ stdout: string }> },
  local: boolean,
  s: QuarantineSettings,
  host: string,
): Promise<string> {
  if (local || s.pinned) return s.base;
  const home = (await t.run('sh', ['-c', 'printf %s "$HOME"'], { timeoutMs: 30_000 })).stdout.trim();
  if (!home.startsWith('/')) throw new Error(`${host}: cannot find the remote home directory for the quarantine`);
  return `${home}/.local/state/respond/quarantine`;
}

/** Creates (or reuses) the quarantine dir `<base>/<label>` on the host, owner-only, and returns it. */
export async function openQuarantineDir(t: Pick<Transport, 'run' | 'description'>, local: boolean, s: QuarantineSettings, host: string, label: string): Promise<string> {
  const base = await quarantineBaseOn(t, local, s, host);
  const dir = `${base.replace(/\/+$/, '')}/${label}`;
  await mustRun(t, 'mkdir', ['-p', '-m', '0700', '--', dir]);
  // mkdir -p leaves an existing dir's mode alone: enforce it.
  await mustRun(t, 'chmod', ['0700', '--', base, dir]);
  return dir;
}
