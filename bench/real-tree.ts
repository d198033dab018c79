/**
 * The real-world tree: a copy of the `openclaw` 2026.9.6 fixture install's dependency tree
 * (minified bundles, source maps, long JSON lines, docs), with every `node_modules` directory
 * renamed so no scanner prunes any of it. What logs, transcripts and home directories on a real
 * host look like, more than a generated tree does.
 */
import { cpSync, existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureOpenclaw, NEWER } from '../test/fixtures/openclaw.js';
import type { Tree } from './tree.js';

export async function ensureRealTree(root: string): Promise<Tree> {
  const marker = join(root, '..', `${root.split('/').pop()}.json`);
  if (existsSync(marker) && existsSync(root)) return JSON.parse(readFileSync(marker, 'utf8')) as Tree;
  rmSync(root, { recursive: true, force: true });
  const src = join(await ensureOpenclaw(NEWER), 'node_modules');
  cpSync(src, root, { recursive: true, verbatimSymlinks: true });
  const stats = renameAndCount(root);
  const tree = { root, bytes: stats.bytes, files: stats.files };
  writeFileSync(marker, JSON.stringify(tree));
  return tree;
}

function renameAndCount(dir: string): { bytes: number; files: number } {
  let bytes = 0;
  let files = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    let p = join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name === 'node_modules') {
        renameSync(p, `${p}_`);
        p = `${p}_`;
      }
      const s = renameAndCount(p);
      bytes += s.bytes;
      files += s.files;
    } else if (e.isFile()) {
      bytes += statSync(p).size;
      files++;
    }
  }
  return { bytes, files };
}
