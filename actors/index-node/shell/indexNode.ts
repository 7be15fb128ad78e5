import { fieldVectors, packedBlock, presentRows } from '../../shared/vector/vectorColumn.js';
import { embListBlock, embListPath, isEmbListMetric, pairMetric, subVectors } from '../../shared/vector/maxSim.js';
import { isPackedVectorType, type PackedVectorType } from '../../../messages/packedVectors.js';
import { NuthatchError, ValidationError } from '../../../messages/errors.js';
import { isScalarIndexType, shapeOf, type IndexedShape } from '../../shared/scalarIndex/scalarIndexTypes.js';
import { encodeScalarIndex } from '../../shared/scalarIndex/scalarIndexFile.js';
import { buildSortedIndex, type SortedIndex } from '../../shared/scalarIndex/sortedIndex.js';
import { buildNgramIndex, gramRangeOf } from '../../shared/scalarIndex/ngramIndex.js';
import { buildRTreeIndex } from '../../shared/scalarIndex/rtree.js';
import { castColumn, indexFileName, isJsonPathIndex, jsonIndexTarget } from '../../shared/scalarIndex/jsonIndex.js';
import { INDEX_NODE_SUBJECT, indexNodeSubject, indexNodeChecks, type IndexNodeProtocol } from '../../../messages/rpc/workers.js';
import type { Bus, BusSubscription } from '../../../runtime/ports/bus.js';
import type { MetaStore } from '../../../runtime/ports/metaStore.js';
import { holdWorkerSession } from '../../../runtime/rpc/workerSession.js';
import type { ObjectStore } from '../../../runtime/ports/objectStore.js';
import type { IndexParams } from '../../../messages/types.js';
import { factoryOf, type IndexBuildParams, type VectorIndexFactories } from '../../../runtime/vectorIndex/vectorIndex.js';
import { client, serveProtocol, type Handlers } from '../../../runtime/rpc/typedBus.js';
import { decodeSegmentFile, type SealedSegment } from '../../shared/segment/segmentFile.js';
import { indexKeyOf } from '../../shared/segment/segmentKeys.js';
import { measure, type Operation } from '../../../runtime/metrics/operation.js';
import type { MetricsRegistry } from '../../../runtime/metrics/registry.js';
import { indexBuildMetrics } from './indexNodeMetrics.js';

export interface IndexNodeOptions {
  /**
   * Where the node holds its session (`sessions/index-node/<nodeId>`, leased): the coordinator sends it tasks on its own
   * subject while it lives and moves them to another node when it dies. Absent: tasks reach it from the queue group only.
   */
  meta?: MetaStore;
  /** TTL of the session lease (default 10 s): how long after a crash its tasks go elsewhere. */
  sessionTtlMs?: number;
  nodeId: string; bus: Bus; objects: ObjectStore;
  /** The index types this node builds, by type (runtime/vectorIndex/vectorIndexes.ts). */
  indexes: VectorIndexFactories;
  log?: (...a: unknown[]) => void;
  /** Where the node's metrics go (the process's registry); kept privately when absent. */
  metrics?: MetricsRegistry;
}

/** The index node: builds an index of a persisted segment (ANN or scalar) and stores it beside the data. */
export class IndexNode {
  private subs: BusSubscription[] = [];
  private session?: { end(): Promise<void> };
  private busy = Promise.resolve();
  private readonly builds: Operation;
  constructor(private readonly opts: IndexNodeOptions) { this.builds = indexBuildMetrics(opts.nodeId, opts.metrics); }

  /** Serves the queue group and the node's own subject, then registers the session (with `meta`). */
  async start(): Promise<void> {
    const handlers: Handlers<IndexNodeProtocol> = {
      // Builds are CPU-heavy: one at a time per node, the rest wait their turn.
      buildIndex: (t) => { const run = this.busy.then(() => measure(this.builds, () => this.build(t))); this.busy = run.then(() => {}, () => {}); return run; },
    };
    this.subs = [
      serveProtocol<IndexNodeProtocol>(this.opts.bus, INDEX_NODE_SUBJECT, indexNodeChecks, handlers, { queue: 'in' }),
      serveProtocol<IndexNodeProtocol>(this.opts.bus, indexNodeSubject(this.opts.nodeId), indexNodeChecks, handlers),
    ];
    if (this.opts.meta) this.session = await holdWorkerSession(this.opts.meta, 'index-node', this.opts.nodeId, this.opts.sessionTtlMs ?? 10_000, this.opts.log);
  }

