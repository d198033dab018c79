/** The `exec` step's activity: run a command on the worker's host at most once per step. */
import { resolveSecretRefs } from '../secrets/refs.js';
import { fillSecrets } from '../../lib/template.js';
import type { EffectLedger } from './effect-ledger.js';
import { runLocal, type ExecResult } from './local-exec.js';

export interface RunCommandInput {
  /** Stable for this side effect (workflow id + step id): the ledger key. */
  effectKey: string;
  /** May hold `{{secrets.NAME}}` placeholders, filled in here and nowhere else. */
  command: string[];
  cwd?: string;
  env?: Record<string, string>;
  timeoutMs: number;
  secretRefs: Record<string, string>;
}

export interface RunCommandResult extends ExecResult {
  /** True when the ledger already held this effect's result and nothing ran. */
  fromLedger: boolean;
}

export function createExecActivities(ledger: EffectLedger) {
  return {
    async runCommand(input: RunCommandInput): Promise<RunCommandResult> {
      const done = await ledger.get<{ value: ExecResult }>(input.effectKey);
      if (done) return { ...done.value, fromLedger: true };
      const secrets = await resolveSecretRefs(input.secretRefs);
      const fill = (text: string) => fillSecrets(text, (name) => secrets[name] ?? '');
      const env = input.env && Object.fromEntries(Object.entries(input.env).map(([k, v]) => [k, fill(v)]));
      const result = await runLocal({ command: input.command.map(fill), cwd: input.cwd, env, timeoutMs: input.timeoutMs }, Object.values(secrets));
      await ledger.put(input.effectKey, result);
      return { ...result, fromLedger: false };
    },
  };
}
