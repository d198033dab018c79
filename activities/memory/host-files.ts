/**
 * Memory files on a host, read and written byte for byte through the host's transport (so the
 * same code works locally and over SSH). Contents travel base64-encoded: a transport's text
 * decoding would alter bytes that are not UTF-8, and a restore must be exact.
 */
import { createHash } from 'node:crypto';
import { BOOTSTRAP_FILES, isMemoryFile, MEMORY_DIR, type MemoryFileMeta } from '../../lib/memory/files.js';
import type { Transport } from '../hosts/transports/index.js';
import type { AgentWorkspace } from '../openclaw/workspaces.js';

export interface LiveMemoryFile extends MemoryFileMeta {
  content: Buffer;
}

/** A memory file that is a symlink: restore replaces it, and it is never followed. */
export interface LiveMemoryLink {
  agent: string;
  workspace: string;
  path: string;
  target: string;
}

export interface LiveMemory {
  files: LiveMemoryFile[];
  links: LiveMemoryLink[];
  /** Workspaces that do not exist on the host (never set up, or removed). */
  missing: string[];
}

const names = BOOTSTRAP_FILES.map((n) => `-name ${n}`).join(' -o ');

// One round trip per host: every workspace, every file with its stat and content.
const READ = `
b64() { printf %s "$1" | base64 -w0; }
for ws in "$@"; do
  printf 'W\\t%s\\n' "$(b64 "$ws")"
  [ -d "$ws" ] || { printf 'M\\n'; continue; }
  cd "$ws" || { printf 'M\\n'; continue; }
  { find . -maxdepth 1 \\( -type f -o -type l \\) \\( ${names} \\) -print0
    [ -d ${MEMORY_DIR} ] && find ${MEMORY_DIR} \\( -type f -o -type l \\) -name '*.md' -print0
  } | xargs -0 -r sh -c '
    for f do
      f=\${f#./}
      if [ -L "$f" ]; then
        printf "L\\t%s\\t%s\\n" "$(printf %s "$f" | base64 -w0)" "$(readlink -- "$f" | tr -d "\\n" | base64 -w0)"
      else
        printf "F\\t%s\\t%s\\t" "$(stat -c "%a %u %g %s" -- "$f")" "$(printf %s "$f" | base64 -w0)"
        base64 -w0 -- "$f"
        printf "\\n"
      fi
    done' sh
done
`;

export async function readLiveMemory(t: Transport, workspaces: readonly AgentWorkspace[]): Promise<LiveMemory> {
  const r = await t.run('sh', ['-c', READ, 'sh', ...workspaces.map((w) => w.workspace)], { timeoutMs: 120_000 });
  if (r.exitCode !== 0) throw new Error(`${t.description}: reading the memory files failed (exit ${r.exitCode}): ${oneLine(r.stderr)}`);
  const out: LiveMemory = { files: [], links: [], missing: [] };
  let ws: AgentWorkspace | undefined;
  for (const line of r.stdout.split('\n')) {
    const [tag, a, b, c] = line.split('\t');
    if (tag === 'W') {
      const path = unb64(a!).toString('utf8');
      ws = workspaces.find((w) => w.workspace === path);
    } else if (tag === 'M' && ws) {
      out.missing.push(ws.workspace);
    } else if (tag === 'F' && ws) {
      const [mode, uid, gid, size] = a!.split(' ');
      const path = unb64(b!).toString('utf8');
      if (!isMemoryFile(path)) continue;
      const content = unb64(c ?? '');
      if (content.length !== Number(size)) throw new Error(`${t.description}: ${ws.workspace}/${path} changed while it was read; run again`);
      out.files.push({ agent: ws.agent, workspace: ws.workspace, path, mode: mode!, uid: Number(uid), gid: Number(gid), size: content.length, sha256: sha256(content), content });
    } else if (tag === 'L' && ws) {
      const path = unb64(a!).toString('utf8');
      if (isMemoryFile(path)) out.links.push({ agent: ws.agent, workspace: ws.workspace, path, target: unb64(b ?? '').toString('utf8') });
    }
  }
  const order = (x: { agent: string; path: string }, y: { agent: string; path: string }) => (x.agent + '\0' + x.path < y.agent + '\0' + y.path ? -1 : 1);
  out.files.sort(order);
  out.links.sort(order);
  return out;
}

// Written next to the target and renamed over it, so the agent never reads a half-written file;
// owner and mode are set before the rename. A file that cannot get its recorded owner (respond
// not root, the file another user's) fails the check that follows, not silently.
const WRITE = `
set -e
dir=$(dirname -- "$1")
mkdir -p -- "$dir"
tmp=$(mktemp -- "$dir/.respond-restore.XXXXXX")
trap 'rm -f -- "$tmp"' EXIT
base64 -d > "$tmp"
chown "$3:$4" -- "$tmp" 2>/dev/null || true
chmod "$2" -- "$tmp"
mv -f -- "$tmp" "$1"
trap - EXIT
stat -c '%a %u %g %s' -- "$1"
sha256sum -- "$1" | cut -d' ' -f1
`;

export async function writeMemoryFile(t: Transport, absPath: string, content: Buffer, meta: Pick<MemoryFileMeta, 'mode' | 'uid' | 'gid'>): Promise<void> {
  const r = await t.run('sh', ['-c', WRITE, 'sh', absPath, meta.mode, String(meta.uid), String(meta.gid)], {
    timeoutMs: 60_000,
    stdin: content.toString('base64'),
  });
  if (r.exitCode !== 0) throw new Error(`${t.description}: writing ${absPath} failed: ${oneLine(r.stderr)}`);
  const [stat, sum] = r.stdout.trim().split('\n');
  const want = `${meta.mode} ${meta.uid} ${meta.gid} ${content.length}`;
  if (stat !== want || sum !== sha256(content)) {
    throw new Error(`${t.description}: ${absPath} does not match after writing (mode uid gid size ${stat ?? '?'}, wanted ${want})`);
  }
}

export function sha256(b: Buffer | string): string {
  return createHash('sha256').update(b).digest('hex');
}

function unb64(s: string): Buffer {
  return Buffer.from(s, 'base64');
}

function oneLine(s: string): string {
  return s.trim().split('\n')[0] ?? '';
}
