/**
 * Retrying what the object and metadata stores failed to answer for now, so an
 * S3 or etcd restart delays a writer's appends instead of failing them. Only
 * the call is retried, never judged: each caller makes its own call safe to
 * repeat (unique object keys; a slot that may already hold our record).
 */
import { NuthatchError } from '../../../messages/errors.js';

/**
 * True for a store failure worth retrying: the store did not answer now
 * ('Unavailable', 'Timeout') and was not closed on purpose.
 */
export function isTransient(e: unknown): boolean {
  return e instanceof NuthatchError && (e.code === 'Unavailable' || e.code === 'Timeout') && e.info.reason !== 'closed';
}

const FIRST_DELAY_MS = 20;
const MAX_DELAY_MS = 1_000;

/**
 * Calls `fn` until it does not fail transiently; a transient failure at or past
 * `deadline` (epoch ms), or one after `stopped()` names a reason, is final.
 */
export async function retryTransient<T>(fn: () => Promise<T>, deadline: number, stopped: () => NuthatchError | undefined): Promise<T> {
  for (let delay = FIRST_DELAY_MS; ; delay = Math.min(delay * 2, MAX_DELAY_MS)) {
    try {
      return await fn();
    } catch (e) {
      if (!isTransient(e) || Date.now() + delay > deadline) throw e;
      await new Promise((r) => setTimeout(r, delay));
      const stop = stopped();
      if (stop) throw stop;
    }
  }
}
