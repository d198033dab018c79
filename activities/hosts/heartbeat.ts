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
