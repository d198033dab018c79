/**
 * The metadata pass before rg. rg's --max-filesize and exclusion globs skip silently; an operator
 * must see what was not searched, so GNU find lists big files with sizes and excluded directories.
 * The same walk lists database files (searched separately in text mode) and OpenClaw config
 * files (parsed by the config pass), names roots that do not exist and directories it cannot enter.
 */
import { DATABASE_GLOBS, EXCLUDED_GLOBS } from './rg.js';

/**
 * OpenClaw config files and auth profile stores, with every backup suffix, agents' generated
 * models.json, and the token files
 * its CLI reads (`--token-file ~/.openclaw/gateway.token`): read whole by the config pass.
 */
export const CONFIG_GLOBS = ['openclaw.json*', 'clawdbot.json*', 'moltbot.json*', 'auth-profiles.json*', 'models.json', 'gateway.token', 'gateway.password'];
import type { SkippedFile } from './types.js';

export function oversizeArgs(roots: readonly string[], maxFileSize: number): string[] {
  const prunes = EXCLUDED_GLOBS.map((g) => g.replace(/^!\*\*\//, ''));
  // -prune mirrors rg's excluded globs, so find does not report a huge file rg was never going to read.
  const pruneExpr = prunes.flatMap((p, i) => [...(i > 0 ? ['-o'] : []), '-path', `*/${p}`]);
  const dbNames = DATABASE_GLOBS.flatMap((g, i) => [...(i > 0 ? ['-o'] : []), '-name', g]);
  const cfgNames = CONFIG_GLOBS.flatMap((g, i) => [...(i > 0 ? ['-o'] : []), '-name', g]);
  return [
    ...roots,
    '(', ...pruneExpr, ')', '-printf', 'X\\t0\\t%p\\0', '-prune',
    '-o', '-type', 'f', '-size', `+${maxFileSize}c`, '-printf', 'S\\t%s\\t%p\\0',
    '-o', '-type', 'f', '(', ...dbNames, ')', '-printf', 'D\\t%s\\t%p\\0',
    '-o', '-type', 'f', '(', ...cfgNames, ')', '-printf', 'C\\t%s\\t%p\\0',
  ];
}

export interface OversizeResult {
  skipped: SkippedFile[];
  /** Database files within the size limit, for the text-mode pass. */
  databases: string[];
  /** OpenClaw config files and auth profile stores within the size limit, for the config pass. */
  configs: string[];
  missingRoots: string[];
}

export function parseOversize(stdout: string, stderr: string, roots: readonly string[]): OversizeResult {
  const skipped: SkippedFile[] = [];
  const databases: string[] = [];
  const configs: string[] = [];
  for (const rec of stdout.split('\0')) {
    const m = /^([SDXC])\t(\d+)\t([\s\S]+)$/.exec(rec);
    if (!m) continue;
    if (m[1] === 'S') skipped.push({ path: m[3]!, reason: 'too-large', size: Number(m[2]) });
    else if (m[1] === 'X') skipped.push({ path: m[3]!, reason: 'excluded', detail: 'dependency or cache directory, not searched' });
    else if (m[1] === 'C') configs.push(m[3]!);
    else databases.push(m[3]!);
  }
  const missingRoots: string[] = [];
  for (const line of stderr.split('\n')) {
    const m = /^find: [‘'`](.*)[’'`]: (.*)$/.exec(line);
    if (!m) continue;
    if (/No such file or directory/.test(m[2]!) && roots.includes(m[1]!)) missingRoots.push(m[1]!);
    else skipped.push({ path: m[1]!, reason: 'unreadable', detail: m[2]! });
  }
  return { skipped, databases, configs, missingRoots };
}
