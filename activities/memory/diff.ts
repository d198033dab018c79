/**
 * Unified diffs of memory files for an approval plan, made by git itself (`git diff --no-index`)
 * in a private temp dir that is removed afterwards. Every diff passes through the host's
 * redaction (its known config secrets, then credential shapes) before it leaves the worker, and
 * is capped so a huge file cannot flood workflow history.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { execa } from 'execa';

export const MAX_DIFF_CHARS = 16_000;

export async function unifiedDiff(label: string, before: Buffer | undefined, after: Buffer | undefined, redact: (s: string) => string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'respond-diff-'));
  try {
    const write = (side: string, b: Buffer | undefined) => {
      if (b === undefined) return '/dev/null';
      const p = join(dir, side, label);
      mkdirSync(dirname(p), { recursive: true });
      writeFileSync(p, b, { mode: 0o600 });
      return join(side, label);
    };
    const a = write('baseline', before);
    const b = write('live', after);
    const r = await execa('git', ['diff', '--no-index', '--no-color', '--no-ext-diff', '--text', '-U3', '--src-prefix=', '--dst-prefix=', '--', a, b], { cwd: dir, reject: false });
    // Exit 1 means "they differ"; anything else is git failing.
    if (r.exitCode !== 0 && r.exitCode !== 1) throw new Error(`git diff failed: ${String(r.stderr).split('\n')[0]}`);
    const text = redact(String(r.stdout).split('\n').filter((l) => !l.startsWith('diff --git') && !l.startsWith('index ')).join('\n'));
    return text.length > MAX_DIFF_CHARS ? `${text.slice(0, MAX_DIFF_CHARS)}\n[diff truncated: ${text.length} characters in all]` : text;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
