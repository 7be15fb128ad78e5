import { asNuthatchError } from '../../../messages/errors.js';
import type { CoordinatorContext } from './context.js';

/** How often a job's step that failed for want of a node or shard is tried, and how far apart. */
const ATTEMPTS = 60;
const RETRY_MS = 1000;

/**
 * One step of a coordinator job (import, backup, restore), tried again while
 * it fails for want of a node or shard (a retryable error); bad data, a
 * missing file or a schema mismatch fail at once, as does a stopping coordinator.
 */
export async function attemptStep<T>(ctx: Pick<CoordinatorContext, 'stopped'>, step: () => Promise<T>): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await step();
    } catch (e) {
      const err = asNuthatchError(e);
      if (!err.retryable || i >= ATTEMPTS || ctx.stopped) throw err;
      await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
    }
  }
}
