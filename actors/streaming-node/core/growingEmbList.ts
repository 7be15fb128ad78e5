import type { HitRow } from '../../../messages/rpc/records.js';
import type { EmbListMetric } from '../../../messages/structArray.js';
import type { PrimaryKey } from '../../../messages/schema.js';
import { pairMetric, searchEmbLists, subVectors, type EmbListTarget } from '../../shared/vector/maxSim.js';
import { mergeHits } from '../../shared/vector/topK.js';
import { acceptor, rowFields, visibleChunks, type GrowingRead } from './growingSearch.js';
import type { GrowingChunk, ShardData } from './shardData.js';


/**
 * Embedding-list search over a shard's growing rows (same visibility as
 * growingSearch.ts): exact MAX_SIM over each row's list, top k per query
 * list, best first. Pure: the delegator shell calls it.
 */
export function searchGrowingEmbList(shard: ShardData, r: GrowingRead, t: EmbListTarget, queries: Float32Array[][], metric: EmbListMetric, k: number): HitRow[][] {
  const perQuery: Array<Array<Array<{ pk: PrimaryKey; distance: number; c: GrowingChunk; row: number }>>> = queries.map(() => []);
  for (const c of visibleChunks(shard, r)) {
    const column = c.fields[t.field];
    const hits = searchEmbLists({ count: c.count, listOf: (row) => subVectors(column?.[row], t.sub), queries, dim: t.dim, k, metric, accept: acceptor(shard, c, r) });
    hits.forEach((rows, qi) => perQuery[qi]!.push(rows.map((h) => ({ pk: c.pks[h.row]!, distance: h.distance, c, row: h.row }))));
  }
  return perQuery.map((lists) => mergeHits(lists, k, pairMetric(metric)).map((h) => ({ pk: h.pk, distance: h.distance, fields: rowFields(h.c, h.row, r) })));
}
