import { readOrderBy } from '../../messages/orderBy.js';
import { orderFieldsToAdd, orderHits, withoutFields } from './orderedReads.js';
import { ValidationError } from '../../messages/errors.js';
import type { CollectionRecord } from '../../messages/rpc/records.js';
import { annsFieldOf, primaryField } from '../../messages/schema.js';
import { type Tso } from '../../messages/types.js';
import { checkReranker, fuse, fuseGroups } from './hybridRank.js';
import { metricOfField } from '../../actors/shared/vector/fieldMetric.js';
import { checkAggregation, type AggLevel, type SearchAggregation } from '../../messages/searchAggregation.js';
import { MAX_HYBRID_SEARCHES, type Hit, type HybridSearchRequest, type SearchRequest, type AggregatedSearchResult } from './api.js';
import { checkDecayRanker, decayFuse } from './decayRanker.js';
import { checkSearchRanker } from './functionScore.js';
import type { ShardBoost } from '../../messages/boostRanker.js';
import { checkPage, checkRoundDecimal, groupSpec, rounder } from './searchOptions.js';
import { structVectorOf } from '../../messages/structArray.js';
import { refuseKeys } from './primaryKeySearch.js';
import { refuseDenied, timezoneOf } from './recordChecks.js';
import { SearchClient } from './searchClient.js';

/** Hybrid search: several searches at one pinned TSO, fused by a reranker, ordered or aggregated. */
export abstract class HybridSearchClient extends SearchClient {
  /**
   * A hybrid search: several searches (each of its own vector field, vectors,
   * filter and limit) read at one pinned TSO, their hits fused per query
   * vector by a reranker (RRF by default; hybridRank.ts). A hit's distance is
   * its fused score, larger is better.
   */
  async hybridSearch(collection: string, req: HybridSearchRequest & { aggregation: SearchAggregation }): Promise<AggregatedSearchResult>;
  async hybridSearch(collection: string, req: HybridSearchRequest): Promise<Hit[][]>;
  async hybridSearch(collection: string, req: HybridSearchRequest): Promise<Hit[][] | AggregatedSearchResult> {
    const r = await this.record(collection);
    refuseDenied(r, 'reading');
    if (req.orderByFields !== undefined && req.aggregation !== undefined) throw new ValidationError('a search aggregation orders its buckets itself (order, top_hits.sort): it takes no orderByFields', { field: 'orderByFields' });
    if (req.orderByFields !== undefined) {
      // As a search's: the fused page, read with the ordered fields, reordered by them (orderedReads.ts).
      const order = readOrderBy(req.orderByFields, r.schema);
      const { orderByFields: _, ...plain } = req;
      const asked = req.outputFields ?? [], extra = orderFieldsToAdd(order, asked, [primaryField(r.schema).name]);
      const hits = await this.hybridAt(r, { ...plain, outputFields: [...asked, ...extra] });
      return hits.map((list) => orderHits(list, order, r.schema).map((h) => (extra.length ? { ...h, fields: withoutFields(h.fields, extra) } : h)));
    }
    if (req.aggregation !== undefined) return this.hybridAggregated(r, req, checkAggregation(req.aggregation, r.schema));
    return this.hybridAt(r, req);
  }

  /**
   * A hybrid search aggregated (searchAggregation.ts): the fused hits (the
   * best `limit`, unrounded) are the candidates, `_score` their fused score;
   * round two asks the shards for their partial buckets at the same pinned TSO.
   */
  private async hybridAggregated(r: CollectionRecord, req: HybridSearchRequest, level: AggLevel): Promise<AggregatedSearchResult> {
    const clash = req.groupingField !== undefined ? 'groupingField' : (req.offset ?? 0) !== 0 ? 'offset' : undefined;
    if (clash) throw new ValidationError(`a search aggregation takes no ${clash}: it buckets the hybrid search's best \`limit\` hits itself`, { field: clash });
    const pin = await this.snapshotTso(r, req.consistencyLevel);
    const { aggregation: _a, roundDecimal, outputFields: _o, ...plain } = req;
    const candidates = await this.hybridAt(r, { ...plain, outputFields: [] }, pin);
    return this.aggregateRound(r, { ...(req.outputFields ? { outputFields: req.outputFields } : {}), ...(req.partitionNames ? { partitionNames: req.partitionNames } : {}), ...(req.timezone ? { timezone: req.timezone } : {}) }, level, candidates, pin, roundDecimal);
  }

