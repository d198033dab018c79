import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { workflowBundlePath } from '../../worker/run-worker.js';
import { HISTORIES_DIR } from '../helpers/histories.js';

const files = readdirSync(HISTORIES_DIR).filter((f) => f.endsWith('.json'));

/** The workflow id the history ran under (beside it when recorded), else the file's name. */
function recordedId(file: string): string {
  const sidecar = join(HISTORIES_DIR, file.replace(/\.json$/, '.workflow-id'));
  return existsSync(sidecar) ? readFileSync(sidecar, 'utf8').trim() : file.replace(/\.json$/, '');
}

describe('replay of recorded histories', () => {
  it('has recorded histories to replay', () => {
    expect(files.length).toBeGreaterThanOrEqual(4);
  });

  it('replays every recorded history with the current workflow code without nondeterminism', async () => {
    const histories = files.map((f) => ({
      workflowId: recordedId(f),
      history: historyFromJSON(JSON.parse(readFileSync(join(HISTORIES_DIR, f), 'utf8'))),
    }));
    const results = [];
    for await (const r of Worker.runReplayHistories({ workflowBundle: { codePath: workflowBundlePath() } }, histories)) {
      results.push({ id: r.workflowId, error: r.error?.message });
    }
    expect(results).toEqual(histories.map((h) => ({ id: h.workflowId, error: undefined })));
    // Fleet runs are among them: a parent with its host children, and one host's own workflow.
    expect(histories.map((h) => h.workflowId)).toEqual(expect.arrayContaining(['respond-fleet-scrub-FLEET-1', 'respond-fleet-scrub-FLEET-1/web-1']));
  });
});
