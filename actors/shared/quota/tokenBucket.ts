/**
 * A token bucket, pure: the state is a value and the clock comes in as `nowMs`.
 * It holds at most a second's worth of tokens (the burst). A request costs its
 * size (MB, vectors, requests); it is admitted when the bucket holds that much,
 * or, for one bigger than a whole second, when the bucket is full: it then
 * leaves the bucket in debt, paid back before anything else passes, so a large
 * batch is slowed like many small ones instead of never passing. A rate of 0
 * admits nothing (Milvus's 0: the request kind is refused).
 */
export interface Bucket { tokens: number; atMs: number }

export interface Take { admitted: boolean; bucket: Bucket; /** When refused: ms until it would pass (a hint, never a promise). */ waitMs: number }

/** A full bucket at `nowMs`. */
export function fullBucket(ratePerSec: number, nowMs: number): Bucket {
  return { tokens: ratePerSec, atMs: nowMs };
}

/** Admits or refuses a request of `cost` at `ratePerSec`; a refusal leaves the bucket as it was (refilled). */
export function take(b: Bucket, ratePerSec: number, cost: number, nowMs: number): Take {
  // A clock that steps back never mints tokens.
  const elapsed = Math.max(0, nowMs - b.atMs);
  const tokens = Math.min(ratePerSec, b.tokens + (ratePerSec * elapsed) / 1000);
  const refilled = { tokens, atMs: Math.max(nowMs, b.atMs) };
  if (ratePerSec <= 0) return { admitted: false, bucket: refilled, waitMs: Infinity };
  const need = Math.min(cost, ratePerSec);
  if (tokens >= need) return { admitted: true, bucket: { tokens: tokens - cost, atMs: refilled.atMs }, waitMs: 0 };
  return { admitted: false, bucket: refilled, waitMs: Math.ceil(((need - tokens) / ratePerSec) * 1000) };
}
