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
import type { VectorIndexFactories } from '../../../runtime/vectorIndex/vectorIndex.js';
import { client, serveProtocol, type Handlers } from '../../../runtime/rpc/typedBus.js';
import { decodeSegmentFile, type SealedSegment } from '../../shared/segment/segmentFile.js';
import { indexKeyOf } from '../../shared/segment/segmentKeys.js';
import { measure, type Operation } from '../../../runtime/metrics/operation.js';
import type { MetricsRegistry } from '../../../runtime/metrics/registry.js';
import { indexBuildMetrics } from './indexNodeMetrics.js';
import { BuildThread } from './buildThread.js';
import { vectorIndexFile } from './vectorIndexFile.js';

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
  /**
   * Builds vector indexes on a worker thread (buildThread.ts) with the standard index types
   * (vectorIndexes.ts: their builds do not depend on the directory `indexes` were made for),
   * instead of with `indexes` on the event loop. Off unless asked for.
   */
  buildThread?: boolean;
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
  private readonly thread?: BuildThread;
  constructor(private readonly opts: IndexNodeOptions) {
    this.builds = indexBuildMetrics(opts.nodeId, opts.metrics);
    if (opts.buildThread === true) this.thread = new BuildThread();
  }

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
    const started = Date.now();
    const key = indexKeyOf(t.dataKey, indexFileName(t.index), t.index.indexType);
    const onThread = this.thread !== undefined && !isScalarIndexType(t.index.indexType);
    await this.opts.objects.put(key, onThread ? await this.thread!.build(bytes, t) : await this.buildHere(decodeSegmentFile(bytes), t));
    this.opts.log?.(`${t.index.indexType} index ${t.index.indexName} of segment ${t.segmentId} built in ${Date.now() - started} ms${onThread ? ' (build thread)' : ''}`);
    return { key };
  }

  /** A scalar index, or a vector index without the build thread, built on the event loop. */
  private buildHere(seg: SealedSegment, t: IndexNodeProtocol['buildIndex']['req']): Promise<Uint8Array> | Uint8Array {
    return isScalarIndexType(t.index.indexType) ? scalarIndexFile(seg, t) : vectorIndexFile(seg, t, this.opts.indexes);
  }

  async stop(): Promise<void> {
    for (const s of this.subs) s.unsubscribe();
    this.subs = [];
    await this.session?.end();
    await this.thread?.close();
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
