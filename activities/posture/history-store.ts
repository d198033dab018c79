/**
 * Posture records on the worker's disk: `<state dir>/posture/<run id>.json`, owner-only, one
 * per run, so `respond posture diff` and a scheduled run's summary can compare any two.
 */
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../../lib/errors.js';
import type { PostureRecord } from '../../lib/posture/history.js';

export function postureDir(stateDir: string): string {
  return join(stateDir, 'posture');
}

function fileOf(stateDir: string, id: string): string {
  return join(postureDir(stateDir), `${id.replace(/[^A-Za-z0-9._-]/g, '_')}.json`);
}

export function savePostureRecord(stateDir: string, r: PostureRecord): string {
  const dir = postureDir(stateDir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const p = fileOf(stateDir, r.id);
  const tmp = `${p}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(r)}\n`, { mode: 0o600 });
  renameSync(tmp, p);
  return p;
}

/** Every kept record, oldest first (by the time each run was recorded). */
export function listPostureRecords(stateDir: string): Array<{ id: string; at: string; path: string }> {
  const dir = postureDir(stateDir);
  if (!existsSync(dir)) return [];
  const out: Array<{ id: string; at: string; path: string }> = [];
  for (const f of readdirSync(dir)) {
    if (!f.endsWith('.json')) continue;
    try {
      const r = JSON.parse(readFileSync(join(dir, f), 'utf8')) as PostureRecord;
      out.push({ id: r.id, at: r.at, path: join(dir, f) });
    } catch {
      // A torn file from a crash mid-write cannot happen (rename), but a hand-edited one can.
    }
  }
  return out.sort((a, b) => a.at.localeCompare(b.at));
}

export function readPostureRecord(stateDir: string, id: string): PostureRecord {
  const all = listPostureRecords(stateDir);
  const hit = all.find((r) => r.id === id) ?? all.find((r) => r.id.endsWith(id));
  if (!hit) throw new UserError(`posture run ${id} not found in ${postureDir(stateDir)} (respond posture history lists them)`, 3);
  return JSON.parse(readFileSync(hit.path, 'utf8')) as PostureRecord;
}

/** The newest record before `id` (by time), for a run's drift. */
export function previousPostureRecord(stateDir: string, id: string, at: string): PostureRecord | null {
  const before = listPostureRecords(stateDir).filter((r) => r.id !== id && r.at <= at);
  const last = before.at(-1);
  return last ? (JSON.parse(readFileSync(last.path, 'utf8')) as PostureRecord) : null;
}
