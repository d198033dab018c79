/**
 * Append-only JSONL audit log: one event per action. Appends are idempotent by event id, because
 * the activity that writes one can be retried after a worker dies between write and report.
 */
import { appendFile, mkdir, readFile, stat } from 'node:fs/promises';
import { dirname } from 'node:path';

export interface AuditEvent {
  /** Stable across retries: workflowId/runId/sequence. */
  id: string;
  event: string;
  runbook: string;
  step?: string;
  host?: string;
  actor: string;
  args?: Record<string, unknown>;
  result?: Record<string, unknown>;
  ts: string;
  workflowId: string;
  incident?: string;
}

export class AuditLog {
  /** Ids known to be in the file; loaded once, then kept up to date by this process's appends. */
  private known?: Set<string>;

  constructor(readonly path: string) {}

  /** Appends of this process, one after another, so the known size stays exact (no re-read per append). */
  private queue: Promise<unknown> = Promise.resolve();

  append(event: AuditEvent): Promise<'appended' | 'duplicate'> {
    const next = this.queue.then(() => this.appendNow(event));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async appendNow(event: AuditEvent): Promise<'appended' | 'duplicate'> {
    const known = await this.loadIds();
    if (known.has(event.id)) return 'duplicate';
    await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
    const line = JSON.stringify(event) + '\n';
    // One write() of one line with O_APPEND: concurrent workers on one machine never interleave lines.
    await appendFile(this.path, line, { mode: 0o600 });
    known.add(event.id);
    this.knownSize += Buffer.byteLength(line);
    return 'appended';
  }

  async read(): Promise<AuditEvent[]> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    return text
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as AuditEvent);
  }

  private async loadIds(): Promise<Set<string>> {
    // Another worker process may have appended since: re-read when the file grew.
    const size = await fileSize(this.path);
    if (!this.known || size !== this.knownSize) {
      this.known = new Set((await this.read()).map((e) => e.id));
      this.knownSize = size;
    }
    return this.known;
  }

  private knownSize = -1;
}

async function fileSize(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}
