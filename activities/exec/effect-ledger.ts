/**
 * Remembers the result of each completed side effect under a stable key (workflow id + step), so
 * an activity retried after its worker died between "done" and "reported" returns the recorded
 * result instead of acting twice.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sha256Hex } from '../../lib/secrets.js';

export class EffectLedger {
  constructor(readonly dir: string) {}

  async get<T>(key: string): Promise<T | undefined> {
    try {
      return JSON.parse(await readFile(this.file(key), 'utf8')) as T;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  async put(key: string, value: unknown): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const target = this.file(key);
    // Write-then-rename: a reader sees the whole record or none.
    await writeFile(`${target}.tmp`, JSON.stringify({ key, value }), { mode: 0o600 });
    await rename(`${target}.tmp`, target);
  }

  private file(key: string): string {
    return join(this.dir, `${sha256Hex(key).slice(0, 32)}.json`);
  }
}
