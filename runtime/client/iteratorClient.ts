import { checkOrderCursor, orderedHit, readOrderBy } from '../../messages/orderBy.js';
import { mergeOrdered } from '../../actors/shared/segment/orderedRows.js';
import { orderFieldsToAdd, withoutFields } from './orderedReads.js';
import { ValidationError } from '../../messages/errors.js';
import type { HitRow } from '../../messages/rpc/records.js';
import { annsFieldOf } from '../../messages/schema.js';
import type { Expr } from '../../messages/filter/ast.js';
import { mergeHits } from '../../actors/shared/vector/topK.js';
import { bm25AnalyzerOf } from './sparseQueries.js';
import { metricOfField } from '../../actors/shared/vector/fieldMetric.js';
import { bm25FunctionOf } from '../../messages/schemaFunctions.js';
import { encodeSparse } from '../../messages/sparse.js';
import { sparseQueryVectors } from './sparseQueries.js';
import type { DistanceRange } from '../../actors/shared/vector/distanceRange.js';
import { firstOnPage } from '../../actors/shared/segment/pkOrder.js';
import { type RowObject } from './api.js';
import { denseQueries, searchOptions } from './searchOptions.js';
import { structVectorOf } from '../../messages/structArray.js';
import { iteratorSizes } from './batchIterator.js';
import { checkPosition, QueryIterator, type IteratorCursor, type QueryIteratorRequest } from './queryIterator.js';
import { SearchIterator, type SearchIteratorRequest } from './searchIterator.js';
import { refuseKeys } from './primaryKeySearch.js';
import { refuseUnisolated } from './keyRouting.js';
import { readPlan, shapeRow } from './readPlan.js';
import { aggregateCall } from '../../messages/queryAggregation.js';
import { refuseDenied } from './recordChecks.js';
import { HybridSearchClient } from './hybridClient.js';

/** Query and search iterators: batch after batch at one snapshot held by a lease. */
export abstract class IteratorClient extends HybridSearchClient {
  /**
   * Rows in primary-key order (or with `orderByFields` in that order), batch
   * by batch, all read at one TSO pinned now (queryIterator.ts). A `resume`
   * position continues another iterator's walk.
   */
  async queryIterator(collection: string, req: QueryIteratorRequest): Promise<QueryIterator> {
    const r = await this.record(collection);
    refuseDenied(r, 'reading');
    const { batchSize, limit } = iteratorSizes(req.batchSize, req.limit);
    const aggregate = (req.outputFields ?? []).find((f) => aggregateCall(f) !== null);
    if (aggregate !== undefined) throw new ValidationError(`a query iterator returns rows: ${aggregate} is not an output field of it`, { field: 'outputFields' });
    const order = readOrderBy(req.orderByFields, r.schema);
    const plan = readPlan(r, req);
    const resume = req.resume;
    if (resume !== undefined) checkPosition(resume, plan.pk.dataType, order);
    if (resume?.after !== undefined && order.length > 0) checkOrderCursor({ values: resume.afterValues, pk: resume.after }, order, r.schema);
    const snapshotTso = resume?.snapshotTso ?? await this.snapshotTso(r, req.consistencyLevel);
    const lease = this.snapshotLease(r, snapshotTso, resume?.holdId);
    const pinned = { countOnly: false, guaranteeTso: snapshotTso, mvccTso: snapshotTso };
    const shape = (row: HitRow) => shapeRow(row, plan.pk.name, plan.dynamic, req.outputFields ?? [], r.schema, plan.tz, plan.subPaths);
    const hold = () => lease.holdId;
    if (order.length === 0) {
      const rowsAfter = async ({ after }: IteratorCursor, n: number) => {
        await lease.renew();
        const results = await this.queryShards(r, plan, { limit: n, ...(after !== undefined ? { after } : {}), ...pinned });
        return firstOnPage(results.flatMap((x) => x.rows), n).map(shape);
      };
      return new QueryIterator(rowsAfter, plan.pk.name, batchSize, limit, snapshotTso, resume, hold).onFinish(() => lease.end());
    }
    // An ordered walk: each page is the first n rows past the last one's (values, key), merged over shards as an ordered query's.
    const extra = orderFieldsToAdd(order, plan.fields);
    const read = extra.length ? { ...plan, fields: [...plan.fields, ...extra] } : plan;
    // Rows are shown shaped (a Timestamptz as text, fields dropped): the cursor keeps the values the shards compare.
    const cursors = new WeakMap<RowObject, IteratorCursor>();
    const rowsAfter = async ({ after, afterValues }: IteratorCursor, n: number) => {
      await lease.renew();
      const orderAfter = after === undefined ? {} : { orderAfter: { values: afterValues ?? [], pk: after } };
      const results = await this.queryShards(r, read, { limit: n, orderBy: order, ...orderAfter, ...pinned });
      return mergeOrdered(results.map((x) => x.rows.map(orderedHit(order))), n, order).map(({ values, ...h }) => {
        const row = shape(extra.length ? { ...h, fields: withoutFields(h.fields, extra) } : h);
        cursors.set(row, { after: h.pk, afterValues: values as unknown[] });
        return row;
      });
    };
    return new QueryIterator(rowsAfter, (row) => cursors.get(row)!, batchSize, limit, snapshotTso, resume, hold, order).onFinish(() => lease.end());
  }