  private async build(t: IndexNodeProtocol['buildIndex']['req']): Promise<{ key: string }> {
    const bytes = await this.opts.objects.get(t.dataKey);
    if (!bytes) throw new NuthatchError('NotFound', `segment data ${t.dataKey} is missing`);
    const seg = decodeSegmentFile(bytes);
    const started = Date.now();
    const key = indexKeyOf(t.dataKey, indexFileName(t.index), t.index.indexType);
    await this.opts.objects.put(key, isScalarIndexType(t.index.indexType) ? scalarIndexFile(seg, t) : await this.vectorIndexFile(seg, t));
    this.opts.log?.(`${t.index.indexType} index ${t.index.indexName} of segment ${t.segmentId} (${seg.count} rows) built in ${Date.now() - started} ms`);
    return { key };
  }

  private async vectorIndexFile(seg: SealedSegment, t: IndexNodeProtocol['buildIndex']['req']): Promise<Uint8Array> {
    if (!t.index.metricType) throw new ValidationError(`vector index ${t.index.indexName} has no metric type`);
    // A Struct's vector sub-field: one graph over every element's vector, by the MAX_SIM metric's pair metric (shared/vector/maxSim.ts).
    const path = embListPath(t.index.fieldName);
    if (path && isEmbListMetric(t.index.metricType)) {
      const column = seg.fields[path.field];
      const dim = (column?.flatMap((v) => subVectors(v, path.sub) ?? [])[0])?.length ?? 1;
      const { vectors } = embListBlock(column, seg.count, path.sub, dim);
      const index = await factoryOf(this.opts.indexes, t.index.indexType).build(vectors, dim, pairMetric(t.index.metricType), buildParamsOf(t.index));
      return index.serialize();
    }
    // The first vector field is the file's block; any other is a column of its own (shared/vector/vectorColumn.ts).
    // A packed field (Float16Vector, BinaryVector, ...) is widened to float32 by its type and dim, which the field's schema gives.
    const packed = t.field && isPackedVectorType(t.field.dataType) ? t.field : undefined;
    const factory = factoryOf(this.opts.indexes, t.index.indexType);
    // A nullable field's rows holding no vector are left out (Milvus 2.6): the index maps its rows back (runtime/vectorIndex/rowMappedIndex.ts).
    // A segment older than an added field has no column: none of its rows is indexed.
    const nullable = t.field?.nullable === true && t.field.name === t.index.fieldName;
    // A binary field's bits go packed to a factory that takes them so (MINHASH_LSH): long signatures are never widened 32-fold.
    if (!nullable && packed?.dataType === 'BinaryVector' && factory.buildBits && t.index.fieldName in seg.fields) {
      const bits = packedBlock(seg.fields[t.index.fieldName]!, seg.count, packed.dim! / 8);
      return (await factory.buildBits(bits, packed.dim!, t.index.metricType, buildParamsOf(t.index))).serialize();
    }
    const rows = nullable ? presentRows(seg.fields[t.index.fieldName], seg.count) : undefined;
    const { vectors, dim } = nullable && !(t.index.fieldName in seg.fields)
      ? { vectors: new Float32Array(0), dim: t.field!.dim! }
      : fieldVectors(seg, t.index.fieldName in seg.fields ? t.index.fieldName : undefined, t.field?.nullable ? t.field.dim : packed?.dim, packed ? t.field!.dataType as PackedVectorType : undefined);
    // Under partition key isolation, one sub-index per key value the segment holds (runtime/vectorIndex/keyedIndex.ts).
    const groups = t.partitionKey ? keyGroups(seg.fields[t.partitionKey.name], rows ?? seg.count) : undefined;
    // The field's type lets an index keep a half field's vectors at their own width (DISKANN's records).
    const vectorType = packed ? { vectorType: packed.dataType } : {};
    const index = await factory.build(vectors, dim, t.index.metricType, { ...buildParamsOf(t.index), ...vectorType, ...(rows ? { rows } : {}), ...(groups ? { groups } : {}) });
    return index.serialize();
  }

  async stop(): Promise<void> {
    for (const s of this.subs) s.unsubscribe();
    this.subs = [];
    await this.session?.end();
  }
}
export { client };

