import { buildsAtLoad } from './sparseIndexParams.js';
import type { CollectionRecord, SegmentRecord } from '../../../messages/rpc/records.js';
import { tsoOf, type Tso } from '../../../messages/types.js';
import { deleteCoverOf } from '../../shared/segment/deleteCover.js';
import { fieldExpiriesAt, tsoMicros, type FieldExpiry } from '../../../messages/entityTtl.js';
import { fieldDefaults } from '../../../messages/schema.js';

/**
 * When the coordinator compacts a sealed segment: once the rows that deletes
 * reach are at least `minRatio` of it (0.2, as Milvus's single compaction
 * ratio threshold), counting only deletes older than `graceMs`, so reads a
 * little behind the newest TSO (a follower delegator, a Bounded read) see what
 * they saw before. Examined every `intervalMs`; 0 turns compaction off.
 *
 * Compaction also lets the shard's delete log shrink (shared/segment/deleteCover.ts):
 * once the log holds `trimAfterEntries` deletes, the `trimExaminations`
 * segments with the lowest covers are examined whatever their ratio (and
 * rewritten if any row is reached), so that old deletes stop reaching anything.
 */
export interface CompactionPolicy {
  minRatio: number; graceMs: number; intervalMs: number; trimAfterEntries: number; trimExaminations: number;
  /** Merge compaction: at least this many small segments of a partition are merged (0: never). */
  mergeSegments: number;
  /** A merged segment holds at most this many rows (default: what a 64 MiB segment of the collection's vectors holds). */
  mergeTargetRows?: number;
  /**
   * Clustering compaction: rows per output segment (default: 0.8 of what a
   * 64 MiB segment of the collection's vectors holds, Milvus's preferSegmentSizeRatio).
   */
  clusteringTargetRows?: number;
  /**
   * Automatic clustering compaction of every collection with a clustering key,
   * every this many ms (Milvus's dataCoord.compaction.clustering.autoEnable and
   * triggerInterval); 0, the default, as Milvus's autoEnable false: manual only.
   */
  clusteringIntervalMs?: number;
}

export const DEFAULT_COMPACTION: CompactionPolicy = { minRatio: 0.2, graceMs: 10_000, intervalMs: 60_000, trimAfterEntries: 1_000_000, trimExaminations: 4, mergeSegments: 4 };

/**
 * Merge compaction (Milvus's mix compaction): segments of a partition smaller
 * than half the target (idle seals, flushes after small batches) are merged,
 * oldest first, into groups of at most `targetRows` rows, each of at least
 * `minSegments` segments, so a group's rewrite pays for itself. Pure.
 */
export function mergeGroups<S extends Pick<SegmentRecord, 'segmentId' | 'partitionId' | 'rows'>>(segs: readonly S[], targetRows: number, minSegments: number): S[][] {
  if (minSegments < 2) return [];
  const small = segs.filter((s) => s.rows < targetRows / 2).sort((a, b) => a.partitionId - b.partitionId || a.segmentId - b.segmentId);
  const groups: S[][] = [];
  let cur: S[] = [], rows = 0;
  const close = () => { if (cur.length >= minSegments) groups.push(cur); cur = []; rows = 0; };
  for (const s of small) {
    if (cur.length > 0 && (cur[0]!.partitionId !== s.partitionId || rows + s.rows > targetRows)) close();
    cur.push(s);
    rows += s.rows;
  }
  close();
  return groups;
}

/**
 * Whether reading the segment and its shard's delete log could find enough to
 * remove. A delete reaches at most one row of a segment, so the rows reached
 * now are at most those reached at the last examination plus the deletes
 * logged since; a segment examined at this log length with too few is not read
 * again. Pure.
 */
export function worthExamining(seg: Pick<SegmentRecord, 'rows' | 'deleteSeq' | 'reachedRows'>, shardDeleteSeq: number, minRatio: number): boolean {
  const fresh = Math.max(0, shardDeleteSeq - (seg.deleteSeq ?? 0));
  const reached = (seg.reachedRows ?? 0) + fresh;
  if (reached === 0 || seg.rows === 0) return false;
  // With nothing logged since, this holds only while deletes too young to apply then reach enough.
  return reached >= Math.max(1, minRatio * seg.rows);
}

/**
 * Whether a segment may hold rows expired by `cutoff` (the collection's TTL as
 * of a compaction's untilTso) worth a look: some row is older than the cutoff
 * (or its oldest row is not known yet), and the last look was at least a
 * `minRatio` share of the TTL ago, so a segment whose rows expire a few at a
 * time is read once per that much time, not every round. Pure.
 */
