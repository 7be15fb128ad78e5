import type { BucketFold } from '../../shared/aggregation/bucketFold.js';
import { hidden, type DeleteIndex } from '../../shared/segment/deleteIndex.js';
import { hiddenRows, type DeleteVersion } from './deletedRows.js';
import { entityExpiry } from '../../shared/segment/rowExpiry.js';
import type { FieldExpiry } from '../../../messages/entityTtl.js';
import { annsVectors, withPresentRows, type AnnsColumn } from '../../shared/vector/vectorColumn.js';
import type { CompiledFilter, Columns, RowPredicate } from '../../../messages/filter/evaluate.js';
import { supportOf } from '../../../messages/filter/rowSupport.js';
import type { HitRow } from '../../../messages/rpc/records.js';
import type { MetricType, PrimaryKey } from '../../../messages/schema.js';
import type { Tso } from '../../../messages/types.js';
import type { SealedSegment } from '../../shared/segment/segmentFile.js';
import { searchBlock, searchBlockRows, type RowHit } from '../../shared/vector/bruteForce.js';
import { boostPool, boostRows, type CompiledBoost } from '../../shared/vector/boostSegment.js';
import { rowScorer, type VectorBlock } from '../../shared/vector/vectorBlock.js';
import { outsideInner, withinRange, type DistanceRange } from '../../shared/vector/distanceRange.js';
import { collectGroups, mergeGroupedHits } from '../../shared/vector/groupBy.js';
import type { SearchShape } from '../../shared/vector/searchShape.js';
import { mergeHits } from '../../shared/vector/topK.js';
import { outputFieldsOf } from '../../shared/segment/outputFields.js';
import { candidatesOnPage, firstOnPage, rowsOnPage, type PkPage } from '../../shared/segment/pkOrder.js';
import { newerElsewhere, newestRows, orderedNewest, type CopySource } from '../../shared/segment/newestCopy.js';
import { RowSet } from '../../shared/scalarIndex/rowSet.js';
import type { SortedIndex } from '../../shared/scalarIndex/sortedIndex.js';
import { termRows } from '../../shared/scalarIndex/termRows.js';
import type { FilterPlanner } from './filterPlanner.js';
import { iterativeRank, type SegmentWalk } from './iterativeSegment.js';
import { memoRows } from '../../shared/vector/iterativeFilter.js';
import type { Ordered, OrderKey } from '../../../messages/orderBy.js';
import { topOrdered } from '../../shared/segment/orderedRows.js';

/**
 * Search and query over sealed segments at a read TSO, with the shard's deletes
 * applied by TSO (MVCC). Pure: the index is passed in as a search function.
 */
export interface SealedRead {
  pkName: string;
  vectorName: string;
  filter: CompiledFilter | null;
  partitionIds: ReadonlySet<number> | null;
  readTso: Tso;
  outputFields: string[];
  deletes: DeleteIndex;
  /** What `deletes` holds (deletedRows.ts): given, a read newer than every delete takes each segment's hidden rows from a memo. */
  deleteVersion?: DeleteVersion;
  /** Rows inserted below this TSO have expired (the collection's TTL, shared/segment/rowExpiry.ts). */
  expiredBelow?: Tso;
  /** Entity-level TTL: rows whose ttl_field value has passed (messages/entityTtl.ts, shared/segment/rowExpiry.ts). */
  fieldExpiry?: FieldExpiry[];
  /** A search of a vector field other than the first (shared/vector/vectorColumn.ts). */
  anns?: AnnsColumn;
  /** Defaults of fields that have one: a stored null reads as it (messages/schema.ts fieldDefaults). */
  defaults?: ReadonlyMap<string, unknown>;
  /** How scalar indexes answer `filter` on a segment (filterPlanner.ts); absent: they are not used. */
  planFilter?: FilterPlanner;
  /** A boost applied to each segment's candidates before the merge (shared/vector/boostSegment.ts); not with groups. */
  boost?: CompiledBoost;
}

/** A segment as a read gets it: its scalar indexes by field, when it has any. */
export interface ReadSegment { seg: SealedSegment; scalar?: ReadonlyMap<string, SortedIndex> }