/** A scalar index of the field's column (the primary key's is the key column; a nullable field's absent column is all null), or of a JSON path. */
function scalarIndexFile(seg: SealedSegment, t: IndexNodeProtocol['buildIndex']['req']): Uint8Array {
  if (isJsonPathIndex(t.index)) {
    // A JSON field's column, or `$meta` for a dynamic key (no field); the values at the path that cast.
    const target = jsonIndexTarget(t.index, t.field && t.field.name === t.index.fieldName ? t.field : undefined);
    return encodeScalarIndex(build(t.index, castColumn(seg.fields[target.column], seg.count, target), seg.count, target.shape));
  }
  const shape = t.field && t.field.name === t.index.fieldName ? shapeOf(t.field) : undefined;
  if (!shape) throw new ValidationError(`scalar index ${t.index.indexName} needs the schema of field '${t.index.fieldName}', a field it can index`);
  const column = t.field!.isPrimary ? seg.pks : seg.fields[t.field!.name];
  return encodeScalarIndex(build(t.index, column, seg.count, shape));
}

/** NGRAM indexes a column's n-grams, RTREE its geometries' boxes; every other scalar type its values. */
function build(index: IndexParams, column: ArrayLike<unknown> | undefined, count: number, shape: IndexedShape): SortedIndex {
  if (index.indexType === 'RTREE') return buildRTreeIndex(column, count, shape);
  return index.indexType === 'NGRAM' ? buildNgramIndex(column, count, shape, gramRangeOf(index.params)) : buildSortedIndex(column, count, shape);
}

/** The rows (all `count`, or those given) grouped by their partition key value, ascending in each group; a null key is in no group. */
export function keyGroups(column: ArrayLike<unknown> | undefined, rows: Int32Array | number): Array<{ key: number | string; rows: Int32Array }> {
  const byKey = new Map<number | string, number[]>();
  const n = typeof rows === 'number' ? rows : rows.length;
  for (let i = 0; i < n; i++) {
    const row = typeof rows === 'number' ? i : rows[i]!;
    const key = column?.[row];
    if (typeof key !== 'number' && typeof key !== 'string') continue;
    const list = byKey.get(key);
    if (list) list.push(row); else byKey.set(key, [row]);
  }
  return [...byKey].map(([key, list]) => ({ key, rows: Int32Array.from(list) }));
}

/** The build params an index's (normalised) params name; a factory fills in what is absent. */
function buildParamsOf(index: IndexParams): IndexBuildParams {
  const out: IndexBuildParams = {};
  for (const k of ['M', 'efConstruction', 'nlist'] as const) if (index.params[k] !== undefined) out[k] = Number(index.params[k]);
  // IVF_RABITQ's refine copy (normalised by the coordinator: refine 'true' or 'false', refine_type an upper-case name).
  if (index.params.refine === 'true') out.refineType = String(index.params.refine_type);
  // IVF_PQ (normalised by the coordinator: m and nbits numbers).
  if (index.params.m !== undefined) out.pqM = Number(index.params.m);
  if (index.params.nbits !== undefined) out.pqNbits = Number(index.params.nbits);
  // MINHASH_LSH and SCANN (normalised by the coordinator: numbers, with_raw_data 'true' or 'false').
  if (index.params.mh_element_bit_width !== undefined) out.mhElementBitWidth = Number(index.params.mh_element_bit_width);
  if (index.params.mh_lsh_band !== undefined) out.mhLshBand = Number(index.params.mh_lsh_band);
  if (index.params.with_raw_data !== undefined) out.withRawData = index.params.with_raw_data === 'true';
  // DISKANN (normalised by the coordinator: numbers).
  if (index.params.max_degree !== undefined) out.maxDegree = Number(index.params.max_degree);
  if (index.params.search_list_size !== undefined) out.searchListSize = Number(index.params.search_list_size);
  if (index.params.pq_code_budget_gb_ratio !== undefined) out.pqCodeBudgetGbRatio = Number(index.params.pq_code_budget_gb_ratio);
  if (index.params.search_cache_budget_gb_ratio !== undefined) out.searchCacheBudgetGbRatio = Number(index.params.search_cache_budget_gb_ratio);
  if (index.params.beamwidth_ratio !== undefined) out.beamwidthRatio = Number(index.params.beamwidth_ratio);
  return out;
}
