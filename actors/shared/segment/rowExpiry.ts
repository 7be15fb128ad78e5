import { tsoAddMs, type Tso } from '../../../messages/types.js';

/**
 * Row expiry (a collection's TTL): a row inserted at TSO t has expired for a
 * read at r when t is more than `ttlSeconds` before r. Measured from the read,
 * not the clock, so a read at a TSO answers the same whenever it runs.
 * Returns the TSO below which rows are expired, or undefined when none are.
 */
export function expiredBelow(readTso: Tso, ttlSeconds: number | undefined): Tso | undefined {
  if (!ttlSeconds) return undefined;
  const t = tsoAddMs(readTso, -ttlSeconds * 1000);
  return t > 0n ? t : undefined;
}
