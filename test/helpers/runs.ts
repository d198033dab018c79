import type { Client } from '@temporalio/client';
import { historyPayloadTexts } from '../../lib/codec/history-payloads.js';
import { statusQuery, type RunbookStatus } from '../../workflows/definitions.js';
import type { Sandbox } from './sandbox.js';

export async function statusOf(c: Client, id: string): Promise<RunbookStatus> {
  return c.workflow.getHandle(id).query(statusQuery);
}

/** Waits until the run waits for approval of `step`, and returns the pending approval. */
export async function pendingFor(s: Sandbox, c: Client, id: string, step: string) {
  return s.waitFor(`approval of ${step}`, async () => {
    const st = await statusOf(c, id);
    return st.pending?.step === step ? st.pending : undefined;
  });
}

/**
 * A run's whole history as text: the raw JSON and, after it, every payload decoded. Payloads are
 * base64 in the JSON and encrypted by the codec, so a secret scan of the raw text alone would find
 * nothing: the scan must see the plaintext.
 */
export async function historyJson(c: Client, id: string): Promise<string> {
  const history = await c.workflow.getHandle(id).fetchHistory();
  return [decodedPayloads(JSON.stringify(history)), ...(await historyPayloadTexts(c, history))].join('\n');
}

export function decodedPayloads(json: string): string {
  const decoded = [...json.matchAll(/"data":\s*"([A-Za-z0-9+/=]+)"/g)].map((m) => Buffer.from(m[1]!, 'base64').toString('utf8'));
  return [json, ...decoded].join('\n');
}
