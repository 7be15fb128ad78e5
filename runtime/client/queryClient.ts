import { orderedHit, parseOrderBy, readOrderBy, type OrderCursor, type OrderKey } from '../../messages/orderBy.js';
import { mergeOrdered } from '../../actors/shared/segment/orderedRows.js';
import { orderFieldsToAdd, withoutFields } from './orderedReads.js';
import { ValidationError } from '../../messages/errors.js';
import type { CollectionRecord } from '../../messages/rpc/records.js';
import { LIMITS, primaryField, type PrimaryKey } from '../../messages/schema.js';
import { type Tso } from '../../messages/types.js';
import { fieldAnalyzer, textAnalysis } from '../../messages/analyzer.js';
import { ANALYZER_VERSION } from '../../messages/text/analyzerParams.js';
import { analyzerNamesOf, analyzerTexts, analyzeTexts } from './runAnalyzer.js';
import { firstOnPage } from '../../actors/shared/segment/pkOrder.js';
import { type QueryRequest, type ReadOptions, type RowObject, type RunAnalyzerOptions, type AnalyzerToken } from './api.js';
import { readPlan, shapeRow, type ReadPlan } from './readPlan.js';
import { aggregateCall, isCountOnly, queryAggregation } from '../../messages/queryAggregation.js';
import { BucketFold } from '../../actors/shared/aggregation/bucketFold.js';
import { aggregationFields, type AggLevel } from '../../messages/searchAggregation.js';
import { aggregatedRows } from '../../actors/shared/aggregation/queryAnswer.js';
import { refuseDenied } from './recordChecks.js';
import { ClientBase } from './clientBase.js';

/** Queries: filtered reads of rows, their shard round, get by key, and run_analyzer. */
export abstract class QueryClient extends ClientBase {
  async query(collection: string, req: QueryRequest): Promise<RowObject[]> {
    refuseDenied(await this.record(collection), 'reading');
    return this.queryPartitions(collection, req);
  }

  /** A query; `partitionIds` given, of those partitions whatever the request names (a partition's row count); `at` given, read at exactly that TSO. */
  protected async queryPartitions(collection: string, req: QueryRequest, partitionIds?: number[], at?: Tso): Promise<RowObject[]> {
    const r = await this.record(collection);
    const aggregating = req.groupByFields?.length || (req.outputFields ?? []).some((f) => aggregateCall(f) !== null);
    const agg = queryAggregation(r.schema, req.outputFields, req.groupByFields, aggregating ? parseOrderBy(req.orderByFields) : []);
    // count(*) alone: the shards count, no bucket is made.
    const count = agg !== null && isCountOnly(agg);
    const plan = readPlan(r, { ...req, outputFields: agg ? aggregationFields(agg.level) : req.outputFields ?? [] }, partitionIds);
    const limit = req.limit ?? 0, offset = req.offset ?? 0;
    if (!Number.isInteger(limit) || limit < 0 || limit > LIMITS.maxTopK) throw new ValidationError(`limit must be an integer in 0..${LIMITS.maxTopK}`);
    if (!Number.isInteger(offset) || offset < 0) throw new ValidationError('offset must be a non-negative integer');
    if (!agg && !plan.filter && limit === 0) throw new ValidationError('a query needs a filter or a limit');
    const order = agg ? [] : readOrderBy(req.orderByFields, r.schema);
    if (count && agg.order.length > 0) throw new ValidationError('count(*) over every row is one row: it takes no orderByFields', { field: 'orderByFields' });
    if (agg && !count) {
      const results = await this.queryShards(r, plan, { limit: 0, guaranteeTso: at ?? await this.guarantee(r, req.consistencyLevel), countOnly: false, groups: agg.level, ...(at === undefined ? {} : { mvccTso: at }) });
      const fold = new BucketFold(agg.level, plan.pk.name);
      for (const x of results) if (x.groups) fold.addPacked(x.groups);
      return aggregatedRows(fold.all(), agg, r.schema, plan.tz, limit, offset);
    }
    // The shards merge by the ordered fields' values: they are read as output fields, and dropped before the rows are shown.
    const extra = orderFieldsToAdd(order, plan.fields);
    const read = extra.length ? { ...plan, fields: [...plan.fields, ...extra] } : plan;
    const guaranteeTso = at ?? await this.guarantee(r, req.consistencyLevel);
    const page = limit > 0 ? limit + offset : 0;
    const results = await this.queryShards(r, read, { limit: page, guaranteeTso, countOnly: count, ...(at === undefined ? {} : { mvccTso: at }), ...(order.length ? { orderBy: order } : {}) });
    if (count) return [{ 'count(*)': results.reduce((n, x) => n + x.count, 0) }];
    const rows = order.length
      ? mergeOrdered(results.map((x) => x.rows.map(orderedHit(order))), page, order).map(({ values: _, ...h }) => (extra.length ? { ...h, fields: withoutFields(h.fields, extra) } : h))
      : firstOnPage(results.flatMap((x) => x.rows), page);
    return rows.slice(offset).map((row) => shapeRow(row, plan.pk.name, plan.dynamic, req.outputFields ?? [], r.schema, plan.tz, plan.subPaths));
  }

