import { ValidationError } from '../../../messages/errors.js';
import { tsoOf, type Tso } from '../../../messages/types.js';

/**
 * Snapshot holds (pure): a reader pinned to a TSO (an iterator walking a
 * collection, a hybrid search's sub-searches) holds it, so compaction leaves
 * every row that reader can still see. Compaction removes the rows deletes
 * and expiry reached by its horizon, which is normally `graceMs` before now;
 * a hold lowers the horizon of its collection to its TSO until it is
 * released or lapses. A hold lapses `ttlMs` after it was last renewed, so a
 * reader that went away holds nothing for long.
 */
export interface SnapshotHold { collectionId: number; tso: Tso; expiresAtMs: number }

export const HOLD_TTL = { defaultMs: 60_000, minMs: 1_000, maxMs: 600_000 } as const;

/** A hold's time to live as asked: the default when absent, refused outside its range. */
export function holdTtl(ttlMs: number | undefined): number {
  if (ttlMs === undefined) return HOLD_TTL.defaultMs;
  if (!Number.isInteger(ttlMs) || ttlMs < HOLD_TTL.minMs || ttlMs > HOLD_TTL.maxMs) throw new ValidationError(`a snapshot hold lives ${HOLD_TTL.minMs}..${HOLD_TTL.maxMs} ms, got ${String(ttlMs)}`, { field: 'ttlMs' });
  return ttlMs;
}

/** Drops lapsed holds; returns the ids dropped. */
export function pruneHolds(holds: Map<number, SnapshotHold>, nowMs: number): number[] {
  const gone: number[] = [];
  for (const [id, h] of holds) if (h.expiresAtMs <= nowMs) { holds.delete(id); gone.push(id); }
  return gone;
}

/** How far compaction of a collection may apply deletes and expiry now: its grace, or the oldest live hold below it. */
export function compactionHorizon(holds: ReadonlyMap<number, SnapshotHold>, collectionId: number, nowMs: number, graceMs: number): Tso {
  let horizon = tsoOf(nowMs - graceMs);
  for (const h of holds.values()) if (h.collectionId === collectionId && h.expiresAtMs > nowMs && h.tso < horizon) horizon = h.tso;
  return horizon;
}
