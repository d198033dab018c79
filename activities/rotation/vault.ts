/**
 * The worker-side record of every rotation: one owner-only JSON file per credential, host and
 * run, written before any effect it describes. It holds the pending and old values only while a
 * rotation needs them (to install, test, restore or hunt them) and drops them when it finishes,
 * keeping fingerprints and times. The values never leave the worker except to the host they are
 * installed on; workflow history sees fingerprints.
 */
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RotationState, RotationView } from '../../lib/rotation/types.js';

/** Where the vault lives under respond's state dir. */
export function rotationDir(stateDir: string): string {
  return join(stateDir, 'rotation');
}

export interface RotationRecord extends RotationView {
  /** Present while the rotation may still need them; removed at finish or abandon. */
  values?: { old?: string; new?: string };
}

export class RotationVault {
  constructor(readonly dir: string) {}

  static keyOf(runKey: string, credential: string): string {
    return createHash('sha256').update(`${runKey}\0${credential}`).digest('hex').slice(0, 32);
  }

  private path(key: string): string {
    if (!/^[0-9a-f]{32}$/.test(key)) throw new Error(`not a rotation key: ${key}`);
    return join(this.dir, `${key}.json`);
  }

  get(key: string): RotationRecord | null {
    const p = this.path(key);
    return existsSync(p) ? (JSON.parse(readFileSync(p, 'utf8')) as RotationRecord) : null;
  }

  /** Atomic and owner-only: a crash leaves the previous record or the new one, never half. */
  put(rec: RotationRecord): RotationRecord {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    chmodSync(this.dir, 0o700);
    const p = this.path(rec.key);
    const tmp = `${p}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(rec, null, 2) + '\n', { mode: 0o600 });
    renameSync(tmp, p);
    return rec;
  }

  update(key: string, fn: (r: RotationRecord) => void): RotationRecord {
    const rec = this.get(key);
    if (!rec) throw new Error(`no rotation record ${key}`);
    fn(rec);
    return this.put(rec);
  }

  /** Moves to `state` once (a retry finds it there) and stamps when. */
  advance(key: string, state: RotationState, extra: (r: RotationRecord) => void = () => {}): RotationRecord {
    return this.update(key, (r) => {
      if (r.state !== state) {
        r.state = state;
        r.times[state] = new Date().toISOString();
      }
      extra(r);
    });
  }

  value(key: string, which: 'old' | 'new'): string {
    const v = this.get(key)?.values?.[which];
    if (v === undefined) throw new Error(`rotation ${key}: the ${which} value is no longer kept (the rotation finished or was abandoned)`);
    return v;
  }

  all(): RotationRecord[] {
    if (!existsSync(this.dir)) return [];
    return readdirSync(this.dir)
      .filter((f) => /^[0-9a-f]{32}\.json$/.test(f))
      .map((f) => JSON.parse(readFileSync(join(this.dir, f), 'utf8')) as RotationRecord);
  }
}

/** What a record may show anywhere: everything but the values. */
export function viewOf(rec: RotationRecord): RotationView {
  const { values: _values, ...view } = rec;
  return view;
}