  /** One query on every shard; with `mvccTso`, each reads at exactly that TSO. */
  protected queryShards(r: CollectionRecord, plan: ReadPlan, o: { limit: number; after?: PrimaryKey; countOnly: boolean; guaranteeTso: Tso; mvccTso?: Tso; orderBy?: OrderKey[]; orderAfter?: OrderCursor; groups?: AggLevel }) {
    return Promise.all(r.vchannels.map((vchannel) => this.onReplica(vchannel, 'query', {
      vchannel, collectionId: r.collectionId, filter: plan.filter, partitionIds: plan.partitionIds, outputFields: plan.fields,
      limit: o.limit, guaranteeTso: o.guaranteeTso, countOnly: o.countOnly, ...(o.orderBy ? { orderBy: o.orderBy } : {}), ...(o.orderAfter ? { orderAfter: o.orderAfter } : {}),
      ...(o.after !== undefined ? { after: o.after } : {}), ...(o.mvccTso !== undefined ? { mvccTso: o.mvccTso } : {}), ...(o.groups ? { groups: o.groups } : {}),
    })));
  }

  async get(collection: string, ids: PrimaryKey[], opts: ReadOptions = {}): Promise<RowObject[]> {
    const r = await this.record(collection);
    if (!Array.isArray(ids) || ids.length === 0) throw new ValidationError('get needs a non-empty list of ids');
    const pk = primaryField(r.schema);
    for (const k of ids) if (pk.dataType === 'Int64' ? !(typeof k === 'number' && Number.isSafeInteger(k)) : typeof k !== 'string') throw new ValidationError(`ids must be ${pk.dataType === 'Int64' ? 'integers' : 'strings'}`);
    const filter = `${pk.name} in [${ids.map((k) => JSON.stringify(k)).join(', ')}]`;
    return this.query(collection, { ...opts, filter, limit: 0, consistencyLevel: opts.consistencyLevel ?? 'Strong' });
  }

  /**
   * Milvus's run_analyzer: what an analyzer makes of each text, for trying
   * analyzer_params before a collection uses them, or seeing what a field's
   * analyzer does (`collectionName` and `fieldName`). Plain terms, or with
   * `withDetail` each term's offsets in the text and position, and with
   * `withHash` its sparse index (the BM25 term hash).
   */
  async runAnalyzer(texts: string | string[], opts: RunAnalyzerOptions = {}): Promise<Array<string[] | AnalyzerToken[]>> {
    const list = analyzerTexts(texts);
    if ((opts.collectionName === undefined) !== (opts.fieldName === undefined)) throw new ValidationError('runAnalyzer takes collectionName and fieldName together');
    // Params tried outside a collection run at the current analyzer revision, as a collection created with them would.
    if (opts.collectionName === undefined) {
      if (opts.analyzerNames !== undefined) throw new ValidationError('runAnalyzer takes analyzerNames with a field of multi_analyzer_params (collectionName and fieldName)', { field: 'analyzer_names' });
      const analyzer = fieldAnalyzer(opts.analyzerParams === undefined ? undefined : { analyzerParams: opts.analyzerParams, analyzerVersion: ANALYZER_VERSION });
      return analyzeTexts(list, () => analyzer, opts);
    }
    if (opts.analyzerParams !== undefined) throw new ValidationError('runAnalyzer takes analyzerParams or a field, not both');
    const schema = (await this.record(opts.collectionName)).schema;
    const f = schema.fields.find((x) => x.name === opts.fieldName);
    if (!f || f.enableAnalyzer !== true) throw new ValidationError(`'${opts.fieldName}' is not a VarChar field with enable_analyzer of '${opts.collectionName}'`, { field: 'fieldName' });
    const analysis = textAnalysis(schema, f.name), names = analyzerNamesOf(opts.analyzerNames, list.length);
    return analyzeTexts(list, (i) => analysis.named(names?.[i]), opts);
  }
}
