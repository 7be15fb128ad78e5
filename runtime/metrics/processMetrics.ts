import type { MetricsRegistry } from './registry.js';

/**
 * Gauges of the Node process itself, sampled at each scrape: uptime, resident
 * memory and the V8 heap (from process.memoryUsage). Added once per process by
 * its wiring (standalone, `nuthatch node`).
 */
export function addProcessMetrics(registry: MetricsRegistry): () => void {
  const uptime = registry.gauge({ name: 'nuthatch_process_uptime_seconds', help: 'Seconds since the process started.' }).labels();
  registry.gauge({ name: 'nuthatch_process_start_time_seconds', help: 'Start time of the process since the Unix epoch, in seconds.' }).labels().set(Math.round(performance.timeOrigin) / 1000);
  const rss = registry.gauge({ name: 'nuthatch_process_resident_memory_bytes', help: 'Resident set size of the process, in bytes.' }).labels();
  const heapUsed = registry.gauge({ name: 'nuthatch_process_heap_used_bytes', help: 'V8 heap in use, in bytes.' }).labels();
  const heapTotal = registry.gauge({ name: 'nuthatch_process_heap_total_bytes', help: 'V8 heap allocated, in bytes.' }).labels();
  const external = registry.gauge({ name: 'nuthatch_process_external_memory_bytes', help: 'Memory of C++ objects bound to JavaScript (buffers included), in bytes.' }).labels();
  return registry.onCollect(() => {
    uptime.set(process.uptime());
    const m = process.memoryUsage();
    rss.set(m.rss);
    heapUsed.set(m.heapUsed);
    heapTotal.set(m.heapTotal);
    external.set(m.external);
  });
}

/** `nuthatch_node_info{node_id, role} 1` for each actor a process runs: tells a scrape whose metrics it reads. */
export function addNodeInfo(registry: MetricsRegistry, role: string, nodeId: string): void {
  registry.gauge({ name: 'nuthatch_node_info', help: 'An actor this process runs (always 1).', labels: ['node_id', 'role'] }).labels(nodeId, role).set(1);
}
