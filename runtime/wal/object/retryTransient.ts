/**
 * Retrying what the object and metadata stores failed to answer for now, so an
 * S3 or etcd restart delays a writer's appends instead of failing them. Only
 * the call is retried, never judged: each caller makes its own call safe to
 * repeat (unique object keys; a slot that may already hold our record).
 */
import { NuthatchError } from '../../../messages/errors.js';
import { retryWhile } from '../retryWhile.js';

/**
 * True for a store failure worth retrying: the store did not answer now
 * ('Unavailable', 'Timeout') and was not closed on purpose.
 */
export function isTransient(e: unknown): boolean {
  return e instanceof NuthatchError && (e.code === 'Unavailable' || e.code === 'Timeout') && e.info.reason !== 'closed';
}

/**
 * Calls `fn` until it does not fail transiently; a transient failure at or past
 * `deadline` (epoch ms), or one after `stopped()` names a reason, is final.
 */
export function retryTransient<T>(fn: () => Promise<T>, deadline: number, stopped: () => NuthatchError | undefined): Promise<T> {
  return retryWhile(fn, isTransient, () => deadline, stopped);
}
