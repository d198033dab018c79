/**
 * Append-only JSONL audit log: one event per action, each line chained to the one before it by
 * sha256 (lib/audit-chain.ts). Appends are idempotent by event id, because the activity that
 * writes one can be retried after a worker dies between write and report; a retry gets back the
 * anchor of the line already written.
 */
import { appendFile, mkdir, open, readFile, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { GENESIS, lineHash, type AuditAnchor } from '../../lib/audit-chain.js';
import { withFileLock } from './file-lock.js';

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
  /** sha256 of the previous line; set by the log, never by the caller. */
  prev?: string;
}

export interface AppendReceipt extends AuditAnchor {
  outcome: 'appended' | 'duplicate';
}

/** What this process knows of the file, read incrementally: it only ever grows. */
interface Tail {
  size: number;
  lines: number;
  last: string;
  ids: Map<string, AuditAnchor>;
}

export class AuditLog {
  private tail: Tail = { size: 0, lines: 0, last: GENESIS, ids: new Map() };

  constructor(readonly path: string) {}

  /** Appends of this process, one after another; the file lock orders them with other processes'. */
  private queue: Promise<unknown> = Promise.resolve();

  append(event: AuditEvent): Promise<AppendReceipt> {
    const next = this.queue.then(() => withFileLock(this.path, () => this.appendLocked(event)));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async appendLocked(event: AuditEvent): Promise<AppendReceipt> {
    await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
    const tail = await this.catchUp();
    const known = tail.ids.get(event.id);
    if (known) return { outcome: 'duplicate', ...known };
    const { prev: _ignored, ...fields } = event;
    const text = JSON.stringify({ ...fields, prev: tail.last });
    // One write() of one line with O_APPEND, under the lock: lines never interleave or fork the chain.
    await appendFile(this.path, text + '\n', { mode: 0o600 });
    const anchor = { id: event.id, line: tail.lines + 1, sha256: lineHash(text) };
    tail.size += Buffer.byteLength(text) + 1;
    tail.lines++;
    tail.last = anchor.sha256;
    tail.ids.set(event.id, anchor);
    return { outcome: 'appended', ...anchor };
  }

  /** Reads what other processes appended since this one last looked. */
  private async catchUp(): Promise<Tail> {
    const size = await fileSize(this.path);
    if (size < this.tail.size) this.tail = { size: 0, lines: 0, last: GENESIS, ids: new Map() };
    if (size === this.tail.size) return this.tail;
    const fh = await open(this.path, 'r');
    try {
      const buf = Buffer.alloc(size - this.tail.size);
      await fh.read(buf, 0, buf.length, this.tail.size);
      const text = buf.toString('utf8');
      const complete = text.slice(0, text.lastIndexOf('\n') + 1);
      for (const line of complete.split('\n').slice(0, -1)) {
        this.tail.lines++;
        this.tail.last = lineHash(line);
        const id = idOf(line);
        if (id) this.tail.ids.set(id, { id, line: this.tail.lines, sha256: this.tail.last });
      }
      this.tail.size += Buffer.byteLength(complete);
    } finally {
      await fh.close();
    }
    return this.tail;
  }

  async read(): Promise<AuditEvent[]> {
    return (await this.lines()).map((line) => JSON.parse(line) as AuditEvent);
  }

  /** The file's lines as written, for verification (the chain hashes these exact texts). */
  async lines(): Promise<string[]> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    return text.split('\n').filter((line) => line.trim() !== '');
  }
}

function idOf(line: string): string | undefined {
  try {
    const id = (JSON.parse(line) as { id?: unknown }).id;
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
}

async function fileSize(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}
