/**
 * The one backoff loop of the WAL writers' outage handling (object PUTs and
 * commits, jetstream republishes): call again what failed for now, until it
 * answers, the deadline passes, or the writer has a reason to stop. Each backend
 * says what "failed for now" means for its client.
 */
const FIRST_DELAY_MS = 20;
const MAX_DELAY_MS = 1_000;

/**
 * Calls `fn` until it does not fail `transient`ly; a transient failure at or
 * past `deadline` (epoch ms, read at each failure), or one after `stopped()`
 * names a reason, is final.
 */
export async function retryWhile<T>(fn: () => Promise<T>, transient: (e: unknown) => boolean, deadline: () => number, stopped: () => Error | undefined): Promise<T> {
  for (let delay = FIRST_DELAY_MS; ; delay = Math.min(delay * 2, MAX_DELAY_MS)) {
    try {
      return await fn();
    } catch (e) {
      if (!transient(e) || Date.now() + delay > deadline()) throw e;
      await new Promise((r) => setTimeout(r, delay));
      const stop = stopped();
      if (stop) throw stop;
    }
  }
}
