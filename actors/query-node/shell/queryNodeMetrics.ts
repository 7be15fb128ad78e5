import type { Counter, Gauge } from '../../../runtime/metrics/instruments.js';
import { operation, type Operation } from '../../../runtime/metrics/operation.js';
import { MetricsRegistry } from '../../../runtime/metrics/registry.js';
import type { DiskReads } from '../../../runtime/vectorIndex/vectorIndex.js';
import type { LazySegmentEvents } from './lazySegments.js';

/** The metrics of one query node: the sealed-segment reads it served and the segments it holds. */
export class QueryNodeMetrics {
  readonly reads: { search: Operation; query: Operation };
  readonly loadedSegments: Gauge;
  /** Segment reads whose filter scalar indexes narrowed to candidate rows. */
  readonly narrowedReads: Counter;
  /** Segment reads a keyed index answered from one partition key value's sub-index (partition key isolation). */
  readonly isolatedReads: Counter;
  /** DISKANN's node reads (counted per search) and node caches (sampled at scrape time from the indexes loaded). */
  readonly diskann: { cacheHits: Counter; fileReads: Counter; cachedNodes: Gauge; cacheBytes: Gauge };
  private readonly registry: MetricsRegistry;
  /** JSON columns of loaded segments shredded at load, and those whose shredded layout came from the data node's sidecar. */
  readonly shreddedColumns: { atLoad: Counter; fromSidecar: Counter };
  /** Tiered storage's cache: hits, misses (a fetch waited for), evictions and the bytes it holds. */
  readonly cache: LazySegmentEvents;
  /** The bytes tiered storage's cache may hold (absent without tiered storage). */
  readonly cacheBudget: Gauge;

