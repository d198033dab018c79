/**
 * The suite's secret scan: when a sandbox stops, every workflow history its server holds
 * (payloads decoded through the codec), the audit log, the daemon log and every byte the CLI
 * printed are searched for every secret the test file issued. A hit fails the file, naming where
 * and the secret's fingerprint, never the value. A summary per file goes to
 * test-artifacts/secret-scan/ for the closing line of scripts/test.sh.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Client } from '@temporalio/client';
import { fingerprint } from '../../lib/secrets.js';
import { issuedSecrets } from './issued-secrets.js';
import { historyJson } from './runs.js';

export interface ScanSubject {
  dir: string;
  captured: readonly string[];
  auditText(): string;
  daemonLog(): string;
}

export interface ScanSummary {
  file: string;
  histories: number;
  secrets: number;
  bytes: number;
  hits: Array<{ where: string; secret: string; label: string }>;
}

export async function scanForSecrets(s: ScanSubject, c: Client | undefined, file: string): Promise<ScanSummary> {
  const secrets = issuedSecrets([s.dir]);
  const corpora: Array<{ where: string; text: string }> = [
    { where: 'captured CLI output', text: s.captured.join('\n') },
    { where: 'audit log', text: s.auditText() },
    { where: 'daemon log', text: s.daemonLog() },
  ];
  let histories = 0;
  if (c) {
    for await (const w of c.workflow.list()) {
      const text = await historyJson(c, w.workflowId).catch(() => '');
      if (!text) continue;
      histories++;
      corpora.push({ where: `history of ${w.workflowId}`, text });
    }
  }
  const hits: ScanSummary['hits'] = [];
  for (const { where, text } of corpora) for (const [value, label] of secrets) if (text.includes(value)) hits.push({ where, secret: fingerprint(value), label });
  const summary = { file, histories, secrets: secrets.size, bytes: corpora.reduce((n, x) => n + x.text.length, 0), hits };
  const dir = join(import.meta.dirname, '..', '..', 'test-artifacts', 'secret-scan');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${basename(file).replace(/[^A-Za-z0-9._-]/g, '_')}-${process.pid}-${Date.now()}.json`), JSON.stringify(summary));
  return summary;
}
