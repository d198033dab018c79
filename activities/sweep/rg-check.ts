/**
 * A rule whose regex JS accepts but rg's Rust engine does not (look-arounds, backreferences,
 * Unicode classes under the sweep's ASCII dialect)
 * would fail the whole sweep with rg's own message. Checking with the bundled rg up front turns
 * that into a one-line error naming the rule and its file.
 */
import { rgPath } from '@vscode/ripgrep';
import { execa } from 'execa';
import { UserError } from '../../lib/errors.js';
import { REGEX_DIALECT } from '../../lib/sweep/rg.js';
import type { RuleSet } from '../../lib/sweep/types.js';

async function compiles(patterns: readonly string[]): Promise<{ ok: boolean; message: string }> {
  // Searching /dev/null compiles the patterns and reads nothing: exit 1 (no match) means fine.
  const r = await execa(rgPath, ['--no-config', ...REGEX_DIALECT, '--file', '-', '/dev/null'], { input: `${patterns.join('\n')}\n`, reject: false });
  const lines = r.stderr.split('\n');
  const message = (lines.find((l) => l.startsWith('error: ')) ?? lines[0] ?? '').replace(/^error: /, '');
  return { ok: r.exitCode === 0 || r.exitCode === 1, message };
}

export async function checkRulesInRg(rules: RuleSet): Promise<void> {
  if (rules.rules.length === 0 || (await compiles(rules.rules.map((r) => r.pattern))).ok) return;
  for (const rule of rules.rules) {
    const one = await compiles([rule.pattern]);
    if (!one.ok) {
      const why = one.message.replace(/^rg: /, '').trim() || 'rejected by rg';
      throw new UserError(`${rule.source}: rules.${rule.id}.regex: ripgrep cannot compile it (${why})`);
    }
  }
}