  /** Without a registry the metrics are kept but never served (tests, embedded uses). */
  constructor(nodeId: string, registry = new MetricsRegistry()) {
    this.registry = registry;
    const count = registry.counter({ name: 'nuthatch_query_node_reads_total', help: 'Searches and queries of sealed segments a query node answered for delegators, by result.', labels: ['node_id', 'op', 'result'] });
    const seconds = registry.histogram({ name: 'nuthatch_query_node_read_duration_seconds', help: 'Time a query node took to answer a search or query of sealed segments (catching up on deletes included).', labels: ['node_id', 'op'] });
    this.reads = { search: operation(count, seconds, nodeId, 'search'), query: operation(count, seconds, nodeId, 'query') };
    this.narrowedReads = registry.counter({ name: 'nuthatch_query_node_scalar_index_reads_total', help: 'Reads of one sealed segment whose filter the segment\'s scalar indexes narrowed to candidate rows.', labels: ['node_id'] }).labels(nodeId);
    this.isolatedReads = registry.counter({ name: 'nuthatch_query_node_isolated_reads_total', help: 'Searches of one sealed segment whose keyed index (partition key isolation) answered from one partition key value\'s sub-index.', labels: ['node_id'] }).labels(nodeId);
    this.diskann = {
      cacheHits: registry.counter({ name: 'nuthatch_query_node_diskann_cache_hits_total', help: 'DISKANN node records a query node\'s searches read from its node cache (search_cache_budget_gb_ratio) instead of the local index file.', labels: ['node_id'] }).labels(nodeId),
      fileReads: registry.counter({ name: 'nuthatch_query_node_diskann_file_reads_total', help: 'DISKANN node records a query node\'s searches read from the local index files (positioned reads).', labels: ['node_id'] }).labels(nodeId),
      cachedNodes: registry.gauge({ name: 'nuthatch_query_node_diskann_cached_nodes', help: 'DISKANN node records held in the node caches of the indexes a query node has loaded.', labels: ['node_id'] }).labels(nodeId),
      cacheBytes: registry.gauge({ name: 'nuthatch_query_node_diskann_cache_bytes', help: 'Bytes of the DISKANN node records held in the node caches of the indexes a query node has loaded.', labels: ['node_id'] }).labels(nodeId),
    };
    const shredded = registry.counter({ name: 'nuthatch_query_node_json_shredded_columns_total', help: 'JSON columns of loaded sealed segments given their shredded layout, by source: shredded at load, or read from the sidecar the data node wrote.', labels: ['node_id', 'source'] });
    this.shreddedColumns = { atLoad: shredded.labels(nodeId, 'load'), fromSidecar: shredded.labels(nodeId, 'sidecar') };
    const units = registry.counter({ name: 'nuthatch_query_node_cache_requests_total', help: 'Cached units (a segment\'s data or one index) reads took from a query node\'s tiered storage cache, by result: hit, or miss (fetched); and files its disk tier served (disk_hit) or found damaged and fetched again (disk_corrupt).', labels: ['node_id', 'result'] });
    const hits = units.labels(nodeId, 'hit'), misses = units.labels(nodeId, 'miss');
    const evictions = registry.counter({ name: 'nuthatch_query_node_cache_evictions_total', help: 'Cached units tiered storage evicted (least recently used past the high watermark, or idle past cacheTtl).', labels: ['node_id'] }).labels(nodeId);
    const bytes = registry.gauge({ name: 'nuthatch_query_node_cache_bytes', help: 'Bytes of segment data and indexes a query node\'s tiered storage cache holds.', labels: ['node_id'] }).labels(nodeId);
    const diskHits = units.labels(nodeId, 'disk_hit'), diskCorrupt = units.labels(nodeId, 'disk_corrupt');
    const diskEvictions = registry.counter({ name: 'nuthatch_query_node_disk_cache_evictions_total', help: 'Files tiered storage\'s disk tier evicted (least recently used past diskHighWatermarkRatio).', labels: ['node_id'] }).labels(nodeId);
    const diskBytes = registry.gauge({ name: 'nuthatch_query_node_disk_cache_bytes', help: 'Bytes of files a query node\'s tiered storage disk tier holds.', labels: ['node_id'] }).labels(nodeId);
    const diskBudget = registry.gauge({ name: 'nuthatch_query_node_disk_cache_budget_bytes', help: 'Bytes a query node\'s tiered storage disk tier may hold (diskCapacityBytes, or evictableDiskCacheRatio of its disk).', labels: ['node_id'] }).labels(nodeId);
    this.cache = {
      hit: () => hits.inc(), miss: () => misses.inc(), evicted: () => evictions.inc(), bytes: (n) => bytes.set(n),
      disk: { hit: () => diskHits.inc(), corrupt: () => diskCorrupt.inc(), evicted: () => diskEvictions.inc(), bytes: (n) => diskBytes.set(n), budget: (n) => diskBudget.set(n) },
    };
    this.cacheBudget = registry.gauge({ name: 'nuthatch_query_node_cache_budget_bytes', help: 'Bytes a query node\'s tiered storage cache may hold (its watermarks are shares of it).', labels: ['node_id'] }).labels(nodeId);
    this.loadedSegments = registry.gauge({ name: 'nuthatch_query_node_loaded_segments', help: 'Sealed segments a query node holds in memory.', labels: ['node_id'] }).labels(nodeId);
  }

  /** Counts the node reads between two samples of the same indexes' disk reads. */
  countDiskReads(before: DiskReads | undefined, after: DiskReads | undefined): void {
    if (!before || !after) return;
    this.diskann.cacheHits.inc(after.cacheHits - before.cacheHits);
    this.diskann.fileReads.inc(after.fileReads - before.fileReads);
  }

  /** Sets the cache gauges from `loaded` (the node's DISKANN indexes' summed reads) before each scrape; returns how to stop. */
  sampleDiskCaches(loaded: () => DiskReads | undefined): () => void {
    return this.registry.onCollect(() => {
      const r = loaded();
      this.diskann.cachedNodes.set(r?.cachedNodes ?? 0);
      this.diskann.cacheBytes.set(r?.cachedBytes ?? 0);
    });
  }
}
