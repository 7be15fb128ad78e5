import { ValidationError } from '../../messages/errors.js';
import type { CollectionRecord, HitRow } from '../../messages/rpc/records.js';
import { annsFieldOf } from '../../messages/schema.js';
import { type Tso } from '../../messages/types.js';
import { mergeHits } from '../../actors/shared/vector/topK.js';
import { analyzerNameOf, bm25AnalyzerOf } from './sparseQueries.js';
import { metricOfField } from '../../actors/shared/vector/fieldMetric.js';
import { mergeStats } from '../../messages/bm25.js';
import { bm25FunctionOf } from '../../messages/schemaFunctions.js';
import { encodeSparse, type SparseVector } from '../../messages/sparse.js';
import type { SparseQuery } from '../../messages/rpc/sparseRead.js';
import type { FieldSchema } from '../../messages/schema.js';
import { bm25ParamsOf, sparseQueryVectors, termsOf } from './sparseQueries.js';
import { mergeGroupedHits, type GroupBySpec } from '../../actors/shared/vector/groupBy.js';
import { chosenGroups, restrictToGroups } from './groupRefine.js';
import { type Hit, type SearchRequest } from './api.js';
import type { ShardBoost } from '../../messages/boostRanker.js';
import { checkPage, denseQueries, rounder, searchOptions } from './searchOptions.js';
import { embListMetricOf, embListQueries, refuseEmbListOptions } from './embListSearch.js';
import { structVectorOf, type StructSubField } from '../../messages/structArray.js';
import { pairMetric } from '../../actors/shared/vector/maxSim.js';
import { refuseUnisolated } from './keyRouting.js';
import { readPlan, shapeRow } from './readPlan.js';
import { WriteClient } from './writeClient.js';

/** A search's round to the shards, dense, sparse (with BM25's collection-wide counts) or of embedding lists, merged into pages of hits. */
export abstract class ShardSearchClient extends WriteClient {
  /**
   * A search; `pin` reads at exactly that TSO (a hybrid search's one snapshot)
   * instead of the consistency level's; `boost` is applied by the servers to
   * each segment's candidates (messages/boostRanker.ts), dense and sparse fields (not embedding lists).
   */
  protected async searchAt(r: CollectionRecord, req: SearchRequest, pin?: Tso, boost?: ShardBoost, guaranteed?: Tso): Promise<Hit[][]> {
    const struct = structVectorOf(r.schema, req.annsField);
    const field0 = struct ? undefined : annsFieldOf(r.schema, req.annsField);
    if (boost && struct) throw new ValidationError(`a boost ranker ranks no embedding-list search, as '${req.annsField}' is`, { field: 'ranker' });
    if (struct) return this.searchEmbListAt(r, req, struct.sub, pin);
    const plan = readPlan(r, req);
    refuseUnisolated(r, plan.checked);
    const field = field0!, dim = field.dim!, metric = metricOfField(r, field.name);
    if (field.dataType === 'SparseFloatVector') return this.searchSparseAt(r, req, field, pin, boost, guaranteed);
    // The first vector field is the shards' default: named only when another one is searched.
    const anns = field.name === plan.vf?.name ? {} : { annsField: field.name };
    if (!Array.isArray(req.data) || req.data.length === 0) throw new ValidationError('search needs data: a non-empty list of vectors');
    if (req.data.length > 1024) throw new ValidationError('search takes at most 1024 vectors at once');
    const limit = req.limit, offset = req.offset ?? 0;
    checkPage(limit, offset);
    if (req.searchParams?.metricType && req.searchParams.metricType !== metric) throw new ValidationError(`metricType ${req.searchParams.metricType} differs from field '${field.name}''s ${metric}`);
    const queries = denseQueries(field, req.data, r.schema);
    const { ef, nprobe, rbqQueryBits, refineK, reorderK, searchList, mhSearchWithJaccard, mhElementBitWidth, range, ignoreGrowing, roundDecimal, group, iterativeFilter } = searchOptions(req, metric, r.schema, r.indexes.find((i) => i.fieldName === field.name)?.indexType);
    const k = limit + offset;
    const guaranteeTso = pin ?? guaranteed ?? await this.guarantee(r, req.consistencyLevel);
    const searchShards = (qs: Float32Array, filter: unknown, kk: number, grouping: GroupBySpec | undefined) => Promise.all(r.vchannels.map((vchannel) => this.onReplica(vchannel, 'search', {
      vchannel, collectionId: r.collectionId, queries: qs, ...anns, nq: qs.length / dim, k: kk, ef, nprobe, rbqQueryBits, refineK, reorderK, searchList, filter, ...(boost ? { boost } : {}),
      ...(mhSearchWithJaccard !== undefined ? { mhSearchWithJaccard } : {}), ...(mhElementBitWidth !== undefined ? { mhElementBitWidth } : {}),
      partitionIds: plan.partitionIds, outputFields: plan.fields, guaranteeTso, ...(pin !== undefined ? { mvccTso: pin } : {}),
      ...(range ? { range } : {}), ...(ignoreGrowing ? { ignoreGrowing } : {}), ...(grouping ? { group: grouping } : {}), ...(iterativeFilter ? { iterativeFilter } : {}),
    })));
    // With groups of several hits, a first pass of one hit per group picks them and a second fills them (groupRefine.ts).
    const refine = group !== undefined && group.size > 1;
    const perShard = await searchShards(queries, plan.filter, k, refine ? { ...group, size: 1, strict: false } : group);
    const merge = (lists: HitRow[][]) => (group ? mergeGroupedHits(lists, limit, refine ? 1 : group.size, metric, offset) : mergeHits(lists, limit, metric, offset));
    let results = req.data.map((_, q) => merge(perShard.map((s) => s.hits[q] ?? [])));
    if (refine) {
      results = await Promise.all(results.map(async (first, q) => {
        const values = chosenGroups(first);
        if (values.length === 0) return first;
        const again = await searchShards(queries.subarray(q * dim, (q + 1) * dim), restrictToGroups(plan.filter, group.field, values), values.length, group);
        return mergeGroupedHits(again.map((s) => s.hits[0] ?? []), values.length, group.size, metric);
      }));
    }
    const distance = rounder(roundDecimal);
    return results.map((hits) => hits.map((h) => ({ id: h.pk, distance: distance(h.distance), fields: shapeRow(h, plan.pk.name, plan.dynamic, req.outputFields ?? [], r.schema, plan.tz, plan.subPaths) })));
  }