type RowFilter = (row: number) => boolean;

export type IndexSearch = (query: Float32Array, k: number, accept: ((row: number) => boolean) | undefined) => RowHit[];

const tsoSpan = new WeakMap<SealedSegment, { min: Tso; max: Tso }>();
/** The lowest and highest insert TSO of a segment (memoized: segments are immutable). */
function spanOf(seg: SealedSegment): { min: Tso; max: Tso } {
  let span = tsoSpan.get(seg);
  if (span === undefined) {
    let min = seg.tsos[0] ?? 0n, max = 0n;
    for (const x of seg.tsos) { if (x > max) max = x; if (x < min) min = x; }
    span = { min, max };
    tsoSpan.set(seg, span);
  }
  return span;
}

/**
 * The row filter of a segment for this read: null when no row can match (other
 * partition), undefined when every row does (no filter, no deletes, all rows older
 * than the read), which lets an ANN index skip a per-candidate callback.
 */
export function acceptRow(seg: SealedSegment, r: SealedRead, filter: CompiledFilter | null = r.filter, bound?: RowPredicate): RowFilter | null | undefined {
  if (r.partitionIds && !r.partitionIds.has(seg.partitionId)) return null;
  const span = spanOf(seg);
  const expired = r.expiredBelow ?? 0n;
  if (span.max < expired) return null;
  const entityExpired = entityExpiry(seg.fields, (row) => seg.tsos[row]!, r.fieldExpiry, true);
  const gone = r.deletes.size > 0 && r.deleteVersion ? hiddenRows(seg, r.deletes, r.deleteVersion, r.readTso) : undefined;
  const noneHidden = r.deletes.size === 0 || gone?.count === 0;
  if (!filter && noneHidden && span.max <= r.readTso && span.min >= expired && entityExpired === undefined) return undefined;
  const pred = bound ?? (filter ? filter.bind(segmentColumns(seg, r)) : null);
  const { deletes, readTso } = r;
  const hides = noneHidden ? undefined : gone?.rows;
  const perRow = !noneHidden && hides === undefined;
  return (row) => {
    const t = seg.tsos[row]!;
    if (t > readTso || t < expired) return false;
    if (hides !== undefined ? hides[row] === 1 : perRow && hidden(deletes.get(seg.pks[row]!), seg.partitionId, t, readTso)) return false;
    if (entityExpired !== undefined && entityExpired(row)) return false;
    return pred === null || pred(row);
  };
}

/**
 * An unfiltered count of a segment every row of which the read sees but for
 * deletes: its rows less those deletes hide (deletedRows.ts), without a test
 * per row; undefined when rows must be tested.
 */
function liveCount(seg: SealedSegment, r: SealedRead): number | undefined {
  if (r.filter || !r.deleteVersion || r.deletes.size === 0 || (r.partitionIds && !r.partitionIds.has(seg.partitionId))) return undefined;
  const span = spanOf(seg);
  if (span.max > r.readTso || span.min < (r.expiredBelow ?? 0n) || entityExpiry(seg.fields, (row) => seg.tsos[row]!, r.fieldExpiry, true) !== undefined) return undefined;
  const gone = hiddenRows(seg, r.deletes, r.deleteVersion, r.readTso);
  return gone && seg.count - gone.count;
}

/**
 * The rows of a segment a scalar index lets a read reach (filterPlanner.ts):
 * only these can pass, and `accept` (the residual filter, deletes, TSO,
 * expiry) decides each of them; undefined: every candidate passes.
 */
export interface Candidates { rows: Int32Array; set: RowSet; accept: RowFilter | undefined }

/**
 * How a read reaches a segment's rows: `accept` decides any row (null: none
 * passes, undefined: all do); with `candidates`, the scalar indexes narrowed
 * the filter and only those rows need looking at.
 */