export function expiryDue(seg: Pick<SegmentRecord, 'rows' | 'rowsFromTso' | 'expiryCheckedTso'>, cutoff: Tso, ttlSeconds: number, minRatio: number): boolean {
  if (seg.rowsFromTso !== undefined && seg.rowsFromTso >= cutoff) return false;
  if (seg.expiryCheckedTso === undefined) return true;
  return cutoff - seg.expiryCheckedTso >= tsoOf(ttlSeconds * 1000 * minRatio);
}

/** Whether the segment has every ANN index of its collection (compaction then switches data and indexes together). */
export function fullyIndexed(rec: Pick<CollectionRecord, 'indexes'>, seg: Pick<SegmentRecord, 'indexKeys'>): boolean {
  return rec.indexes.every((i) => buildsAtLoad(i.indexType) || seg.indexKeys[i.indexName] !== undefined);
}

/**
 * The segments to examine whatever their ratio because they hold a long delete
 * log back: the lowest covers below `untilTso`, each only if `trimAfterEntries`
 * deletes were logged since its last examination (so a log that stays long
 * under a heavy delete stream does not read the same segments every round).
 * `log` is the shard's log: its length (`seq`) and its first kept entry (`base`).
 */
export function floorHolders<S extends Pick<SegmentRecord, 'segmentId' | 'rows' | 'deleteSeq' | 'rowsFromTso' | 'deletesAppliedTso'>>(segs: readonly S[], log: { seq: number; base: number }, untilTso: Tso, policy: Pick<CompactionPolicy, 'trimAfterEntries' | 'trimExaminations'>): S[] {
  if (log.seq - log.base < policy.trimAfterEntries) return [];
  return segs
    .filter((s) => s.rows > 0 && deleteCoverOf(s) < untilTso && log.seq - (s.deleteSeq ?? 0) >= policy.trimAfterEntries)
    .sort((a, b) => { const x = deleteCoverOf(a), y = deleteCoverOf(b); return x < y ? -1 : x > y ? 1 : a.segmentId - b.segmentId; })
    .slice(0, policy.trimExaminations);
}

/**
 * The entity-level TTL rules a compaction of `vchannel` applies at `untilTso`
 * (messages/entityTtl.ts): the record's ttl_field, and the one it dropped with
 * that shard's TSO of the drop. Pure.
 */
export function recordFieldExpiries(rec: Pick<CollectionRecord, 'ttlField' | 'ttlFieldDropped' | 'schema'>, vchannel: string, untilTso: Tso): FieldExpiry[] | undefined {
  const droppedTso = rec.ttlFieldDropped?.tso[vchannel];
  const state = {
    ...(rec.ttlField ? { ttlField: rec.ttlField } : {}),
    ...(rec.ttlFieldDropped && droppedTso !== undefined ? { droppedTtlField: rec.ttlFieldDropped.field, droppedTtlFieldTso: droppedTso } : {}),
  };
  return fieldExpiriesAt(state, untilTso, fieldDefaults(rec.schema));
}

/**
 * Whether a segment may hold rows its ttl_field has expired by `untilTso`
 * worth a look: never examined under the collection's current ttl_field (or
 * since it was dropped: once, for the rows the drop left hidden), or the next
 * expiry its last examination found has passed. Pure.
 */
export function fieldExpiryDue(seg: Pick<SegmentRecord, 'fieldExpiryChecked'>, rec: Pick<CollectionRecord, 'ttlField' | 'ttlFieldDropped'>, untilTso: Tso): boolean {
  if (!rec.ttlField && !rec.ttlFieldDropped) return false;
  const seen = seg.fieldExpiryChecked;
  if (!seen || seen.field !== (rec.ttlField ?? null)) return true;
  return seen.nextUs !== null && seen.nextUs <= tsoMicros(untilTso);
}

/**
 * Whether a segment's file may still hold a column of a field dropped since it
 * was written or last rewritten (messages/droppedField.ts): examined once per
 * drop, and rewritten without the column if it holds one. Pure.
 */
export function droppedFieldsDue(seg: Pick<SegmentRecord, 'droppedFieldsChecked'>, rec: Pick<CollectionRecord, 'schema'>): boolean {
  return (rec.schema.droppedFields?.length ?? 0) > (seg.droppedFieldsChecked ?? 0);
}

/** A rewrite request's dropped fields (their columns left out), and what the rewritten file's record notes. */
export function droppedFieldsRewrite(rec: Pick<CollectionRecord, 'schema'>): { request: { droppedFields?: string[] }; checked: { droppedFieldsChecked?: number } } {
  const dropped = rec.schema.droppedFields ?? [];
  return dropped.length === 0 ? { request: {}, checked: {} } : { request: { droppedFields: [...dropped] }, checked: { droppedFieldsChecked: dropped.length } };
}
