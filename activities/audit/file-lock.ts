/**
 * A lock file beside the audit log (O_EXCL create), so workers in several processes append one
 * at a time and the hash chain never forks. A lock left by a process that died is taken over.
 */
import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { hostname } from 'node:os';

const STALE_FOREIGN_MS = 60_000;

export async function withFileLock<T>(path: string, fn: () => Promise<T>, timeoutMs = 30_000): Promise<T> {
  const lock = `${path}.lock`;
  // A worker's first append may come before anything else made its state dir (an external cluster).
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const fh = await open(lock, 'wx', 0o600);
      await fh.writeFile(`${hostname()} ${process.pid} ${Date.now()}\n`);
      await fh.close();
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = await readFile(lock, 'utf8').catch(() => '');
      if (holder && isStale(holder)) {
        await rm(lock, { force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`${path} stays locked by ${holder.trim() || 'another writer'} (${lock})`);
      await new Promise((r) => setTimeout(r, 2 + Math.random() * 10));
    }
  }
  try {
    return await fn();
  } finally {
    await rm(lock, { force: true });
  }
}

function isStale(holder: string): boolean {
  const [host, pidText, sinceText] = holder.trim().split(' ');
  const pid = Number(pidText);
  if (host === hostname() && Number.isInteger(pid)) {
    try {
      process.kill(pid, 0);
      return false;
    } catch (err) {
      return (err as NodeJS.ErrnoException).code === 'ESRCH';
    }
  }
  // Another machine on shared storage: its pid means nothing here, so only age tells.
  return Date.now() - Number(sinceText) > STALE_FOREIGN_MS;
}