  /** A hybrid search's fused hits; `pin` reads every search at exactly that TSO (else one pinned now). */
  private async hybridAt(r: CollectionRecord, req: HybridSearchRequest, pinned?: Tso): Promise<Hit[][]> {
    if (!Array.isArray(req.searches) || req.searches.length === 0) throw new ValidationError('hybrid search needs searches: a non-empty list');
    refuseKeys(req, 'a hybrid search');
    req.searches.forEach((s, i) => refuseKeys(s, `searches[${i}] of a hybrid search`, `searches[${i}].ids`));
    if (req.searches.length > MAX_HYBRID_SEARCHES) throw new ValidationError(`hybrid search takes at most ${MAX_HYBRID_SEARCHES} searches, got ${req.searches.length}`);
    if (req.ranker !== undefined && req.rerank !== undefined) throw new ValidationError('a hybrid search takes rerank or ranker, not both', { field: 'ranker' });
    const decay = req.ranker === undefined ? undefined : checkDecayRanker(req.ranker, r.schema);
    const rerank = checkReranker(req.rerank, req.searches.length);
    const limit = req.limit, offset = req.offset ?? 0;
    checkPage(limit, offset);
    const group = groupSpec(req, r.schema);
    if (group && decay) throw new ValidationError('a hybrid search groups with a rerank (rrf or weighted), not a decay ranker', { field: 'groupingField' });
    const nq = req.searches[0]!.data?.length;
    req.searches.forEach((s, i) => { if (structVectorOf(r.schema, s.annsField)) throw new ValidationError(`searches[${i}] names '${s.annsField}': nuthatch fuses no embedding-list search into a hybrid search`, { field: `searches[${i}].annsField` }); });
    req.searches.forEach((s, i) => { if (!Array.isArray(s.data) || s.data.length !== nq) throw new ValidationError(`searches[${i}] holds ${Array.isArray(s.data) ? s.data.length : 'no'} query vectors; every search of a hybrid search needs the same number (${nq})`); });
    const boosts = req.searches.map((s, i) => subSearchBoost(s.ranker, r, s.filterParams, timezoneOf(r, req.timezone), i));
    const pin = pinned ?? await this.snapshotTso(r, req.consistencyLevel);
    const asked = req.outputFields ?? [];
    // A decay ranker's field, or the grouping field, is read with every hit; shown only when asked for.
    const extra = decay?.field ?? group?.field;
    const shown = extra === undefined || asked.includes('*') || asked.includes(extra);
    const outputFields = shown ? req.outputFields : [...asked, extra];
    const grouping = group ? { groupingField: group.field, groupSize: group.size, strictGroupSize: group.strict } : {};
    const lists = await Promise.all(req.searches.map(({ ranker: _, ...s }, i) => this.searchAt(r, {
      ...s, ...grouping, ...(outputFields ? { outputFields } : {}), ...(req.partitionNames ? { partitionNames: req.partitionNames } : {}),
    }, pin, boosts[i])));
    const metrics = req.searches.map((s) => metricOfField(r, annsFieldOf(r.schema, s.annsField).name));
    const distance = rounder(checkRoundDecimal(req.roundDecimal));
    if (decay) {
      return Array.from({ length: nq }, (_, q) => decayFuse(lists.map((l, i) => ({ metric: metrics[i]!, hits: l[q]! })), decay, limit, offset)
        .map((h) => ({ id: h.id, distance: distance(h.distance), fields: shown ? h.fields : withoutFields(h.fields, [decay.field]) })));
    }
    return Array.from({ length: nq }, (_, q) => {
      const ranked = lists.map((l, i) => ({ metric: metrics[i]!, hits: l[q]!.map((h) => ({ pk: h.id, distance: h.distance, h })) }));
      const fused = group ? fuseGroups(ranked, rerank, (x) => x.h.fields[group.field], limit, offset, group.size) : fuse(ranked, rerank, limit, offset);
      return fused.map((f) => ({ id: f.pk, distance: distance(f.score), fields: shown ? f.hit.h.fields : withoutFields(f.hit.h.fields, [extra!]) }));
    });
  }
}

/** A hybrid sub-search's boost functions, checked (Milvus ranks a sub-request by Boost Rankers only; the fusion is the reranker's). */
function subSearchBoost(ranker: unknown, r: CollectionRecord, filterParams: SearchRequest['filterParams'], timezone: string | undefined, i: number): ShardBoost | undefined {
  if (ranker === undefined) return undefined;
  try {
    const { boost, decay } = checkSearchRanker(ranker, r.schema, filterParams, timezone);
    if (decay) throw new ValidationError('a hybrid search ranks a search by boost functions only: a decay ranker goes in the hybrid search\'s own ranker', { field: 'ranker' });
    return boost;
  } catch (e) {
    if (!(e instanceof ValidationError)) throw e;
    throw new ValidationError(`searches[${i}]: ${e.message}`, { ...e.info, field: `searches[${i}].${typeof e.info.field === 'string' ? e.info.field : 'ranker'}` });
  }
}
