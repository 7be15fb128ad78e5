import type { MetricFamily } from '../../../runtime/metrics/family.js';
import type { Counter, Gauge, Histogram } from '../../../runtime/metrics/instruments.js';
import { operation, secondsSince, type Operation } from '../../../runtime/metrics/operation.js';
import { MetricsRegistry } from '../../../runtime/metrics/registry.js';

/** The metrics of one streaming node: its WALs' appends and rejections, and its delegators' reads. */
export class StreamingMetrics {
  /** Shard reads its delegators served, as owner or follower (growing rows here, sealed ones fanned out). */
  readonly reads: { search: Operation; query: Operation; sealed: { visited: Counter; pruned: Counter } };
  readonly appendedMessages: MetricFamily<Counter>;
  readonly appendedBytes: MetricFamily<Counter>;
  readonly appendSeconds: MetricFamily<Histogram>;
  readonly rejectedMessages: MetricFamily<Counter>;
  /** Bytes of the shredded JSON columns of the growing chunks this node holds (shared/segment/growingShredding.ts), besides their rows. */
  readonly growingShreddedBytes: Gauge;

  /** Without a registry the metrics are kept but never served (tests, embedded uses). */
  constructor(readonly nodeId: string, private readonly registry = new MetricsRegistry()) {
    this.growingShreddedBytes = registry.gauge({ name: 'nuthatch_streaming_growing_json_shredded_bytes', help: 'Bytes of the shredded JSON columns the growing segments held on a streaming node (owned and followed pchannels) keep besides their rows.', labels: ['node_id'] }).labels(nodeId);
    this.appendedMessages = registry.counter({ name: 'nuthatch_wal_appended_messages_total', help: 'Messages appended to the WAL and acknowledged durable, by pchannel and message type.', labels: ['node_id', 'pchannel', 'type'] });
    this.appendedBytes = registry.counter({ name: 'nuthatch_wal_appended_bytes_total', help: 'Encoded bytes of the messages appended to the WAL, by pchannel and message type.', labels: ['node_id', 'pchannel', 'type'] });
    this.appendSeconds = registry.histogram({ name: 'nuthatch_wal_append_duration_seconds', help: 'Time from handing a stamped message to the WAL backend to its durable acknowledgement (group commit included).', labels: ['node_id', 'pchannel'] });
    this.rejectedMessages = registry.counter({ name: 'nuthatch_wal_rejected_messages_total', help: 'Messages the vchannel machine refused (never appended), by the invariant they broke.', labels: ['node_id', 'pchannel', 'invariant'] });
    const count = registry.counter({ name: 'nuthatch_delegator_reads_total', help: 'Shard searches and queries a delegator answered, by result.', labels: ['node_id', 'op', 'result'] });
    const seconds = registry.histogram({ name: 'nuthatch_delegator_read_duration_seconds', help: 'Time a delegator took to answer a shard search or query (waiting for the guarantee TSO included).', labels: ['node_id', 'op'] });
    const sealed = registry.counter({ name: 'nuthatch_delegator_sealed_segments_total', help: 'Sealed segments a delegator read asked query nodes for (visited), or skipped because their clustering key range cannot match the filter (pruned).', labels: ['node_id', 'outcome'] });
    this.reads = {
      search: operation(count, seconds, nodeId, 'search'), query: operation(count, seconds, nodeId, 'query'),
      sealed: { visited: sealed.labels(nodeId, 'visited'), pruned: sealed.labels(nodeId, 'pruned') },
    };
  }

  /** Sets the growing shredded bytes from `measure` at each scrape; returns the way to stop. */
  measureGrowingShredded(measure: () => number): () => void {
    return this.registry.onCollect(() => this.growingShreddedBytes.set(measure()));
  }

  /** The children one pchannel's WAL updates. */
  wal(pchannel: string): WalMetrics { return new WalMetrics(this, pchannel); }
}

/** One pchannel's WAL metrics; children by message type and invariant are resolved once each. */
export class WalMetrics {
  private readonly byType = new Map<string, { messages: Counter; bytes: Counter }>();
  private readonly byInvariant = new Map<string, Counter>();
  private readonly seconds: Histogram;

  constructor(private readonly m: StreamingMetrics, private readonly pchannel: string) {
    this.seconds = m.appendSeconds.labels(m.nodeId, pchannel);
  }

  /** A message of `type` and `bytes` is durable; its append started at `startMs` (performance.now()). */
  appended(type: string, bytes: number, startMs: number): void {
    let c = this.byType.get(type);
    if (!c) {
      c = { messages: this.m.appendedMessages.labels(this.m.nodeId, this.pchannel, type), bytes: this.m.appendedBytes.labels(this.m.nodeId, this.pchannel, type) };
      this.byType.set(type, c);
    }
    c.messages.inc();
    c.bytes.inc(bytes);
    this.seconds.observe(secondsSince(startMs));
  }

  rejected(invariant: string): void {
    let c = this.byInvariant.get(invariant);
    if (!c) { c = this.m.rejectedMessages.labels(this.m.nodeId, this.pchannel, invariant); this.byInvariant.set(invariant, c); }
    c.inc();
  }
}