export function segmentRows({ seg, scalar }: ReadSegment, r: SealedRead): { accept: RowFilter | null | undefined; candidates?: Candidates } {
  const plan = scalar && r.filter && r.planFilter ? r.planFilter(scalar) : null;
  if (!plan || !scalar) return supportedRows(seg, r);
  const rest = acceptRow(seg, r, plan.residual);
  if (rest === null) return { accept: null };
  const set = termRows(plan.term, scalar, seg.count);
  const accept = rest ? (row: number) => set.has(row) && rest(row) : (row: number) => set.has(row);
  return { accept, candidates: { rows: set.toRows(), set, accept: rest } };
}

const segmentColumns = (seg: SealedSegment, r: SealedRead): Columns => ({ ...seg.fields, [r.pkName]: seg.pks } as Columns);

/**
 * segmentRows without a scalar index: a filter false outside a few rows (a
 * shared JSON path's, messages/filter/rowSupport.ts) makes them the candidates,
 * so a scan or a count visits only them.
 */
function supportedRows(seg: SealedSegment, r: SealedRead): { accept: RowFilter | null | undefined; candidates?: Candidates } {
  if (!r.filter || (r.partitionIds && !r.partitionIds.has(seg.partitionId))) return { accept: acceptRow(seg, r) };
  const pred = r.filter.bind(segmentColumns(seg, r)), s = supportOf(pred);
  const accept = acceptRow(seg, r, r.filter, pred);
  if (!accept || s === undefined || s.outside) return { accept };
  return { accept, candidates: { rows: s.rows, set: RowSet.empty(seg.count).addRows(s.rows, 0, s.rows.length), accept } };
}

export function sealedRowFields(seg: SealedSegment, row: number, r: SealedRead): Record<string, unknown> {
  return outputFieldsOf(seg, seg.dim, row, r.outputFields, r.pkName, r.vectorName, r.defaults);
}

/** A hit before its output fields are read: only the merge's winners get them. */
interface SegmentHit { pk: PrimaryKey; distance: number; seg: SealedSegment; row: number; group?: unknown }

/** Relative difference allowed between a distance computed here and the index's float32 one. */
const INDEX_DISTANCE_SLACK = 1e-4;

/**
 * An index search bounded by a distance range: rows inside the inner bound
 * are refused while the graph is walked (their distance computed from the
 * segment's vectors), then both bounds are applied to the distances the
 * index reports, the ones the client sees.
 */
function rangedIndexSearch(index: IndexSearch, vecs: VectorBlock, q: Float32Array, k: number, accept: ((row: number) => boolean) | undefined, metric: MetricType, range: DistanceRange, mhBytes?: number): RowHit[] {
  const inner = outsideInner(metric, range, INDEX_DISTANCE_SLACK);
  const score = inner === undefined ? undefined : rowScorer(vecs, metric, q, mhBytes);
  const ok = inner === undefined ? accept : (row: number) => inner(score!(row)) && (accept === undefined || accept(row));
  const inRange = withinRange(metric, range);
  return index(q, k, ok).filter((h) => inRange(h.distance));
}

/**
 * Below this share of a segment's rows passing a read's filter, the passing
 * rows are scanned rather than the index walked: a graph walk under a tight
 * filter visits many refused rows to find a few (Knowhere falls back to brute
 * force the same way). Judged on an even sample, then counted exactly.
 */
const SCAN_BELOW_SHARE = 0.05;
const SAMPLE_ROWS = 256;

/**
 * The rows of a segment that pass `accept`, when they are few enough to scan;
 * undefined otherwise. With a scalar index's candidates, the same decision is
 * taken (the sample asks `accept`, which tests membership first) and only the
 * candidates are counted, never the whole segment.
 */
export function fewPassing(count: number, accept: RowFilter, candidates?: Candidates): Int32Array | undefined {
  if (count > SAMPLE_ROWS) {
    let passed = 0;
    for (let i = 0; i < SAMPLE_ROWS; i++) if (accept(Math.floor((i * count) / SAMPLE_ROWS))) passed++;
    if (passed > SAMPLE_ROWS * SCAN_BELOW_SHARE) return undefined;
  }
  const rows = candidates ? passingCandidates(candidates) : passingRows(count, accept);
  return rows.length <= Math.max(SAMPLE_ROWS, count * SCAN_BELOW_SHARE * 2) ? rows : undefined;
}

