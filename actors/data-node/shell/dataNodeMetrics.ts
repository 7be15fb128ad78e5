import { TASK_BUCKETS, type Counter } from '../../../runtime/metrics/instruments.js';
import { operation, type Operation } from '../../../runtime/metrics/operation.js';
import { MetricsRegistry } from '../../../runtime/metrics/registry.js';

/** The metrics of one data node: the segment flushes, delete compactions and merges it ran. */
export class DataNodeMetrics {
  readonly flush: Operation;
  readonly compact: Operation;
  readonly merge: Operation;
  readonly flushedRows: Counter;

  /** Without a registry the metrics are kept but never served (tests, embedded uses). */
  constructor(nodeId: string, registry = new MetricsRegistry()) {
    const count = registry.counter({ name: 'nuthatch_data_node_tasks_total', help: 'Tasks a data node ran, by task (flush: a sealed segment persisted; compact: a delete compaction; merge: small segments merged) and result.', labels: ['node_id', 'task', 'result'] });
    const seconds = registry.histogram({ name: 'nuthatch_data_node_task_duration_seconds', help: 'Time a data node took to run a task, by task.', labels: ['node_id', 'task'], buckets: TASK_BUCKETS });
    this.flush = operation(count, seconds, nodeId, 'flush');
    this.compact = operation(count, seconds, nodeId, 'compact');
    this.merge = operation(count, seconds, nodeId, 'merge');
    this.flushedRows = registry.counter({ name: 'nuthatch_data_node_flushed_rows_total', help: 'Rows a data node persisted into flushed segments.', labels: ['node_id'] }).labels(nodeId);
  }
}
