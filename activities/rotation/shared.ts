/**
 * A credential several hosts read (one IAM user's keys): one vault record per run, with each
 * consumer's progress. The first host's create issues the new value and the others attach to it;
 * each host's set installs and tests it there; each host's revoke releases the old value, and the
 * last release revokes it. A consumer that never switches (unreachable, failed, not in the run)
 * keeps the old value valid, and the record says who is holding it.
 */
import type { ConsumerProgress } from '../../lib/rotation/types.js';
import type { RotationRecord } from './vault.js';

/** The run a host's child workflow belongs to (`<run>/<host>` or `<run>/<host>#<section>`). */
export function runRootOf(runKey: string, host: string): string {
  const at = runKey.lastIndexOf(`/${host}`);
  return at > 0 ? runKey.slice(0, at) : runKey;
}

export function initialConsumers(consumers: readonly string[], first: string): Record<string, ConsumerProgress> {
  const now = new Date().toISOString();
  return Object.fromEntries(consumers.map((c) => [c, c === first ? { state: 'attached', at: now } : { state: 'waiting' }]));
}

export function progressOf(rec: RotationRecord, host: string): ConsumerProgress {
  const p = rec.consumers?.[host];
  if (!p) throw new Error(`host ${host} is not a consumer of the shared ${rec.credential} (consumers: ${Object.keys(rec.consumers ?? {}).join(', ')})`);
  return p;
}

export function setProgress(rec: RotationRecord, host: string, state: ConsumerProgress['state']): void {
  rec.consumers = { ...rec.consumers, [host]: { state, at: new Date().toISOString() } };
}

/** Consumers still reading, or able to read, the old value. */
export function holdersOfOld(rec: RotationRecord): string[] {
  return Object.entries(rec.consumers ?? {})
    .filter(([, p]) => p.state !== 'released')
    .map(([h]) => h);
}

/** Consumers that read the new value now: while any does, the new value must not be discarded. */
export function readersOfNew(rec: RotationRecord): string[] {
  return Object.entries(rec.consumers ?? {})
    .filter(([, p]) => p.state === 'installed' || p.state === 'released')
    .map(([h]) => h);
}

/** Serialises the creates of one shared credential in this worker (hosts of a wave run at once). */
const queues = new Map<string, Promise<unknown>>();
export function serialised<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const prev = queues.get(key) ?? Promise.resolve();
  const next = prev.then(fn, fn);
  queues.set(key, next.catch(() => {}));
  return next;
}

/** The hosts that share this credential, when it is shared (the loader marks them). */
export function sharedBy(cfg: unknown): string[] | undefined {
  const consumers = (cfg as { consumers?: unknown } | null)?.consumers;
  return Array.isArray(consumers) && consumers.length > 1 ? (consumers as string[]) : undefined;
}
