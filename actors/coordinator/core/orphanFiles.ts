import type { SegmentRecord } from '../../../messages/rpc/records.js';
import { dueForRemoval, type UnreferencedMarks } from '../../shared/gc/unreferencedMarks.js';
import { retiredIds } from './mergeLineage.js';
import { dataKeyOfSidecar } from '../../shared/segment/segmentKeys.js';

/**
 * Orphaned segment files (pure): files under segments/ that no record names and
 * nothing will name again. They come from work cut short: a coordinator that died
 * between a compaction's rewrite and its switch, or between the switch and the
 * removal of the old files; an index built from a file that was replaced while
 * it ran; a collection whose purge was lost.
 *
 * A file is an orphan candidate when
 * - its segment has a record that names other files (the record is the truth
 *   for a known segment), or was merged into another (no file of it is named), or
 * - its collection is gone: not in the catalogue and no purge pending.
 * A segment of a live collection with no record yet is left alone: its first
 * flush may still be on its way to the coordinator, and deleting its file would
 * lose rows whose log may already be truncated.
 *
 * A candidate is removed only after it has been seen unreferenced, round after
 * round, for `toleranceMs` (Milvus's gc.missingTolerance): work in flight writes
 * its files before it reports them.
 */
export interface OrphanPolicy {
  /** How often a sweep runs (0: never). */
  intervalMs: number;
  /** How long a file must stay unreferenced before it is removed. */
  toleranceMs: number;
}

/** Milvus's garbage collector: gc.interval 1 h, gc.missingTolerance 1 day. */
export const DEFAULT_ORPHAN_POLICY: OrphanPolicy = { intervalMs: 3_600_000, toleranceMs: 86_400_000 };

/** For each candidate key, when it was first seen unreferenced (ms). */
export type OrphanMarks = UnreferencedMarks;

/** What the records say, taken once per sweep. */
export interface FileReferences {
  /** Files named by segment records. */
  named: Set<string>;
  /** Segments with a record, and those merged into one (gone for good). */
  segments: Set<number>;
  /** Collections in the catalogue (any state), and those whose purge is pending. */
  collections: Set<number>;
}

export function referencesOf(segments: Iterable<SegmentRecord>, collections: Iterable<number>): FileReferences {
  const named = new Set<string>(), ids = new Set<number>();
  for (const s of segments) {
    ids.add(s.segmentId);
    for (const id of retiredIds(s)) ids.add(id);
    named.add(s.dataKey);
    for (const k of Object.values(s.indexKeys)) named.add(k);
  }
  return { named, segments: ids, collections: new Set(collections) };
}

const SEGMENT_FILE = /^segments\/(\d+)\/(\d+)\/[^/]+$/;

/** Whether a listed key is an orphan candidate (see the file comment); keys of other shapes never are. */
export function isOrphanCandidate(key: string, refs: FileReferences): boolean {
  const m = SEGMENT_FILE.exec(key);
  if (!m || refs.named.has(key)) return false;
  // A shredded JSON sidecar lives and dies with its data file (shared/segment/shreddedSidecar.ts).
  const data = dataKeyOfSidecar(key);
  if (data !== undefined && refs.named.has(data)) return false;
  const collectionId = Number(m[1]), segmentId = Number(m[2]);
  if (!refs.collections.has(collectionId)) return true;
  return refs.segments.has(segmentId);
}

/** One page of a sweep: its candidates due now, and the marks of those still waiting (a sweep's marks are the union of its pages'). */
export function sweepPage(keys: readonly string[], refs: FileReferences, marks: Readonly<OrphanMarks>, nowMs: number, toleranceMs: number): { remove: string[]; marks: OrphanMarks } {
  return dueForRemoval(keys.filter((k) => isOrphanCandidate(k, refs)), marks, nowMs, toleranceMs);
}
