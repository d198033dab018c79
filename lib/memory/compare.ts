/**
 * What a restore would change on one host: the baseline snapshot's files against the live ones.
 * Pure, so the plan an approver sees and the restore that follows compute it the same way.
 */
import { fileKey, type MemoryFileMeta } from './files.js';

export type MemoryChangeKind =
  /** Content differs: the live copy is quarantined, the baseline's written. */
  | 'modified'
  /** Same content, other permissions or owner: put back. */
  | 'mode'
  /** In the baseline, gone from the host: written back. */
  | 'missing'
  /** Not in the baseline (a file dropped after it): quarantined. */
  | 'added'
  /** A symlink where a memory file belongs: the link is quarantined (never followed). */
  | 'link';

export interface MemoryChange {
  kind: MemoryChangeKind;
  agent: string;
  /** Absolute path on the host. */
  target: string;
  path: string;
  baseline?: Pick<MemoryFileMeta, 'mode' | 'uid' | 'gid' | 'size' | 'sha256'>;
  live?: Pick<MemoryFileMeta, 'mode' | 'uid' | 'gid' | 'size' | 'sha256'> | { link: string };
}

export interface LiveView {
  files: MemoryFileMeta[];
  links: Array<{ agent: string; workspace: string; path: string; target: string }>;
}

/**
 * `workspaceOf` maps an agent to its live workspace (a moved workspace is restored where the
 * agent reads it now); agents the host no longer has keep the baseline's path.
 */
export function compareMemory(baseline: readonly MemoryFileMeta[], live: LiveView, workspaceOf: (agent: string) => string | undefined): MemoryChange[] {
  const meta = ({ mode, uid, gid, size, sha256 }: MemoryFileMeta) => ({ mode, uid, gid, size, sha256 });
  const liveFiles = new Map(live.files.map((f) => [fileKey(f), f]));
  const liveLinks = new Map(live.links.map((l) => [fileKey(l), l]));
  const out: MemoryChange[] = [];
  const at = (agent: string, fallback: string, path: string) => `${(workspaceOf(agent) ?? fallback).replace(/\/+$/, '')}/${path}`;
  for (const b of baseline) {
    const key = fileKey(b);
    const target = at(b.agent, b.workspace, b.path);
    const link = liveLinks.get(key);
    const l = liveFiles.get(key);
    if (link) out.push({ kind: 'link', agent: b.agent, path: b.path, target, baseline: meta(b), live: { link: link.target } });
    else if (!l) out.push({ kind: 'missing', agent: b.agent, path: b.path, target, baseline: meta(b) });
    else if (l.sha256 !== b.sha256) out.push({ kind: 'modified', agent: b.agent, path: b.path, target, baseline: meta(b), live: meta(l) });
    else if (l.mode !== b.mode || l.uid !== b.uid || l.gid !== b.gid) out.push({ kind: 'mode', agent: b.agent, path: b.path, target, baseline: meta(b), live: meta(l) });
  }
  const inBaseline = new Set(baseline.map(fileKey));
  for (const l of live.files) {
    if (!inBaseline.has(fileKey(l))) out.push({ kind: 'added', agent: l.agent, path: l.path, target: `${l.workspace}/${l.path}`, live: meta(l) });
  }
  for (const l of live.links) {
    if (!inBaseline.has(fileKey(l))) out.push({ kind: 'link', agent: l.agent, path: l.path, target: `${l.workspace}/${l.path}`, live: { link: l.target } });
  }
  return out.sort((x, y) => (x.target < y.target ? -1 : x.target > y.target ? 1 : 0));
}
