/**
 * Which files in an agent workspace are its memory: the bootstrap files OpenClaw injects into
 * every turn and the memory notes it indexes (docs/concepts/agent-workspace.md, memory.md).
 * Paths are relative to the workspace, POSIX, never escaping it.
 */
export const BOOTSTRAP_FILES = ['AGENTS.md', 'SOUL.md', 'TOOLS.md', 'IDENTITY.md', 'USER.md', 'HEARTBEAT.md', 'BOOTSTRAP.md', 'MEMORY.md', 'memory.md'] as const;

/** The `memory/` notes: any depth, Markdown only. */
export const MEMORY_DIR = 'memory';

export function isMemoryFile(rel: string): boolean {
  if (rel.startsWith('/') || rel.split('/').some((p) => p === '..' || p === '')) return false;
  if ((BOOTSTRAP_FILES as readonly string[]).includes(rel)) return true;
  return rel.startsWith(`${MEMORY_DIR}/`) && rel.endsWith('.md');
}

/** One file a snapshot keeps: where it lives, who owns it, what it holds. */
export interface MemoryFileMeta {
  /** Agent id whose workspace holds it (the first agent, when several share one workspace). */
  agent: string;
  workspace: string;
  /** Relative to the workspace. */
  path: string;
  /** Permission bits in octal, as `stat %a` prints them ("644"). */
  mode: string;
  uid: number;
  gid: number;
  size: number;
  sha256: string;
}

/** Where a file sits in the backup repo, below the host's directory. */
export function backupPathOf(f: Pick<MemoryFileMeta, 'agent' | 'path'>): string {
  return `files/${f.agent}/${f.path}`;
}

export function fileKey(f: Pick<MemoryFileMeta, 'agent' | 'path'>): string {
  return `${f.agent}:${f.path}`;
}
