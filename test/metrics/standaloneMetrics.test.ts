/**
 * GET /metrics of a standalone: a real `nuthatch standalone` process spoken to
 * only over HTTP, whose counters move by exactly what the requests did; and an
 * in-process one, where a write the vchannel machine refuses is counted by its
 * invariant.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { NuthatchClient } from '../../runtime/client/client.js';
import { kill, spawnStandalone } from '../crash/standaloneProcess.js';
import { Code, V2Client, vec } from '../http/support/v2Client.js';
import { tempStandalone } from '../standalone/harness.js';
import { rejection, until } from '../support/until.js';
import { scrape, valueOf, type Family } from './parseExposition.js';

const API = '/v2/vectordb';
type Scrape = Map<string, Family>;

/** How much a sample grew between two scrapes. */
const delta = (before: Scrape, after: Scrape, name: string, labels: Record<string, string> = {}) => valueOf(after, name, labels) - valueOf(before, name, labels);

test('a standalone process counts HTTP requests, WAL appends, reads, flushes, index builds and loaded segments', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'nuthatch-metrics-'));
  const p = await spawnStandalone(dataDir);
  try {
    const http = new V2Client(p.url);
    const metricsUrl = `${p.url}/metrics`;
    const first = await scrape(metricsUrl);
    for (const [role, id] of [['coordinator', 'coordinator-1'], ['streaming-node', 'sn-1'], ['query-node', 'qn-1'], ['data-node', 'dn-1'], ['index-node', 'in-1']]) {
      assert.is(valueOf(first, 'nuthatch_node_info', { role, node_id: id }), 1, `${role} ${id} is listed`);
    }
    assert.ok(valueOf(first, 'nuthatch_process_resident_memory_bytes') > 0);
    assert.ok(valueOf(first, 'nuthatch_process_heap_used_bytes') > 0);
    assert.ok(valueOf(first, 'nuthatch_process_uptime_seconds') > 0);

    // One shard: each insert is one Insert message and each search one delegator search.
    const name = 'metrics_books';
    await http.ok('/collections/create', { collectionName: name, dimension: 8, params: { shardsNum: 1 } });
    await http.waitLoaded(name);
    const before = await scrape(metricsUrl);
    for (let b = 0; b < 3; b++) {
      await http.ok('/entities/insert', { collectionName: name, data: Array.from({ length: 10 }, (_, i) => ({ id: b * 10 + i, vector: vec(b * 10 + i) })) });
    }
    let searches = 0;
    const search = async () => { searches++; return http.ok('/entities/search', { collectionName: name, data: [vec(7)], limit: 3, consistencyLevel: 'Strong' }); };
    assert.is((await search())[0].id, 7, 'growing rows are searched');
    await http.ok('/entities/query', { collectionName: name, filter: 'id in [1, 2, 3]', consistencyLevel: 'Strong' });
    await http.fails('/entities/search', { collectionName: 'metrics_absent', data: [vec(1)], limit: 1 }, /metrics_absent/, [Code.CollectionNotFound]);
    await http.ok('/collections/flush', { collectionName: name });
    // Flushed, indexed, loaded on the query node, and then read there: a search per round until the query node answers one.
    const sealedRead = async () => {
      await search();
      const m = await scrape(metricsUrl);
      return delta(before, m, 'nuthatch_query_node_reads_total', { op: 'search', result: 'ok' }) >= 1 && delta(before, m, 'nuthatch_index_node_builds_total', { result: 'ok' }) >= 1;
    };
    await until(sealedRead, 'a search served by the query node, after an index build', 120_000);
    const after = await scrape(metricsUrl);
    const d = (n: string, labels: Record<string, string> = {}) => delta(before, after, n, labels);

    assert.is(d('nuthatch_http_requests_total', { endpoint: `${API}/entities/insert`, code: '0' }), 3);
    assert.is(d('nuthatch_http_requests_total', { endpoint: `${API}/entities/search`, code: '0' }), searches);
    assert.is(d('nuthatch_http_requests_total', { endpoint: `${API}/entities/search`, code: String(Code.CollectionNotFound) }), 1);
    assert.is(d('nuthatch_http_requests_total', { endpoint: `${API}/entities/query`, code: '0' }), 1);
    assert.is(d('nuthatch_http_requests_total', { endpoint: `${API}/collections/flush`, code: '0' }), 1);
    assert.is(d('nuthatch_http_request_duration_seconds_count', { endpoint: `${API}/entities/insert` }), 3);
    assert.is(d('nuthatch_http_request_duration_seconds_count', { endpoint: `${API}/entities/search` }), searches + 1);

    assert.is(d('nuthatch_wal_appended_messages_total', { node_id: 'sn-1', type: 'Insert' }), 3);
    assert.ok(d('nuthatch_wal_appended_bytes_total', { type: 'Insert' }) > 3 * 10 * 8 * 4, 'at least the vectors of 30 rows');
    assert.is(d('nuthatch_wal_appended_messages_total', { type: 'ManualFlush' }), 1);
    assert.is(d('nuthatch_wal_appended_messages_total', { type: 'Flush' }), 1, 'the one growing segment was flushed');
    const appends = d('nuthatch_wal_appended_messages_total');
    assert.is(d('nuthatch_wal_append_duration_seconds_count'), appends, 'every acknowledged append timed');
    assert.is(d('nuthatch_wal_rejected_messages_total'), 0);

    // Reads may be hedged (sent twice when slow), so a delegator answers at least as many as were asked.
    assert.ok(d('nuthatch_delegator_reads_total', { op: 'search', result: 'ok' }) >= searches);
    assert.ok(d('nuthatch_delegator_reads_total', { op: 'query', result: 'ok' }) >= 1);
    assert.is(d('nuthatch_delegator_read_duration_seconds_count', { op: 'search' }), d('nuthatch_delegator_reads_total', { op: 'search' }));
    assert.is(d('nuthatch_query_node_read_duration_seconds_count', { op: 'search' }), d('nuthatch_query_node_reads_total', { op: 'search' }));
    assert.is(valueOf(after, 'nuthatch_query_node_loaded_segments', { node_id: 'qn-1' }), 1);

    assert.is(d('nuthatch_data_node_tasks_total', { node_id: 'dn-1', task: 'flush', result: 'ok' }), 1);
    assert.is(d('nuthatch_data_node_flushed_rows_total', { node_id: 'dn-1' }), 30);
    assert.is(d('nuthatch_data_node_task_duration_seconds_count', { task: 'flush' }), 1);
    assert.is(d('nuthatch_index_node_builds_total', { node_id: 'in-1', result: 'ok' }), 1);
    assert.is(d('nuthatch_index_node_build_duration_seconds_count', { node_id: 'in-1' }), 1);

    assert.is(d('nuthatch_coordinator_requests_total', { node_id: 'coordinator-1', op: 'flush', result: 'ok' }), 1);
    assert.is(d('nuthatch_coordinator_request_duration_seconds_count', { op: 'flush' }), 1);
    assert.ok(d('nuthatch_coordinator_requests_total', { op: 'tsoBatch', result: 'ok' }) >= 1, 'Strong reads ask for a TSO');
    assert.is(valueOf(after, 'nuthatch_coordinator_collections', { node_id: 'coordinator-1' }), 1);
    assert.is(valueOf(after, 'nuthatch_coordinator_persisted_rows'), 30);
  } finally {
    await kill(p, 'SIGTERM');
    await rm(dataDir, { recursive: true, force: true });
  }
});

