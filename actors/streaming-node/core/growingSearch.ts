import type { BucketFold } from '../../shared/aggregation/bucketFold.js';
import type { CompiledFilter, Columns } from '../../../messages/filter/evaluate.js';
import type { Ordered, OrderKey } from '../../../messages/orderBy.js';
import { topOrdered } from '../../shared/segment/orderedRows.js';
import type { HitRow } from '../../../messages/rpc/records.js';
import type { MetricType, PrimaryKey } from '../../../messages/schema.js';
import type { Tso } from '../../../messages/types.js';
import { searchBlock } from '../../shared/vector/bruteForce.js';
import { memoRows } from '../../shared/vector/iterativeFilter.js';
import { boostPool, boostRows, type CompiledBoost } from '../../shared/vector/boostSegment.js';
import { collectGroups, mergeGroupedHits } from '../../shared/vector/groupBy.js';
import type { SearchShape } from '../../shared/vector/searchShape.js';
import { mergeHits } from '../../shared/vector/topK.js';
import { annsVectors, withPresentRows, type AnnsColumn } from '../../shared/vector/vectorColumn.js';
import { outputFieldsOf } from '../../shared/segment/outputFields.js';
import { hidden } from '../../shared/segment/deleteIndex.js';
import { entityExpiry } from '../../shared/segment/rowExpiry.js';
import type { FieldExpiry } from '../../../messages/entityTtl.js';
import { firstOnPage, rowsOnPage, type PkPage } from '../../shared/segment/pkOrder.js';
import { newerElsewhere, newestRows, orderedNewest, type CopySource } from '../../shared/segment/newestCopy.js';
import { firstTso, rowTso } from './chunkMerge.js';
import { type GrowingChunk, type ShardData } from './shardData.js';

/**
 * Search and query over a shard's growing rows, as of a read TSO: a row is
 * visible if it was written at or before the read TSO, and not deleted in
 * (its write TSO, read TSO]. Pure: the delegator shell calls it.
 */
export interface GrowingRead {
  pkName: string;
  vectorName: string;
  dim: number;
  filter: CompiledFilter | null;
  partitionIds: ReadonlySet<number> | null;
  readTso: Tso;
  outputFields: string[];
  /** Segments a query node serves for this read: their growing copy (if still here) is not searched. */
  servedElsewhere?: ReadonlySet<number>;
  /** Rows of segments still growing (not sealed) are left out: a search's `ignore_growing`. */
  ignoreGrowing?: boolean;
  /** Rows inserted below this TSO have expired (the collection's TTL, shared/segment/rowExpiry.ts). */
  expiredBelow?: Tso;
  /** Entity-level TTL: rows whose ttl_field value has passed (messages/entityTtl.ts, shared/segment/rowExpiry.ts). */
  fieldExpiry?: FieldExpiry[];
  /** A search of a vector field other than the first (shared/vector/vectorColumn.ts). */
  anns?: AnnsColumn;
  /** Defaults of fields that have one: a stored null reads as it (messages/schema.ts fieldDefaults). */
  defaults?: ReadonlyMap<string, unknown>;
  /** A boost applied to each chunk's candidates before the merge (shared/vector/boostSegment.ts); not with groups. */
  boost?: CompiledBoost;
}

export function visibleChunks(shard: ShardData, r: GrowingRead): GrowingChunk[] {
  const out: GrowingChunk[] = [];
  for (const seg of shard.segments.values()) {
    if (shard.handedOff.has(seg.id) || r.servedElsewhere?.has(seg.id)) continue;
    if (seg.partitionDropped || (r.ignoreGrowing && seg.sealPos === null)) continue;
    for (const c of seg.chunks) {
      // A merged chunk's rows are checked one by one where only some are visible (acceptor).
      if (firstTso(c) > r.readTso || (r.expiredBelow !== undefined && c.tso < r.expiredBelow)) continue;
      if (r.partitionIds && !r.partitionIds.has(c.partitionId)) continue;
      out.push(c);
    }
  }
  return out;
}

export function acceptor(shard: ShardData, c: GrowingChunk, r: GrowingRead): (row: number) => boolean {
  const pred = r.filter ? r.filter.bind({ ...c.fields, [r.pkName]: c.pks } as Columns) : null;
  const del = shard.deleteIndex;
  const anyDeletes = del.size > 0;
  const expired = entityExpiry(c.fields, (row) => rowTso(c, row), r.fieldExpiry);
  // A merged chunk written partly after the read TSO, or partly before the TTL's cut, shows the rows inside them.
  const { readTso, expiredBelow } = r;
  const inTime = c.rowTsos && (c.tso > readTso || (expiredBelow !== undefined && firstTso(c) < expiredBelow))
    ? (row: number) => { const t = c.rowTsos![row]!; return t <= readTso && (expiredBelow === undefined || t >= expiredBelow); }
    : undefined;
  return (row) => (inTime === undefined || inTime(row)) && (!anyDeletes || !hidden(del.get(c.pks[row]!), c.partitionId, rowTso(c, row), readTso)) && (expired === undefined || !expired(row)) && (pred === null || pred(row));
}

/** The visible chunks' rows as the read accepts them, to look a key's copies up in (shared/segment/newestCopy.ts). */
export function growingCopies(shard: ShardData, r: GrowingRead, chunks = visibleChunks(shard, r)): CopySource[] {
  return chunks.map((c) => ({ pks: c.pks, accept: acceptor(shard, c, r), tsoOf: (row: number) => rowTso(c, row) }));
}

