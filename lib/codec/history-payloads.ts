/**
 * Every payload of a fetched workflow history as text, decoded through the client's payload
 * codecs (encrypted when the codec is on). One payload at a time, so a payload whose key is gone
 * costs only itself. For readers of history that are not workflows: `audit verify`, secret scans.
 */
import type { Client } from '@temporalio/client';
import type { Payload } from '@temporalio/common';

export async function historyPayloadTexts(c: Client, history: unknown): Promise<string[]> {
  const found: Payload[] = [];
  const walk = (v: unknown): void => {
    if (!v || typeof v !== 'object' || ArrayBuffer.isView(v)) return;
    const o = v as Record<string, unknown>;
    if (o.metadata && o.data instanceof Uint8Array) found.push(o as Payload);
    else for (const x of Object.values(o)) walk(x);
  };
  walk(history);
  const codecs = [...c.options.loadedDataConverter.payloadCodecs].reverse();
  const out: string[] = [];
  for (const p of found) {
    let decoded = [p];
    try {
      for (const codec of codecs) decoded = await codec.decode(decoded);
    } catch {
      continue;
    }
    out.push(Buffer.from(decoded[0]?.data ?? new Uint8Array()).toString('utf8'));
  }
  return out;
}
