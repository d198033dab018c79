/** 0600 files that several processes may race to create (CLI, worker, daemon). */
import { chmodSync, linkSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname } from 'node:path';
import { UserError } from '../errors.js';

export function writePrivateTemp(path: string, content: string): string {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(tmp, content, { mode: 0o600, flag: 'wx' });
  chmodSync(tmp, 0o600);
  return tmp;
}

/** link() publishes a complete file or fails with EEXIST: no reader sees half a file, the first writer wins. */
export function createOnce(path: string, content: string): void {
  const tmp = writePrivateTemp(path, content);
  try {
    linkSync(tmp, path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    rmSync(tmp, { force: true });
  }
}

/** A secret others can read is as good as leaked: refuse it rather than use it. */
export function requirePrivate(path: string, what: string): void {
  const mode = statSync(path).mode & 0o777;
  if (mode & 0o077) throw new UserError(`${path}: ${what} is readable by group or others (mode ${mode.toString(8)}); run chmod 600 ${path}`);
}