/**
 * fewPassing within a scope of rows (a keyed index's rows of one key value,
 * runtime/vectorIndex/keyedIndex.ts): the share is judged among them alone.
 */
export function fewPassingIn(scope: Int32Array, accept: RowFilter): Int32Array | undefined {
  const few = fewPassing(scope.length, (i) => accept(scope[i]!));
  return few && few.map((i) => scope[i]!);
}

function passingRows(count: number, accept: RowFilter): Int32Array {
  const rows: number[] = [];
  for (let r = 0; r < count; r++) if (accept(r)) rows.push(r);
  return Int32Array.from(rows);
}

/** Whether `row` is among `rows` (ascending). */
function isCandidate(rows: Int32Array, row: number): boolean {
  let lo = 0, hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (rows[mid]! < row) lo = mid + 1; else hi = mid;
  }
  return rows[lo] === row;
}

/** The candidates that pass, ascending. */
export function passingCandidates({ rows, accept }: Candidates): Int32Array {
  return accept ? rows.filter((row) => accept(row)) : rows;
}

/** One segment's best k rows for one query, within the range if there is one. */
function rankRows(seg: SealedSegment, vecs: VectorBlock, index: IndexSearch | null, q: Float32Array, k: number, accept: ((row: number) => boolean) | undefined, shape: SearchShape): RowHit[] {
  const { metric, range } = shape;
  if (index) return range ? rangedIndexSearch(index, vecs, q, k, accept, metric, range, shape.mhElementBytes) : index(q, k, accept);
  return searchBlock({ block: vecs, count: seg.count, metric, queries: [q], k, accept, ...(range ? { range } : {}), ...mhOf(shape) })[0]!;
}

/** The MinHash width a shape names, as the exact searches take it. */
const mhOf = (shape: SearchShape): { mhElementBytes?: number } => (shape.mhElementBytes !== undefined ? { mhElementBytes: shape.mhElementBytes } : {});

/**
 * A segment as a search takes it: `index` searches its ANN index (null: none);
 * `scope`, when the index is keyed and the filter pins its key to one value
 * (partition key isolation), is the rows of that value the index searches
 * alone, null when the segment holds none of them. `indexHoldsNoNulls`: the
 * index was built over the rows having a vector only (a row-mapped or keyed
 * one), so an unfiltered search of it needs no presence test. `walk`: the
 * index's walk for iterative filtering (iterativeSegment.ts). `filtersLazily`:
 * `index` asks its `accept` only of the rows its search reaches (HNSW), so
 * iterative filtering may run it filtered instead of walking it. Neither: the
 * index is not walked, and the segment filters as usual.
 */
export type SearchSegment = ReadSegment & { index: IndexSearch | null; scope?: Int32Array | null; indexHoldsNoNulls?: boolean; walk?: SegmentWalk; filtersLazily?: boolean };

