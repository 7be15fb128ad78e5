import { allCollections } from '../core/databases.js';
import type { MetricFamily } from '../../../runtime/metrics/family.js';
import { DURATION_BUCKETS, TASK_BUCKETS, type Counter, type Histogram } from '../../../runtime/metrics/instruments.js';
import { measure, operation, type Operation } from '../../../runtime/metrics/operation.js';
import { MetricsRegistry } from '../../../runtime/metrics/registry.js';
import type { CoordinatorContext } from './context.js';

/**
 * The metrics of a coordinator: the requests it answered, its background
 * rounds (compaction, garbage collection sweep, purges), and, sampled at
 * scrape time while it leads, what its catalogue holds.
 */
export class CoordinatorMetrics {
  private readonly requestCount: MetricFamily<Counter>;
  private readonly requestSeconds: MetricFamily<Histogram>;
  private readonly roundCount: MetricFamily<Counter>;
  private readonly roundSeconds: MetricFamily<Histogram>;
  private readonly ops = new Map<string, Operation>();

  /** Without a registry the metrics are kept but never served (tests, embedded uses). */
  constructor(private readonly nodeId: string, private readonly registry = new MetricsRegistry()) {
    this.requestCount = registry.counter({ name: 'nuthatch_coordinator_requests_total', help: 'Requests a coordinator answered, by operation and result.', labels: ['node_id', 'op', 'result'] });
    this.requestSeconds = registry.histogram({ name: 'nuthatch_coordinator_request_duration_seconds', help: 'Time a coordinator took to answer a request, by operation.', labels: ['node_id', 'op'], buckets: DURATION_BUCKETS });
    this.roundCount = registry.counter({ name: 'nuthatch_coordinator_rounds_total', help: 'Background rounds a coordinator ran (compaction, sweep, purges), by job and result.', labels: ['node_id', 'job', 'result'] });
    this.roundSeconds = registry.histogram({ name: 'nuthatch_coordinator_round_duration_seconds', help: 'Time a background round took, by job.', labels: ['node_id', 'job'], buckets: TASK_BUCKETS });
  }

  /** The children of one request operation (resolved once per operation name). */
  request(op: string): Operation {
    const key = `req:${op}`;
    let o = this.ops.get(key);
    if (!o) { o = operation(this.requestCount, this.requestSeconds, this.nodeId, op); this.ops.set(key, o); }
    return o;
  }

  /** The children of one background job. */
  round(job: string): Operation {
    const key = `round:${job}`;
    let o = this.ops.get(key);
    if (!o) { o = operation(this.roundCount, this.roundSeconds, this.nodeId, job); this.ops.set(key, o); }
    return o;
  }

  /** Samples the catalogue at each scrape (collections, loaded ones, persisted segments and rows); returns how to stop. */
  sampleCatalog(ctx: () => CoordinatorContext | undefined): () => void {
    const gauge = (name: string, help: string) => this.registry.gauge({ name, help, labels: ['node_id'] }).labels(this.nodeId);
    const collections = gauge('nuthatch_coordinator_collections', 'Collections in the catalogue.');
    const loaded = gauge('nuthatch_coordinator_loaded_collections', 'Collections loaded (some or all of their partitions).');
    const segments = gauge('nuthatch_coordinator_persisted_segments', 'Sealed segments with a record (persisted in object storage).');
    const rows = gauge('nuthatch_coordinator_persisted_rows', 'Rows in persisted segments (deleted rows not yet compacted away included).');
    return this.registry.onCollect(() => {
      const c = ctx();
      if (!c) return;
      const recs = allCollections(c.catalog);
      collections.set(recs.length);
      loaded.set(recs.filter((r) => r.loaded).length);
      segments.set(c.segments.size);
      let n = 0;
      for (const s of c.segments.values()) n += s.rows;
      rows.set(n);
    });
  }
}

/** Handlers that count and time every request they answer. */
export function measuredHandlers<H extends Record<string, (req: never) => unknown>>(handlers: H, metrics: CoordinatorMetrics): H {
  const out: Record<string, (req: never) => Promise<unknown>> = {};
  for (const [op, handle] of Object.entries(handlers)) {
    const o = metrics.request(op);
    out[op] = (req) => measure(o, async () => handle(req));
  }
  return out as H;
}