/** The output fields of one row. */
export function rowFields(c: GrowingChunk, row: number, r: GrowingRead): Record<string, unknown> {
  return outputFieldsOf(c, r.dim, row, r.outputFields, r.pkName, r.vectorName, r.defaults);
}

/** Top-k (or top-k groups) per query vector over growing rows, best first; with a range, only hits inside it. */
export function searchGrowing(shard: ShardData, r: GrowingRead, queries: Float32Array[], shape: SearchShape): HitRow[][] {
  const { k, metric, range, group } = shape;
  // Output fields are read for the merge's winners only.
  const perQuery: Array<Array<Array<{ pk: PrimaryKey; distance: number; c: GrowingChunk; row: number; group?: unknown }>>> = queries.map(() => []);
  for (const c of visibleChunks(shard, r)) {
    // Rows of a nullable field holding no vector are never hits (Milvus 2.6's nullable vectors): a compact
    // block's scan never reaches them (shared/vector/compactColumn.ts), any other is filtered.
    const block = annsVectors(c, r.anns, r.dim);
    const accept = block.map ? acceptor(shard, c, r) : withPresentRows(c, r.anns, acceptor(shard, c, r))!;
    const values = group ? c.fields[group.field] : undefined, gd = group ? r.defaults?.get(group.field) : undefined;
    // Iterative filtering (Milvus's hint): the scan, which asks the filter only of rows entering the top k (the
    // cheapest exact way found, bench iterativeFilter), each row's answer kept across the search's queries.
    const memo = shape.iterativeFilter === true && r.filter !== null && !range && !group ? memoRows(accept, c.count) : undefined;
    const mh = shape.mhElementBytes !== undefined ? { mhElementBytes: shape.mhElementBytes } : {};
    queries.forEach((q, qi) => {
      const rank = (kk: number) => searchBlock({ block, count: c.count, metric, queries: [q], k: kk, accept: memo ?? accept, ...(range ? { range } : {}), ...mh })[0]!;
      const rows = group ? collectGroups(c.count, (row) => values?.[row] ?? gd, group, k, rank, true)
        : r.boost ? boostRows(r.boost, { ...c.fields, [r.pkName]: c.pks } as Columns, rank(boostPool(k)), metric, k) : rank(k);
      perQuery[qi]!.push(rows.map((h) => ({ pk: c.pks[h.row]!, distance: h.distance, c, row: h.row, ...(group ? { group: values?.[h.row] ?? gd ?? null } : {}) })));
    });
  }
  return perQuery.map((lists) => (group ? mergeGroupedHits(lists, k, group.size, metric) : mergeHits(lists, k, metric))
    .map((h) => ({ pk: h.pk, distance: h.distance, fields: rowFields(h.c, h.row, r), ...(group ? { group: h.group } : {}) })));
}

/** Every visible row matching the read folded into an aggregating query's buckets, read from the columns (no row made). */
export function foldGrowing(shard: ShardData, r: GrowingRead, fold: BucketFold): void {
  for (const c of visibleChunks(shard, r)) {
    const ok = acceptor(shard, c, r), add = fold.adder(c);
    for (let i = 0; i < c.count; i++) if (ok(i)) add(i);
  }
}

/**
 * Rows matching the read, or only their count. With a page, only rows with a
 * key above its cursor, at most its limit, in key order: output fields are read
 * for those alone. With an order, the first `limit` in it (past `orderAfter`).
 */
export function queryGrowing(shard: ShardData, r: GrowingRead, countOnly: boolean, page: PkPage = { limit: 0 }, order?: readonly OrderKey[], orderAfter?: Ordered): { rows: HitRow[]; count: number } {
  if (countOnly) {
    let count = 0;
    for (const c of visibleChunks(shard, r)) {
      const ok = acceptor(shard, c, r);
      for (let i = 0; i < c.count; i++) if (ok(i)) count++;
    }
    return { rows: [], count };
  }
  if (order && order.length > 0) {
    // Each chunk's first `limit` in the order, one row per key, merged (shared/segment/orderedRows.ts, newestCopy.ts).
    const chunks = visibleChunks(shard, r), copies = growingCopies(shard, r, chunks);
    const passing = copies.map((s, i) => {
      const rows: number[] = [];
      for (let row = 0; row < chunks[i]!.count; row++) if (s.accept(row)) rows.push(row);
      return newestRows(s.pks, rows, s.tsoOf);
    });
    const top = (i: number, limit: number) => {
      const c = chunks[i]!;
      return topOrdered(order, { rows: c, pkName: r.pkName, defaults: r.defaults }, passing[i]!, limit, orderAfter).map((h) => ({ ...h, c }));
    };
    const tsoOf = (x: { c: GrowingChunk; row: number }) => rowTso(x.c, x.row);
    const rows = orderedNewest(chunks.length, top, tsoOf, (x, i) => newerElsewhere(copies, i, x.pk, tsoOf(x)), page.limit, order)
      .map((h) => ({ pk: h.pk, distance: 0, fields: rowFields(h.c, h.row, r), tso: tsoOf(h) }));
    return { rows, count: rows.length };
  }
  const found: Array<{ pk: PrimaryKey; c: GrowingChunk; row: number; tso: Tso }> = [];
  for (const c of visibleChunks(shard, r)) {
    const tsoOf = (row: number) => rowTso(c, row);
    for (const row of rowsOnPage(c.pks, page, acceptor(shard, c, r), tsoOf)) found.push({ pk: c.pks[row]!, c, row, tso: tsoOf(row) });
  }
  const rows = firstOnPage(found, page.limit).map((h) => ({ pk: h.pk, distance: 0, fields: rowFields(h.c, h.row, r), tso: h.tso }));
  return { rows, count: rows.length };
}