/** Top-k (or top-k groups) per query across the given segments; with a range, only hits inside it. */
export function searchSealed(segs: SearchSegment[], r: SealedRead, queries: Float32Array[], shape: SearchShape): HitRow[][] {
  const { k, metric, group } = shape;
  const perQuery: SegmentHit[][][] = queries.map(() => []);
  for (const s of segs) {
    const { seg, index, scope } = s;
    // The filter pins a key value the segment's keyed index holds no row of: no row can match.
    if (scope === null) continue;
    const rows = segmentRows(s, r);
    if (rows.accept === null) continue;
    const vecs = annsVectors(seg, r.anns, seg.dim);
    // Rows of a nullable field holding no vector are never hits (Milvus 2.6's nullable vectors), in every path below.
    // Unfiltered, no row test is needed where nulls are never reached: a compact block's scan walks the vectors
    // alone, and an index of the field holds only the rows having one (runtime/vectorIndex/rowMappedIndex.ts).
    const nullsUnreached = rows.accept === undefined && (index ? s.indexHoldsNoNulls === true : vecs.map !== undefined);
    const accept = nullsUnreached ? undefined : withPresentRows(seg, r.anns, rows.accept);
    const candidates = rows.candidates && { ...rows.candidates, accept: withPresentRows(seg, r.anns, rows.candidates.accept) };
    const values = group ? seg.fields[group.field] : undefined, gd = group ? r.defaults?.get(group.field) : undefined;
    // Decided once per segment: the filter is the same for every query. Without an ANN index the
    // candidates are scanned, as every row would be (the same exact order: ties go to the lower row).
    // In a keyed index's scope, the share passing is judged among the key's rows, which the sub-index holds.
    // Iterative filtering (Milvus's hint): no row is decided up front; each query's search asks the filter of the rows it meets, once each.
    const hinted = shape.iterativeFilter === true && r.filter !== null && accept !== undefined && !shape.range && !group;
    const lazy = index && s.filtersLazily === true ? { filtered: (q: Float32Array, kk: number, ok: (row: number) => boolean) => index(q, kk, ok) } : undefined;
    const iterative = hinted && index && (lazy || s.walk)
      ? { count: seg.count, vecs, ...lazy, ...(s.walk ? { walk: s.walk } : {}), accept: memoRows(accept, seg.count), ...(scope ? { scope } : {}), ...(candidates ? { candidates: candidates.rows } : {}) }
      : undefined;
    // Without an index the scan already asks the filter lazily (only of rows entering the top k): iterative filtering
    // takes it, over a scalar index's candidates alone when there are some, rather than asking every candidate first.
    const scan = hinted && !index ? memoRows(accept, seg.count) : undefined;
    // A compact block's null rows have no distance to compute (vectorBlock.ts rowScorer): the candidates having a vector.
    const scanRows = scan && candidates ? (vecs.map ? candidates.rows.filter((row) => vecs.map!.slots[row]! >= 0) : candidates.rows) : undefined;
    const few = iterative || scan ? undefined : !index && candidates ? passingCandidates(candidates) : index && accept ? (scope ? fewPassingIn(scope, accept) : fewPassing(seg.count, accept, candidates)) : undefined;
    queries.forEach((q, qi) => {
      const rank = iterative ? iterativeRank(iterative, q, shape) : scan
        ? (kk: number) => (scanRows ? searchBlockRows({ block: vecs, metric, rows: scanRows, query: q, k: kk, accept: scan, ...mhOf(shape) }) : rankRows(seg, vecs, null, q, kk, scan, shape))
        : few
        ? (kk: number) => searchBlockRows({ block: vecs, metric, rows: few, query: q, k: kk, ...(shape.range ? { range: shape.range } : {}), ...mhOf(shape) })
        : (kk: number) => rankRows(seg, vecs, index, q, kk, accept, shape);
      const rows = group ? collectGroups(seg.count, (row) => values?.[row] ?? gd, group, k, rank, index === null || few !== undefined)
        : r.boost ? boostRows(r.boost, { ...seg.fields, [r.pkName]: seg.pks } as Columns, rank(boostPool(k)), metric, k) : rank(k);
      perQuery[qi]!.push(rows.map((h) => ({ pk: seg.pks[h.row]!, distance: h.distance, seg, row: h.row, ...(group ? { group: values?.[h.row] ?? gd ?? null } : {}) })));
    });
  }
  return perQuery.map((lists) => (group ? mergeGroupedHits(lists, k, group.size, metric) : mergeHits(lists, k, metric))
    .map((h) => ({ pk: h.pk, distance: h.distance, fields: sealedRowFields(h.seg, h.row, r), ...(group ? { group: h.group } : {}) })));
}

/**
 * Rows matching the read, or only their count. With a page, only rows with a
 * key above its cursor, at most its limit, in key order: output fields are read
 * for those alone.
 */
