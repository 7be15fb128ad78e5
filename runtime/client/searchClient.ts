import { readOrderBy } from '../../messages/orderBy.js';
import { orderFieldsToAdd, orderHits, withoutFields } from './orderedReads.js';
import { ValidationError } from '../../messages/errors.js';
import type { CollectionRecord } from '../../messages/rpc/records.js';
import { annsFieldOf, primaryField } from '../../messages/schema.js';
import { type Tso } from '../../messages/types.js';
import { analyzerNameOf } from './sparseQueries.js';
import { metricOfField } from '../../actors/shared/vector/fieldMetric.js';
import { bm25FunctionOf } from '../../messages/schemaFunctions.js';
import { aggregateCandidates, refuseAggregationOptions } from './searchAggregation.js';
import { aggregationFields, checkAggregation, type AggLevel, type SearchAggregation } from '../../messages/searchAggregation.js';
import { type Hit, type ReadOptions, type SearchRequest, type AggregatedSearchResult } from './api.js';
import { decayRerank, type CheckedDecay } from './decayRanker.js';
import { checkSearchRanker } from './functionScore.js';
import type { ShardBoost } from '../../messages/boostRanker.js';
import { checkHighlighter, highlightedFields, highlightHit } from './highlighter.js';
import { checkRoundDecimal, rounder } from './searchOptions.js';
import { refuseEmbListOptions } from './embListSearch.js';
import { structVectorOf } from '../../messages/structArray.js';
import { checkKeySearch, keyedFilter, queriesOf, querySourceOf } from './primaryKeySearch.js';
import { readPlan, shapeRow } from './readPlan.js';
import { refuseDenied, timezoneOf } from './recordChecks.js';
import { ShardSearchClient } from './shardSearch.js';

/** Searches as the user asks them: by vectors or primary keys, ordered, aggregated, highlighted or re-ranked by decay. */
export abstract class SearchClient extends ShardSearchClient {
  async search(collection: string, req: SearchRequest & { aggregation: SearchAggregation }): Promise<AggregatedSearchResult>;
  async search(collection: string, req: SearchRequest): Promise<Hit[][]>;
  async search(collection: string, req: SearchRequest): Promise<Hit[][] | AggregatedSearchResult> {
    const r = await this.record(collection);
    refuseDenied(r, 'reading');
    if (req.orderByFields !== undefined && req.aggregation !== undefined) throw new ValidationError('a search aggregation orders its buckets itself (order, top_hits.sort): it takes no orderByFields', { field: 'orderByFields' });
    if (querySourceOf(req) === 'data') return this.searchOf(r, req);
    // A primary-key search (primaryKeySearch.ts): the rows read by key, then searched with, at one guarantee TSO.
    const keyed = checkKeySearch(r.schema, req);
    const guaranteed = await this.guarantee(r, req.consistencyLevel);
    const data = await this.keyedQueries(r, keyed, req.partitionNames, guaranteed);
    const { ids: _, ...rest } = req;
    return this.searchOf(r, { ...rest, data: data as NonNullable<SearchRequest['data']> }, guaranteed);
  }

  /**
   * A search of its `data`; `guaranteed` given, every read of it waits for
   * that TSO (a primary-key search's, taken once for its keyed read and its search).
   */
  private async searchOf(r: CollectionRecord, req: SearchRequest, guaranteed?: Tso): Promise<Hit[][] | AggregatedSearchResult> {
    if (req.orderByFields !== undefined) {
      // The page of hits, read with the ordered fields, then reordered by them (orderedReads.ts).
      const order = readOrderBy(req.orderByFields, r.schema);
      const { orderByFields: _, ...plain } = req;
      const asked = req.outputFields ?? [], extra = orderFieldsToAdd(order, asked, [primaryField(r.schema).name]);
      const hits = await this.searchOf(r, { ...plain, outputFields: [...asked, ...extra] }, guaranteed) as Hit[][];
      return hits.map((list) => orderHits(list, order, r.schema).map((h) => (extra.length ? { ...h, fields: withoutFields(h.fields, extra) } : h)));
    }
    if (structVectorOf(r.schema, req.annsField)) refuseEmbListOptions(req, req.annsField!);
    const level = req.aggregation === undefined ? undefined : checkAggregation(req.aggregation, r.schema);
    if (level) refuseAggregationOptions(req);
    if (level) return this.aggregated(r, req, level, guaranteed);
    if (req.highlighter !== undefined) return this.highlighted(r, req, guaranteed);
    if (req.ranker === undefined) return this.searchAt(r, req, undefined, undefined, guaranteed);
    const { boost, decay } = checkSearchRanker(req.ranker, r.schema, req.filterParams, timezoneOf(r, req.timezone));
    if (boost && req.groupingField !== undefined) throw new ValidationError('a boost ranker cannot rank a grouping search (as in Milvus)', { field: 'ranker' });
    return decay ? this.decayRanked(r, req, decay, boost, guaranteed) : this.searchAt(r, req, undefined, boost, guaranteed);
  }

  /**
   * A search aggregation (searchAggregation.ts): the plain search ranks the
   * candidates, then every shard returns the partial buckets of its candidate
   * rows, both rounds at one pinned TSO; the client merges and orders them.
   */
  protected async aggregated(r: CollectionRecord, req: SearchRequest, level: AggLevel, guaranteed?: Tso): Promise<AggregatedSearchResult> {
    const pin = await this.snapshotTso(r, req.consistencyLevel, guaranteed);
    const { aggregation: _a, roundDecimal, ...plain } = req;
    const candidates = await this.searchAt(r, { ...plain, outputFields: [] }, pin);
    return this.aggregateRound(r, req, level, candidates, pin, roundDecimal);
  }

