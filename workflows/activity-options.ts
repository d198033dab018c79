/** Activity option presets, in one place. Retries are set where they matter. */
import { proxyActivities, proxyLocalActivities, type ActivityOptions, type LocalActivityOptions } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';

/** Bookkeeping: quick, safe to retry for a long time. */
export const bookkeeping: ActivityOptions = {
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', maximumInterval: '30s', maximumAttempts: 20 },
};

/**
 * Host side effects: heartbeats let a retry start soon after a worker dies, instead of waiting for
 * the whole start-to-close timeout.
 */
export function hostEffect(timeoutMs: number, summary: string): ActivityOptions {
  return {
    startToCloseTimeout: timeoutMs + 30_000,
    heartbeatTimeout: '10s',
    retry: { initialInterval: '2s', maximumInterval: '30s', maximumAttempts: 5 },
    summary,
  };
}

export const activities = proxyActivities<Activities>(bookkeeping);

/** The incident report at the end of a run: a few tries, then the run completes without it. */
export const reportActivities = proxyActivities<Activities>({ startToCloseTimeout: '2m', retry: { initialInterval: '2s', maximumAttempts: 3 } });

/** A quick read or change on a host (facts, a plan, a gateway stop). */
export const hostQuick: ActivityOptions = {
  startToCloseTimeout: '2m',
  retry: { initialInterval: '2s', maximumInterval: '30s', maximumAttempts: 5 },
};

/** Installs and gateway start-up: long, heartbeating, so a dead worker is noticed within a minute. */
export const hostLong: ActivityOptions = {
  startToCloseTimeout: '20m',
  heartbeatTimeout: '1m',
  retry: { initialInterval: '5s', maximumInterval: '1m', maximumAttempts: 3 },
};

/**
 * Bookkeeping as local activities, for host workflows of a fleet: an audit append is quick and
 * idempotent, and running it in the worker without a task-queue round trip costs the server one
 * marker event instead of three, which is what bounds a fleet's hosts per second.
 */
const localBookkeeping: LocalActivityOptions = {
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', maximumInterval: '30s', maximumAttempts: 20 },
};

export const localActivities = proxyLocalActivities<Activities>(localBookkeeping);
