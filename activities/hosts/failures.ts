import { ApplicationFailure } from '@temporalio/common';
import { UserError } from '../../lib/errors.js';
import { TransportError } from './transports/types.js';

/**
 * Errors as Temporal sees them: an untrusted host key, a refused key or a user mistake will not
 * improve with retries; an unreachable host may, so the workflow's retry policy decides.
 */
export function toActivityFailure(err: unknown): unknown {
  if (err instanceof TransportError) {
    return ApplicationFailure.create({
      type: `Host.${err.kind}`,
      message: err.message,
      nonRetryable: err.kind === 'host-key' || err.kind === 'auth',
    });
  }
  if (err instanceof UserError) {
    return ApplicationFailure.create({ type: 'UserError', message: err.message, nonRetryable: true });
  }
  return err;
}

export async function asActivity<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw toActivityFailure(err);
  }
}
