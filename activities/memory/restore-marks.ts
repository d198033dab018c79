/** What an approver saw of a change's live side. Pure: the workflow and the restore both use it. */
import type { MemoryChange } from '../../lib/memory/compare.js';

/** A file's sha256, `link:<target>` for a symlink, or null when nothing is there. */
export function liveMark(c: Pick<MemoryChange, 'live'>): string | null {
  if (!c.live) return null;
  return 'link' in c.live ? `link:${c.live.link}` : c.live.sha256;
}
