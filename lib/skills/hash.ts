/**
 * A skill directory's hash: sha256 over one line per entry, sorted by path bytes,
 * `<path>\t<kind>\t<sha256>` where kind is f (file), x (executable file) or l (symlink, hashed by
 * its target). Names, contents, the executable bit and links count; times, owners and the
 * directory's own name do not, so a copy of a skill on any host hashes the same.
 */
import { createHash } from 'node:crypto';

export interface SkillEntry {
  path: string;
  kind: 'f' | 'x' | 'l';
  sha256: string;
}

export function skillDirHash(entries: readonly SkillEntry[]): string {
  const lines = [...entries]
    .sort((a, b) => Buffer.compare(Buffer.from(a.path), Buffer.from(b.path)))
    .map((e) => `${e.path}\t${e.kind}\t${e.sha256}\n`);
  return createHash('sha256').update(lines.join('')).digest('hex');
}
