import { tsoOf, physicalMs, TSO_LOGICAL_BITS, type Tso } from '../../../messages/types.js';

/**
 * The TSO oracle's pure core. TSOs are physical_ms << 18 | logical and strictly
 * increase. The shell persists `windowEndMs` before handing out any TSO at or past
 * it, so a restart (which starts at the persisted window end) never goes back.
 */
export interface TsoOracleState { last: Tso; windowEndMs: number }

export const WINDOW_MS = 3000;
const MAX_LOGICAL = (1n << TSO_LOGICAL_BITS) - 1n;

export function initialOracle(persistedWindowEndMs: number): TsoOracleState {
  return { last: tsoOf(persistedWindowEndMs), windowEndMs: persistedWindowEndMs };
}

export interface Allocation { first: Tso; count: number; state: TsoOracleState; /** Set when the shell must persist a new window end first. */ persistWindowEndMs?: number }

/** Allocates `count` consecutive TSOs given the current clock reading. */
export function allocate(s: TsoOracleState, nowMs: number, count: number): Allocation {
  let first = s.last + 1n;
  const fromClock = tsoOf(nowMs);
  if (fromClock > first) first = fromClock;
  // Never spill more than the logical bits: move to the next millisecond instead.
  if ((first & MAX_LOGICAL) + BigInt(count) > MAX_LOGICAL) first = tsoOf(physicalMs(first) + 1);
  const last = first + BigInt(count) - 1n;
  const state = { last, windowEndMs: s.windowEndMs };
  if (physicalMs(last) >= s.windowEndMs) {
    const end = Math.max(nowMs, physicalMs(last)) + WINDOW_MS;
    return { first, count, state: { last, windowEndMs: end }, persistWindowEndMs: end };
  }
  return { first, count, state };
}
