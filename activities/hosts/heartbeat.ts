import { Context } from '@temporalio/activity';

/** Heartbeats when called inside an activity; a no-op elsewhere so these functions run in plain tests. */
export function heartbeatIfInActivity(details?: unknown): void {
  let ctx: Context;
  try {
    ctx = Context.current();
  } catch {
    return;
  }
  ctx.heartbeat(details);
}

/**
 * Runs `fn` with a heartbeat every few seconds: for activities made of many host commands, none
 * long on its own, whose whole may outlast the heartbeat timeout on a slow host or link. A worker
 * that dies stops beating, so Temporal still retries the activity elsewhere within the timeout.
 */
export async function beating<T>(fn: () => Promise<T>, everyMs = 3_000): Promise<T> {
  heartbeatIfInActivity();
  const beat = setInterval(() => heartbeatIfInActivity(), everyMs);
  try {
    return await fn();
  } finally {
    clearInterval(beat);
  }
}