export function querySealed(segs: ReadSegment[], r: SealedRead, countOnly: boolean, page: PkPage = { limit: 0 }, order?: readonly OrderKey[], orderAfter?: Ordered): { rows: HitRow[]; count: number } {
  if (countOnly) {
    let count = 0;
    for (const s of segs) {
      const live = liveCount(s.seg, r);
      if (live !== undefined) { count += live; continue; }
      const { accept, candidates } = segmentRows(s, r);
      if (accept === null) continue;
      if (candidates) {
        const { rows, accept: ok } = candidates;
        if (!ok) count += rows.length; else for (const row of rows) if (ok(row)) count++;
        continue;
      }
      if (accept === undefined) { count += s.seg.count; continue; }
      for (let i = 0; i < s.seg.count; i++) if (accept(i)) count++;
    }
    return { rows: [], count };
  }
  if (order && order.length > 0) return orderedSealed(segs, r, page.limit, order, orderAfter);
  const found: Array<{ pk: PrimaryKey; seg: SealedSegment; row: number; tso: Tso }> = [];
  for (const s of segs) {
    const { seg } = s, { accept, candidates } = segmentRows(s, r), tsoOf = (row: number) => seg.tsos[row]!;
    if (accept === null) continue;
    const rows = candidates ? candidatesOnPage(seg.pks, page, candidates.rows, candidates.accept, accept, tsoOf) : rowsOnPage(seg.pks, page, accept, tsoOf);
    for (const row of rows) found.push({ pk: seg.pks[row]!, seg, row, tso: seg.tsos[row]! });
  }
  const rows = firstOnPage(found, page.limit).map((h) => ({ pk: h.pk, distance: 0, fields: sealedRowFields(h.seg, h.row, r), tso: h.tso }));
  return { rows, count: rows.length };
}

/** Every row matching the read folded into an aggregating query's buckets, read from the columns (no row made). */
export function foldSealed(segs: ReadSegment[], r: SealedRead, fold: BucketFold): void {
  for (const s of segs) {
    const { accept, candidates } = segmentRows(s, r);
    if (accept === null) continue;
    const add = fold.adder(s.seg);
    if (candidates) {
      const { rows, accept: ok } = candidates;
      for (const row of rows) if (!ok || ok(row)) add(row);
      continue;
    }
    for (let i = 0; i < s.seg.count; i++) if (accept === undefined || accept(i)) add(i);
  }
}

/** The first `limit` (0: all) rows in the order (past `after`), one per key: each segment's first `limit`, merged (shared/segment/orderedRows.ts, newestCopy.ts). */
function orderedSealed(segs: ReadSegment[], r: SealedRead, limit: number, order: readonly OrderKey[], after?: Ordered): { rows: HitRow[]; count: number } {
  const read: Array<{ seg: SealedSegment; rows: Int32Array | number[]; copies: CopySource }> = [];
  for (const s of segs) {
    const { seg } = s, { accept, candidates } = segmentRows(s, r), tsoOf = (row: number) => seg.tsos[row]!;
    if (accept === null) continue;
    const rows = candidates ? passingCandidates(candidates) : passingRows(seg.count, accept ?? (() => true));
    // A key looked up in this segment: a copy counts if the read accepts it (a scalar index's candidate that passes).
    const ok = candidates ? (row: number) => isCandidate(candidates.rows, row) && (candidates.accept === undefined || candidates.accept(row)) : accept ?? (() => true);
    read.push({ seg, rows: newestRows(seg.pks, rows, tsoOf), copies: { pks: seg.pks, accept: ok, tsoOf } });
  }
  const copies = read.map((x) => x.copies);
  const top = (i: number, n: number) => {
    const { seg, rows } = read[i]!;
    return topOrdered(order, { rows: seg, pkName: r.pkName, defaults: r.defaults }, rows, n, after).map((h) => ({ ...h, seg }));
  };
  const tsoOf = (x: { seg: SealedSegment; row: number }) => x.seg.tsos[x.row]!;
  const rows = orderedNewest(read.length, top, tsoOf, (x, i) => newerElsewhere(copies, i, x.pk, tsoOf(x)), limit, order)
    .map((h) => ({ pk: h.pk, distance: 0, fields: sealedRowFields(h.seg, h.row, r), tso: tsoOf(h) }));
  return { rows, count: rows.length };
}
