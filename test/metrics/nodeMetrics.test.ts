/**
 * `nuthatch node --metrics-port`: every process of a cluster (one actor each, on
 * NATS, etcd and S3) serves GET /metrics with its own actor's metrics and no
 * other's; the gateway serves its metrics on its API port too.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Role } from '../../runtime/cluster/nodeOptions.js';
import type { NodeProcess } from '../../runtime/cluster/nodeProcess.js';
import { collectionSpec, insertAll, vectorOf } from '../cluster/support/data.js';
import { eventually, haveServices, startTestCluster, type TestCluster } from '../cluster/support/testCluster.js';
import { scrape, valueOf } from './parseExposition.js';

const NAME = 'scraped', DIM = 8, SEED = 3, ROWS = 300, BATCH = 100;

/** Families only one role's process has (besides the process gauges and nuthatch_node_info every one has). */
const OWN: Record<Role, string[]> = {
  coordinator: ['nuthatch_coordinator_requests_total', 'nuthatch_coordinator_persisted_segments'],
  'streaming-node': ['nuthatch_wal_append_duration_seconds', 'nuthatch_delegator_reads_total'],
  'query-node': ['nuthatch_query_node_reads_total', 'nuthatch_query_node_loaded_segments'],
  'data-node': ['nuthatch_data_node_tasks_total', 'nuthatch_data_node_flushed_rows_total'],
  'index-node': ['nuthatch_index_node_builds_total'],
  gateway: ['nuthatch_http_requests_total'],
};

/** The address a node logged for its metrics. */
function metricsUrl(p: NodeProcess): string {
  const m = /serving metrics on (\S+)/.exec(p.log());
  if (!m) throw new Error(`${p.id} did not say where it serves metrics:\n${p.tail()}`);
  return m[1]!;
}

if (haveServices('metrics of nuthatch node processes')) {
  let cluster: TestCluster | undefined;
  const node = (role: Role) => cluster!.byRole(role)[0]!;
  const scrapeOf = (role: Role) => scrape(metricsUrl(node(role)));
  test.before(async () => {
    cluster = await startTestCluster({
      topology: { coordinator: 1, 'streaming-node': 1, 'query-node': 1, 'data-node': 1, 'index-node': 1, gateway: 1 },
      args: ['--metrics-port', '0'],
    });
  });
  test.after(async () => { await cluster?.stop(); });

  test('writes, a flush and reads move the counters of the process that did the work', async () => {
    const c = cluster!;
    await c.http.ok('/collections/create', collectionSpec(NAME, DIM, 1, 'HNSW'));
    await insertAll(c.http, NAME, SEED, ROWS, DIM, BATCH, 1);
    await c.http.ok('/collections/flush', { collectionName: NAME });

    const sn = await scrapeOf('streaming-node');
    assert.is(valueOf(sn, 'nuthatch_wal_appended_messages_total', { node_id: node('streaming-node').id, type: 'Insert' }), ROWS / BATCH, 'one shard: one Insert per batch');
    assert.is(valueOf(sn, 'nuthatch_wal_appended_messages_total', { type: 'ManualFlush' }), 1);
    assert.ok(valueOf(sn, 'nuthatch_wal_append_duration_seconds_count') >= ROWS / BATCH + 1);

    const dn = await scrapeOf('data-node');
    assert.is(valueOf(dn, 'nuthatch_data_node_flushed_rows_total'), ROWS);
    assert.is(valueOf(dn, 'nuthatch_data_node_tasks_total', { task: 'flush', result: 'ok' }), 1);

    const indexed = await eventually('the index build counted', async () => {
      const m = await scrapeOf('index-node');
      return valueOf(m, 'nuthatch_index_node_builds_total', { result: 'ok' }) >= 1 ? m : undefined;
    }, 120_000);
    assert.is(valueOf(indexed, 'nuthatch_index_node_build_duration_seconds_count'), valueOf(indexed, 'nuthatch_index_node_builds_total'));

    // The query node serves the sealed segment once loaded: searched until it has answered one.
    let searches = 0;
    const qn = await eventually('a search served by the query node', async () => {
      searches++;
      const hits = await c.client.search(NAME, { data: [vectorOf(SEED, 42, DIM)], limit: 1, consistencyLevel: 'Strong' });
      assert.is(Number(hits[0]![0]!.id), 42);
      const m = await scrapeOf('query-node');
      return valueOf(m, 'nuthatch_query_node_reads_total', { op: 'search', result: 'ok' }) >= 1 ? m : undefined;
    }, 120_000);
    assert.is(valueOf(qn, 'nuthatch_query_node_loaded_segments', { node_id: node('query-node').id }), 1);
    assert.ok(valueOf(await scrapeOf('streaming-node'), 'nuthatch_delegator_reads_total', { op: 'search', result: 'ok' }) >= searches);

    const co = await scrapeOf('coordinator');
    assert.is(valueOf(co, 'nuthatch_coordinator_requests_total', { node_id: node('coordinator').id, op: 'createCollection', result: 'ok' }), 1);
    assert.is(valueOf(co, 'nuthatch_coordinator_requests_total', { op: 'flush', result: 'ok' }), 1);
    assert.is(valueOf(co, 'nuthatch_coordinator_collections'), 1);
    assert.is(valueOf(co, 'nuthatch_coordinator_persisted_segments'), 1);
    assert.is(valueOf(co, 'nuthatch_coordinator_persisted_rows'), ROWS);

    const onPort = await scrapeOf('gateway');
    const onApi = await scrape(`${c.url}/metrics`);
    for (const m of [onPort, onApi]) {
      assert.is(valueOf(m, 'nuthatch_http_requests_total', { endpoint: '/v2/vectordb/entities/insert', code: '0' }), ROWS / BATCH);
      assert.is(valueOf(m, 'nuthatch_http_requests_total', { endpoint: '/v2/vectordb/collections/flush', code: '0' }), 1);
      assert.is(valueOf(m, 'nuthatch_http_request_duration_seconds_count', { endpoint: '/v2/vectordb/entities/insert' }), ROWS / BATCH);
    }
  });

  test('after that work, each process serves its own actor\'s metrics and no other\'s, named by nuthatch_node_info, with the process gauges', async () => {
    for (const role of Object.keys(OWN) as Role[]) {
      const m = await scrapeOf(role);
      const info = m.get('nuthatch_node_info')!.samples;
      assert.equal(info.map((s) => [s.labels.role, s.labels.node_id, s.value]), [[role, node(role).id, 1]], `${role}: one actor, itself`);
      assert.ok(valueOf(m, 'nuthatch_process_resident_memory_bytes') > 0, role);
      assert.ok(valueOf(m, 'nuthatch_process_uptime_seconds') > 0, role);
      for (const [other, names] of Object.entries(OWN)) {
        for (const name of names) assert.is(m.has(name), other === role, `${role} ${other === role ? 'has' : 'lacks'} ${name}`);
      }
    }
  });
}
test.run();