  /**
   * An embedding-list search of a Struct's vector sub-field (`annsField`
   * `chunks[text_vector]`): each query is a list of vectors and each row is
   * scored by MAX_SIM over its own list, exactly, on every shard; hits merge
   * in the metric's order (larger first but for MAX_SIM_L2).
   */
  private async searchEmbListAt(r: CollectionRecord, req: SearchRequest, sub: StructSubField, pin?: Tso): Promise<Hit[][]> {
    const annsField = req.annsField!;
    refuseEmbListOptions(req, annsField);
    const plan = readPlan(r, req);
    refuseUnisolated(r, plan.checked);
    const lists = embListQueries(sub, annsField, req.data);
    const metric = embListMetricOf(req, annsField, r.indexes.find((i) => i.fieldName === annsField)?.metricType);
    const limit = req.limit, offset = req.offset ?? 0;
    checkPage(limit, offset);
    const { ef, ignoreGrowing, roundDecimal } = searchOptions(req, pairMetric(metric), r.schema);
    const guaranteeTso = pin ?? await this.guarantee(r, req.consistencyLevel);
    const perShard = await Promise.all(r.vchannels.map((vchannel) => this.onReplica(vchannel, 'search', {
      vchannel, collectionId: r.collectionId, queries: new Float32Array(0), annsField, embList: { lists, metric }, nq: lists.length, k: limit + offset, ef,
      filter: plan.filter, partitionIds: plan.partitionIds, outputFields: plan.fields, guaranteeTso, ...(pin !== undefined ? { mvccTso: pin } : {}),
      ...(ignoreGrowing ? { ignoreGrowing } : {}),
    })));
    const distance = rounder(roundDecimal);
    return lists.map((_, q) => mergeHits(perShard.map((s) => s.hits[q] ?? []), limit, pairMetric(metric), offset)
      .map((h) => ({ id: h.pk, distance: distance(h.distance), fields: shapeRow(h, plan.pk.name, plan.dynamic, req.outputFields ?? [], r.schema, plan.tz, plan.subPaths) })));
  }

