/**
 * The skills installed on a host, read through its transport in one round trip: every skill
 * directory (a child of a load root holding SKILL.md), each file's sha256, executable bit or
 * link target, and the head of SKILL.md for its name and version. Paths travel base64-encoded
 * so no name can break the framing.
 */
import { parse as parseYaml } from 'yaml';
import { skillDirHash, type SkillEntry } from '../../lib/skills/hash.js';
import type { SkillRoot } from '../../lib/skills/locations.js';
import type { Transport } from '../hosts/transports/index.js';

export interface InstalledSkill {
  /** From SKILL.md's front matter; the directory's name when it has none. */
  name: string;
  version?: string;
  description?: string;
  dir: string;
  root: SkillRoot;
  sha256: string;
  files: number;
  /** The skill directory is a symlink (to `linkTarget`): moving it moves the link. */
  linkTarget?: string;
}

const READ = `
b64() { printf %s "$1" | base64 -w0; }
for root in "$@"; do
  [ -d "$root" ] || continue
  for d in "$root"/*/ "$root"/.[!.]*/; do
    d=\${d%/}
    [ -f "$d/SKILL.md" ] || continue
    link=
    [ -L "$d" ] && link=$(readlink -- "$d")
    printf 'S\\t%s\\t%s\\t%s\\n' "$(b64 "$root")" "$(b64 "$d")" "$(b64 "$link")"
    printf 'H\\t%s\\n' "$(head -c 4096 -- "$d/SKILL.md" | base64 -w0)"
    ( cd "$d" && find . \\( -type f -o -type l \\) -print | LC_ALL=C sort | while IFS= read -r f; do
        f=\${f#./}
        if [ -L "$f" ]; then
          printf 'E\\tl\\t%s\\t%s\\n' "$(readlink -- "$f" | sha256sum | cut -d' ' -f1)" "$(b64 "$f")"
        else
          k=f; [ -x "$f" ] && k=x
          printf 'E\\t%s\\t%s\\t%s\\n' "$k" "$(sha256sum -- "$f" | cut -d' ' -f1)" "$(b64 "$f")"
        fi
      done )
  done
done
`;

export async function readInstalledSkills(t: Transport, roots: readonly SkillRoot[]): Promise<InstalledSkill[]> {
  const r = await t.run('sh', ['-c', READ, 'sh', ...roots.map((x) => x.dir)], { timeoutMs: 180_000 });
  if (r.exitCode !== 0) throw new Error(`${t.description}: listing skills failed (exit ${r.exitCode}): ${r.stderr.trim().split('\n')[0] ?? ''}`);
  const out: InstalledSkill[] = [];
  let cur: { root: SkillRoot; dir: string; link: string; head: string; entries: SkillEntry[] } | undefined;
  const flush = () => {
    if (!cur) return;
    const meta = frontMatter(cur.head);
    out.push({
      name: meta.name ?? cur.dir.slice(cur.dir.lastIndexOf('/') + 1),
      ...(meta.version ? { version: meta.version } : {}),
      ...(meta.description ? { description: meta.description } : {}),
      dir: cur.dir,
      root: cur.root,
      sha256: skillDirHash(cur.entries),
      files: cur.entries.length,
      ...(cur.link ? { linkTarget: cur.link } : {}),
    });
  };
  for (const line of r.stdout.split('\n')) {
    const [tag, a, b, c] = line.split('\t');
    if (tag === 'S') {
      flush();
      const rootDir = unb64(a!);
      const root = roots.find((x) => x.dir === rootDir);
      cur = root ? { root, dir: unb64(b!), link: unb64(c ?? ''), head: '', entries: [] } : undefined;
    } else if (tag === 'H' && cur) {
      cur.head = unb64(a ?? '');
    } else if (tag === 'E' && cur) {
      cur.entries.push({ kind: a as SkillEntry['kind'], sha256: b!, path: unb64(c ?? '') });
    }
  }
  flush();
  return out;
}

/** `name`, `version` (top level or under metadata) and `description` from SKILL.md's YAML front matter. */
export function frontMatter(text: string): { name?: string; version?: string; description?: string } {
  const m = /^---\r?\n([\s\S]*?)\r?\n---/.exec(text);
  if (!m) return {};
  let doc: unknown;
  try {
    doc = parseYaml(m[1]!);
  } catch {
    return {};
  }
  if (!doc || typeof doc !== 'object') return {};
  const d = doc as Record<string, unknown>;
  const meta = (d.metadata && typeof d.metadata === 'object' ? d.metadata : {}) as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? String(v) : undefined);
  return { name: str(d.name), version: str(d.version) ?? str(meta.version), description: str(d.description) };
}

function unb64(s: string): string {
  return Buffer.from(s, 'base64').toString('utf8');
}
