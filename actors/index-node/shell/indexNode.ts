import { NuthatchError } from '../../../messages/errors.js';
import { INDEX_NODE_SUBJECT, indexNodeChecks, type IndexNodeProtocol } from '../../../messages/rpc/workers.js';
import type { Bus, BusSubscription } from '../../../runtime/ports/bus.js';
import type { ObjectStore } from '../../../runtime/ports/objectStore.js';
import type { VectorIndexFactory } from '../../../runtime/vectorIndex/vectorIndex.js';
import { client, serveProtocol } from '../../../runtime/rpc/typedBus.js';
import { decodeSegmentFile } from '../../shared/segment/segmentFile.js';
import { indexKeyOf } from '../../shared/segment/segmentKeys.js';
import { measure, type Operation } from '../../../runtime/metrics/operation.js';
import type { MetricsRegistry } from '../../../runtime/metrics/registry.js';
import { indexBuildMetrics } from './indexNodeMetrics.js';

export interface IndexNodeOptions {
  nodeId: string; bus: Bus; objects: ObjectStore; indexes: VectorIndexFactory; log?: (...a: unknown[]) => void;
  /** Where the node's metrics go (the process's registry); kept privately when absent. */
  metrics?: MetricsRegistry;
}

/** The index node: builds the ANN index of a persisted segment and stores it beside the data. */
export class IndexNode {
  private sub?: BusSubscription;
  private busy = Promise.resolve();
  private readonly builds: Operation;
  constructor(private readonly opts: IndexNodeOptions) { this.builds = indexBuildMetrics(opts.nodeId, opts.metrics); }

  start(): void {
    this.sub = serveProtocol<IndexNodeProtocol>(this.opts.bus, INDEX_NODE_SUBJECT, indexNodeChecks, {
      // Builds are CPU-heavy: one at a time per node, the rest wait their turn.
      buildIndex: (t) => { const run = this.busy.then(() => measure(this.builds, () => this.build(t))); this.busy = run.then(() => {}, () => {}); return run; },
    }, { queue: 'in' });
  }

  private async build(t: IndexNodeProtocol['buildIndex']['req']): Promise<{ key: string }> {
    const bytes = await this.opts.objects.get(t.dataKey);
    if (!bytes) throw new NuthatchError('NotFound', `segment data ${t.dataKey} is missing`);
    const seg = decodeSegmentFile(bytes);
    const started = Date.now();
    const index = await this.opts.indexes.build(seg.vectors, seg.dim, t.index.metricType, { M: Number(t.index.params.M ?? 16), efConstruction: Number(t.index.params.efConstruction ?? 200) });
    const key = indexKeyOf(t.dataKey, t.index.indexName);
    await this.opts.objects.put(key, await index.serialize());
    this.opts.log?.(`index ${t.index.indexName} of segment ${t.segmentId} (${seg.count} rows) built in ${Date.now() - started} ms`);
    return { key };
  }

  stop(): void { this.sub?.unsubscribe(); }
}
export { client };