  /**
   * A search of a sparse field, read at one pinned TSO. A BM25 field's search
   * is two rounds: every shard counts the query terms among its live rows
   * (bm25Stats), the sums go to every shard with the queries, so all score
   * with the collection's idf and mean length (messages/bm25.ts). Range
   * searches keep scores in (radius, range_filter]; grouping searches group
   * as dense ones do.
   */
  private async searchSparseAt(r: CollectionRecord, req: SearchRequest, field: FieldSchema, pin?: Tso, boost?: ShardBoost, guaranteed?: Tso): Promise<Hit[][]> {
    const plan = readPlan(r, req);
    refuseUnisolated(r, plan.checked);
    if (!Array.isArray(req.data) || req.data.length === 0) throw new ValidationError('search needs data: a non-empty list of query vectors or texts');
    if (req.data.length > 1024) throw new ValidationError('search takes at most 1024 queries at once');
    const limit = req.limit, offset = req.offset ?? 0;
    checkPage(limit, offset);
    const metric = metricOfField(r, field.name);
    if (req.searchParams?.metricType && req.searchParams.metricType !== metric) throw new ValidationError(`metricType ${req.searchParams.metricType} differs from field '${field.name}''s ${metric}`);
    const { range, ignoreGrowing, roundDecimal, group } = searchOptions(req, metric, r.schema);
    const bm25 = bm25FunctionOf(r.schema, field.name);
    const vectors = sparseQueryVectors(req.data, field.name, bm25 !== undefined, bm25AnalyzerOf(r.schema, field.name, analyzerNameOf(req.searchParams)));
    const tso = pin ?? await this.snapshotTso(r, req.consistencyLevel, guaranteed);
    const at = { collectionId: r.collectionId, annsField: field.name, partitionIds: plan.partitionIds, guaranteeTso: tso, mvccTso: tso };
    const stats = bm25 ? await this.bm25Counts(r, field, vectors, at) : undefined;
    const k = limit + offset;
    const searchShards = (queries: Uint8Array[], filter: unknown, kk: number, grouping: GroupBySpec | undefined) => Promise.all(r.vchannels.map((vchannel) => this.onReplica(vchannel, 'search', {
      ...at, vchannel, queries: new Float32Array(0), sparse: { queries, ...(stats ? { bm25: stats } : {}) }, nq: queries.length, k: kk, filter, ...(boost ? { boost } : {}),
      outputFields: plan.fields, ...(ignoreGrowing ? { ignoreGrowing } : {}), ...(range ? { range } : {}), ...(grouping ? { group: grouping } : {}),
    })));
    // Groups of several hits: one hit per group first picks the groups, a second round fills them (groupRefine.ts), as for dense fields.
    const refine = group !== undefined && group.size > 1;
    const encoded = vectors.map(encodeSparse);
    const perShard = await searchShards(encoded, plan.filter, k, refine ? { ...group, size: 1, strict: false } : group);
    let results = vectors.map((_, q) => {
      const lists = perShard.map((s) => s.hits[q] ?? []);
      return group ? mergeGroupedHits(lists, limit, refine ? 1 : group.size, 'IP', offset) : mergeHits(lists, limit, 'IP', offset);
    });
    if (refine) {
      results = await Promise.all(results.map(async (first, q) => {
        const values = chosenGroups(first);
        if (values.length === 0) return first;
        const again = await searchShards([encoded[q]!], restrictToGroups(plan.filter, group.field, values), values.length, group);
        return mergeGroupedHits(again.map((s) => s.hits[0] ?? []), values.length, group.size, 'IP');
      }));
    }
    const distance = rounder(roundDecimal);
    return results.map((hits) => hits.map((h) => ({ id: h.pk, distance: distance(h.distance), fields: shapeRow(h, plan.pk.name, plan.dynamic, req.outputFields ?? [], r.schema, plan.tz, plan.subPaths) })));
  }

  /** Round one of a BM25 search: the collection's counts of the queries' terms, summed over the shards at the read's TSO. */
  protected async bm25Counts(r: CollectionRecord, field: FieldSchema, vectors: SparseVector[], at: { collectionId: number; annsField: string; partitionIds: number[] | null; guaranteeTso: Tso; mvccTso: Tso }): Promise<SparseQuery['bm25']> {
    const terms = termsOf(vectors);
    const parts = await Promise.all(r.vchannels.map((vchannel) => this.onReplica(vchannel, 'bm25Stats', { ...at, vchannel, terms })));
    return { ...bm25ParamsOf(r, field.name), terms, stats: mergeStats(parts, terms.length) };
  }
}