  /**
   * Hits of one vector, best first, batch by batch, each hit once, all read at
   * one TSO pinned now: each batch a range search past the last (searchIterator.ts).
   */
  async searchIterator(collection: string, req: SearchIteratorRequest): Promise<SearchIterator> {
    const r = await this.record(collection);
    refuseDenied(r, 'reading');
    refuseKeys(req, 'a search iterator');
    const { batchSize, limit } = iteratorSizes(req.batchSize, req.limit);
    const plan = readPlan(r, req);
    refuseUnisolated(r, plan.checked);
    if (structVectorOf(r.schema, req.annsField)) throw new ValidationError(`a search iterator cannot read embedding lists ('${req.annsField}')`, { field: 'annsField' });
    const field = annsFieldOf(r.schema, req.annsField), metric = metricOfField(r, field.name);
    const anns = field.name === plan.vf?.name ? {} : { annsField: field.name };
    const sparseField = field.dataType === 'SparseFloatVector';
    const bm25 = sparseField && bm25FunctionOf(r.schema, field.name) !== undefined;
    const sparseQueries = sparseField ? sparseQueryVectors([req.vector], field.name, bm25, bm25AnalyzerOf(r.schema, field.name)) : undefined;
    const queries = sparseField ? new Float32Array(0) : denseQueries(field, [req.vector as number[]]);
    // The index's knobs go with every batch, as a search's do (reorder_k at least each batch's k).
    const { ef, nprobe, rbqQueryBits, refineK, reorderK, range } = searchOptions({ data: [], limit: 1, searchParams: { params: req.params ?? {} } }, metric, r.schema);
    const snapshotTso = await this.snapshotTso(r, req.consistencyLevel);
    const lease = this.snapshotLease(r, snapshotTso);
    // A sparse field's queries (and a BM25 field's counts, taken once at the pinned TSO) go with every batch.
    const sparse = sparseQueries && {
      queries: sparseQueries.map(encodeSparse),
      ...(bm25 ? { bm25: await this.bm25Counts(r, field, sparseQueries, { collectionId: r.collectionId, annsField: field.name, partitionIds: plan.partitionIds, guaranteeTso: snapshotTso, mvccTso: snapshotTso }) } : {}),
    };
    const search = async (k: number, bounds: DistanceRange | undefined, filter: Expr | null) => {
      await lease.renew();
      const perShard = await Promise.all(r.vchannels.map((vchannel) => this.onReplica(vchannel, 'search', {
        vchannel, collectionId: r.collectionId, queries, ...anns, ...(sparse ? { sparse } : {}), nq: 1, k, ef, nprobe, rbqQueryBits, refineK,
        ...(reorderK !== undefined ? { reorderK: Math.max(reorderK, k) } : {}), filter, partitionIds: plan.partitionIds, outputFields: plan.fields,
        guaranteeTso: snapshotTso, mvccTso: snapshotTso, ...(bounds ? { range: bounds } : {}),
      })));
      return mergeHits(perShard.map((x) => x.hits[0] ?? []), k, metric)
        .map((h) => ({ id: h.pk, distance: h.distance, fields: shapeRow(h, plan.pk.name, plan.dynamic, req.outputFields ?? [], r.schema, plan.tz, plan.subPaths) }));
    };
    return new SearchIterator(search, metric, plan.pk.name, plan.filter, range, batchSize, limit, snapshotTso).onFinish(() => lease.end());
  }
}
