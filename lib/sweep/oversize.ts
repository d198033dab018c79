/**
 * rg's --max-filesize skips big files silently; an operator must see them. GNU find lists them
 * (with sizes) and also names roots that do not exist and directories it cannot enter.
 */
import { EXCLUDED_GLOBS } from './rg.js';
import type { SkippedFile } from './types.js';

export function oversizeArgs(roots: readonly string[], maxFileSize: number): string[] {
  const prunes = EXCLUDED_GLOBS.map((g) => g.replace(/^!\*\*\//, '').replace(/\/\*\*$/, ''));
  // -prune mirrors rg's excluded globs, so find does not report a huge file rg was never going to read.
  const pruneExpr = prunes.flatMap((p, i) => [...(i > 0 ? ['-o'] : []), '-path', `*/${p}`]);
  return [
    ...roots,
    '(',
    ...pruneExpr,
    ')',
    '-prune',
    '-o',
    '-type',
    'f',
    '-size',
    `+${maxFileSize}c`,
    '-printf',
    '%s\\t%p\\0',
  ];
}

export interface OversizeResult {
  skipped: SkippedFile[];
  missingRoots: string[];
}

export function parseOversize(stdout: string, stderr: string, roots: readonly string[]): OversizeResult {
  const skipped: SkippedFile[] = [];
  for (const rec of stdout.split('\0')) {
    const tab = rec.indexOf('\t');
    if (tab < 0) continue;
    skipped.push({ path: rec.slice(tab + 1), reason: 'too-large', size: Number(rec.slice(0, tab)) });
  }
  const missingRoots: string[] = [];
  for (const line of stderr.split('\n')) {
    const m = /^find: [‘'`](.*)[’'`]: (.*)$/.exec(line);
    if (!m) continue;
    if (/No such file or directory/.test(m[2]!) && roots.includes(m[1]!)) missingRoots.push(m[1]!);
    else skipped.push({ path: m[1]!, reason: 'unreadable', detail: m[2]! });
  }
  return { skipped, missingRoots };
}
