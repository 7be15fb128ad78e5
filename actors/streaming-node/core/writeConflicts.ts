import type { PrimaryKey } from '../../../messages/schema.js';
import type { Tso } from '../../../messages/types.js';

/**
 * Which keys of a vchannel were written after a TSO, pure: what a
 * conditional write (a partial upsert's read-merge-write) asks before it
 * commits, so a write to one of its keys between its read and its commit
 * is never overwritten unseen.
 *
 * Keys hash into a fixed number of buckets, each holding the TSO of the
 * last write to any key in it: memory is fixed whatever the write rate, and
 * an answer errs only towards "written" (a false conflict costs the writer
 * a retry, never a lost update). Every bucket starts at the TSO the table
 * was made at, so a read older than the table conflicts too: the table
 * knows nothing of what came before it (a restart, a WAL transfer).
 */
export interface WriteConflictTable {
  readonly buckets: BigUint64Array;
}

/** 2^14 buckets: 128 KiB per vchannel that takes conditional writes (tables are made on first use). */
export const CONFLICT_BUCKETS = 1 << 14;

export function newConflictTable(floor: Tso, buckets: number = CONFLICT_BUCKETS): WriteConflictTable {
  if (!Number.isInteger(Math.log2(buckets))) throw new RangeError('buckets must be a power of two');
  return { buckets: new BigUint64Array(buckets).fill(floor) };
}

/** Notes that `pks` were written at `tso` (TSOs only grow on a vchannel, so a bucket keeps its largest). */
export function recordWrites(t: WriteConflictTable, pks: readonly PrimaryKey[], tso: Tso): void {
  const mask = t.buckets.length - 1;
  for (const k of pks) {
    const b = hashKey(k) & mask;
    if (t.buckets[b]! < tso) t.buckets[b] = tso;
  }
}

/** The first of `pks` that may have been written after `since` (undefined: none was). */
export function writtenSince(t: WriteConflictTable, pks: readonly PrimaryKey[], since: Tso): PrimaryKey | undefined {
  const mask = t.buckets.length - 1;
  for (const k of pks) if (t.buckets[hashKey(k) & mask]! > since) return k;
  return undefined;
}

/** 32-bit hash of a key: FNV-1a over a string's UTF-16 units; an integer's two halves mixed (murmur3's finalizer). */
export function hashKey(k: PrimaryKey): number {
  if (typeof k === 'string') {
    let h = 0x811c9dc5;
    for (let i = 0; i < k.length; i++) h = Math.imul(h ^ k.charCodeAt(i), 0x01000193);
    return h >>> 0;
  }
  let h = (k | 0) ^ Math.imul(Math.floor(k / 0x1_0000_0000) | 0, 0x9e3779b1);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