test('a write the vchannel machine refuses is counted by pchannel and invariant, and never as appended', async () => {
  const s = await tempStandalone({ pchannels: 1, port: 0 });
  try {
    const schema = { fields: [{ name: 'id', dataType: 'Int64' as const, isPrimary: true }, { name: 'vec', dataType: 'FloatVector' as const, dim: 4 }] };
    await s.client.createCollection({ collectionName: 'books', schema, metricType: 'L2' });
    // A client that misses the coordinator's announcement of the drop keeps the collection in its cache.
    const stale = new NuthatchClient(s.bus, { followCatalog: false });
    await stale.insert('books', [{ id: 1, vec: [0.1, 0.2, 0.3, 0.4] }]);
    await s.client.dropCollection('books');
    // Its write reaches the WAL's machine, which refuses it.
    const err = await rejection(stale.insert('books', [{ id: 2, vec: [0, 0, 0, 1] }]));
    const invariant = /\[invariant: ([a-z-]+)\]/.exec(err.message)?.[1];
    assert.ok(invariant, err.message);
    const m = await scrape(`${s.http!.url}/metrics`);
    assert.is(valueOf(m, 'nuthatch_wal_rejected_messages_total', { node_id: 'sn-1', pchannel: 'dml_0', invariant }), 1);
    assert.is(valueOf(m, 'nuthatch_wal_rejected_messages_total'), 1, 'and nothing else was refused');
    assert.is(valueOf(m, 'nuthatch_wal_appended_messages_total', { type: 'Insert' }), 1, 'the refused insert was never appended');
    assert.is(valueOf(m, 'nuthatch_wal_appended_messages_total', { pchannel: 'dml_0', type: 'DropCollection' }), 1);
    assert.is(valueOf(m, 'nuthatch_http_requests_total'), 0, 'the client spoke over the bus, not HTTP');
    assert.is((await fetch(`${s.http!.url}/metrics`, { method: 'POST' })).status, 405);
  } finally {
    await s.cleanup();
  }
});

test.run();
