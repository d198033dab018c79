/**
 * Recorded histories for replay tests. `RESPOND_RECORD_HISTORIES=1 npm test` refreshes them from
 * real runs (exported by the Temporal CLI, the format the web UI downloads too); they are committed
 * so later code is replayed against what older code wrote.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { ROOT, type Sandbox } from './sandbox.js';

export const HISTORIES_DIR = join(ROOT, 'test', 'histories');

export async function maybeRecordHistory(s: Sandbox, workflowId: string, name: string): Promise<void> {
  if (process.env.RESPOND_RECORD_HISTORIES !== '1') return;
  const cfg = s.config;
  const { stdout } = await execa(cfg.embedded.temporalBin, [
    'workflow', 'show', '--address', cfg.address, '--namespace', cfg.namespace, '-w', workflowId, '-o', 'json',
  ]);
  writeFileSync(join(HISTORIES_DIR, `${name}.json`), stdout.trimEnd() + '\n');
  // A fleet run derives its hosts' workflow ids from its own: replay must use the real id.
  writeFileSync(join(HISTORIES_DIR, `${name}.workflow-id`), `${workflowId}\n`);
}
