/**
 * Start-up that waits out a cluster that is not there yet. A replicator is often
 * started beside clusters that are themselves starting (or restarting): its first
 * connections, its campaign and its first reads of the target are retried while
 * they fail for a reason that passes (a retryable NuthatchError: a server
 * unreachable, a timeout, a coordinator not elected yet), with a growing pause
 * and a log line naming the step. Anything else (a collection that does not
 * exist, a gap) fails at once: no supervisor is needed for the first, and no
 * retry helps the second.
 */
import { asNuthatchError } from '../../messages/errors.js';

export interface StartupRetryOptions {
  log?: (...a: unknown[]) => void;
  /** The first pause (default 250 ms), doubled up to `maxMs` (default 5000 ms). */
  baseMs?: number;
  maxMs?: number;
  /** Stops waiting (the process is being stopped): the last error is thrown. */
  stopped?: () => boolean;
}

/** Runs `step` until it succeeds, retrying transient failures with backoff; `what` names it in the log. */
export async function retryStartup<T>(what: string, step: () => Promise<T>, o: StartupRetryOptions = {}): Promise<T> {
  let delay = o.baseMs ?? 250;
  for (let attempt = 1; ; attempt++) {
    try {
      return await step();
    } catch (e) {
      const err = asNuthatchError(e);
      if (!err.retryable || o.stopped?.()) throw err;
      o.log?.(`start-up: ${what} failed (attempt ${attempt}, ${err.code}: ${err.message}); retrying in ${delay} ms`);
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(o.maxMs ?? 5000, delay * 2);
    }
  }
}
