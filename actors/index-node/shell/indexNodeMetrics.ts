import { TASK_BUCKETS } from '../../../runtime/metrics/instruments.js';
import { operation, type Operation } from '../../../runtime/metrics/operation.js';
import { MetricsRegistry } from '../../../runtime/metrics/registry.js';

/** The index builds of one index node: how many, how they ended, how long each took (waiting for its turn excluded). */
export function indexBuildMetrics(nodeId: string, registry = new MetricsRegistry()): Operation {
  return operation(
    registry.counter({ name: 'nuthatch_index_node_builds_total', help: 'Index builds an index node ran, by result.', labels: ['node_id', 'result'] }),
    registry.histogram({ name: 'nuthatch_index_node_build_duration_seconds', help: 'Time an index node took to build and store one segment index.', labels: ['node_id'], buckets: TASK_BUCKETS }),
    nodeId);
}