  /**
   * Round two of a search aggregation, a plain or a hybrid search's: every
   * shard's partial buckets of the candidates' rows at `pin`, merged, ordered
   * and cut; `read` names the output fields shown with top hits and the partitions.
   */
  protected async aggregateRound(r: CollectionRecord, read: ReadOptions, level: AggLevel, candidates: Hit[][], pin: Tso, roundDecimal?: number): Promise<AggregatedSearchResult> {
    const shown = read.outputFields ?? [];
    const plan = readPlan(r, { ...read, outputFields: [...shown, ...aggregationFields(level)] });
    const round = rounder(checkRoundDecimal(roundDecimal));
    const showPlan = readPlan(r, { ...read, outputFields: shown });
    const agg_buckets = await aggregateCandidates(candidates, {
      level, pkName: plan.pk.name,
      askShards: (filter, aggregate) => Promise.all(r.vchannels.map((vchannel) => this.onReplica(vchannel, 'query', {
        vchannel, collectionId: r.collectionId, filter, partitionIds: plan.partitionIds, outputFields: plan.fields,
        limit: 0, guaranteeTso: pin, mvccTso: pin, aggregate,
      }))),
      hit: (h) => ({
        pk: h.pk, score: round(h.score),
        fields: shapeRow({ pk: h.pk, distance: h.score, fields: pick(h.fields, showPlan.fields) }, plan.pk.name, showPlan.dynamic, shown, r.schema, plan.tz, showPlan.subPaths),
      }),
    });
    return { agg_buckets };
  }

  /**
   * A search whose hits carry highlights (highlighter.ts): the highlighted
   * text fields read with the hits (shown only when asked for), then their
   * terms tagged in fragments under each hit's `highlight`.
   */
  private async highlighted(r: CollectionRecord, req: SearchRequest, guaranteed?: Tso): Promise<Hit[][]> {
    const field = annsFieldOf(r.schema, req.annsField);
    const h = checkHighlighter(req.highlighter, r.schema, bm25FunctionOf(r.schema, field.name)?.inputFieldNames[0], analyzerNameOf(req.searchParams));
    const asked = req.outputFields ?? [];
    const extra = highlightedFields(h).filter((f) => !asked.includes('*') && !asked.includes(f));
    const { highlighter: _h, ...plain } = req;
    const hits = await this.searchOf(r, { ...plain, outputFields: [...asked, ...extra] }, guaranteed) as Hit[][];
    return hits.map((list, q) => list.map((hit) => {
      const text = req.data?.[q];
      const highlight = highlightHit(h, hit.fields, typeof text === 'string' ? text : undefined);
      const fields = extra.length === 0 ? hit.fields : Object.fromEntries(Object.entries(hit.fields).filter(([k]) => !extra.includes(k)));
      return { ...hit, fields, highlight };
    }));
  }

  /**
   * A search re-ranked by a decay ranker (decayRanker.ts): the search's hits,
   * read with the ranker's field (boosted on the servers first when the
   * ranker is a FunctionScore with boost functions), scored again, then paged.
   */
  private async decayRanked(r: CollectionRecord, req: SearchRequest, d: CheckedDecay, boost?: ShardBoost, guaranteed?: Tso): Promise<Hit[][]> {
    if (req.groupingField !== undefined) throw new ValidationError('a decay ranker cannot rank a grouping search (as in Milvus)', { field: 'ranker' });
    const offset = req.offset ?? 0;
    const asked = req.outputFields ?? [];
    const wanted = asked.includes('*') || asked.includes(d.field);
    const all = await this.searchAt(r, { ...req, offset: 0, limit: req.limit + offset, outputFields: wanted ? asked : [...asked, d.field] }, undefined, boost, guaranteed);
    const metric = metricOfField(r, annsFieldOf(r.schema, req.annsField).name);
    return all.map((hits) => decayRerank(hits, d, metric).slice(offset, offset + req.limit).map((h) => (wanted ? h : { ...h, fields: withoutFields(h.fields, [d.field]) })));
  }

  /**
   * A primary-key search's keyed read (primaryKeySearch.ts): the `annsField`
   * vectors of the rows the keys name, in the partitions the search reads,
   * waiting for the search's guarantee TSO (growing and sealed rows, deletes
   * applied), as a get reads them; then the queries, in the keys' order.
   */
  private async keyedQueries(r: CollectionRecord, { field, pk, ids }: ReturnType<typeof checkKeySearch>, partitionNames: string[] | undefined, guaranteeTso: Tso): Promise<unknown[]> {
    const partitions = partitionNames ? { partitionNames } : {};
    const plan = readPlan(r, { ...keyedFilter(pk.name, ids), outputFields: [field.name], ...partitions });
    const results = await this.queryShards(r, plan, { limit: 0, countOnly: false, guaranteeTso });
    const rows = results.flatMap((x) => x.rows).map((row) => shapeRow(row, pk.name, [], [field.name], r.schema, plan.tz));
    return queriesOf(ids, rows, pk.name, field.name, r.name);
  }
}

/** The named fields of a row only. */
const pick = (fields: Record<string, unknown>, names: readonly string[]) => Object.fromEntries(names.filter((n) => n in fields).map((n) => [n, fields[n]]));
