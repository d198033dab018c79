/**
 * Runs `respond sweep` as a separate process, with the same exit-code mapping as cli/main.ts,
 * so tests see exactly what an operator's shell sees. (cli/main.ts registers the command once
 * the lead wires it in; this entry keeps the sweep tests independent of that.)
 */
import { join } from 'node:path';
import { execa } from 'execa';

const ENTRY = join(import.meta.dirname, 'sweep-entry.ts');
const TSX = join(import.meta.dirname, '..', '..', '..', 'node_modules', '.bin', 'tsx');

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export async function sweepCli(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  const r = await execa(TSX, [ENTRY, 'sweep', ...args], { env, reject: false, stdin: 'ignore', timeout: 300_000 });
  return { code: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}
