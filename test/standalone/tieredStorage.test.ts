import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { client as busClient } from '../../runtime/rpc/typedBus.js';
import { queryNodeSubject, type QueryNodeProtocol } from '../../messages/rpc/workers.js';
import { tempStandalone, untilIndexedAndLoaded, untilIndexesServed } from './harness.js';
import { answers, base, BUDGET, cached, metric, PARTS, ROWS, row, schema, setup, TIERED, vecs } from './tieredFixture.js';

/**
 * Tiered storage end to end (Milvus 2.6.4's lazy load, warm-up and eviction): with
 * warm-up off a load fetches nothing; reads fetch what they need; with a budget that
 * holds about two of four partitions' segments, reads across the partitions evict,
 * the cache stays under the budget between reads, and every answer (search with a
 * filter on a scalar-indexed field, query, get, count) equals a full load's, cold
 * reads after eviction included. A release empties the cache.
 */
test('tiered storage answers as a full load does, fetching lazily and evicting under its budget', async () => {
  const full = await setup(base);
  let expected: unknown[];
  try {
    expected = await answers(full);
    assert.is(metric(full, 'nuthatch_query_node_cache_requests_total'), 0, 'a full load uses no cache');
  } finally { await full.cleanup(); }

  const s = await setup(TIERED);
  try {
    const qn = busClient<QueryNodeProtocol>(s.bus, queryNodeSubject('qn-1'));
    const st = await qn('status', {});
    assert.is(st.files.length, PARTS, 'every segment is held (as metadata)');
    assert.ok(st.files.every((f) => f.bytes === 0 && f.indexKeys.length === 2), 'lazy load: no data cached, both index files known');
    const coldColumns = st.files[0]!.columns;
    assert.ok(coldColumns && coldColumns.length > 0, 'a cold segment reports its columns from metadata');
    assert.is(cached(s), 0, 'with warm-up off a load fetches nothing');
    assert.is(metric(s, 'nuthatch_query_node_cache_budget_bytes'), BUDGET);

    let peak = 0;
    const got = await answers(s, () => { peak = Math.max(peak, cached(s)); });
    assert.equal(got, expected, 'every answer equals the full load\'s');
    assert.ok(peak > 0 && peak <= BUDGET, `the cache stays under its budget between reads (peak ${peak} of ${BUDGET})`);
    const warm = (await qn('status', {})).files.filter((f) => (f.bytes ?? 0) > 0);
    assert.ok(warm.length > 0);
    for (const f of warm) assert.equal([...f.columns!].sort(), [...coldColumns!].sort(), 'cold and cached segments report the same columns');
    const evictions = metric(s, 'nuthatch_query_node_cache_evictions_total');
    const misses = metric(s, 'nuthatch_query_node_cache_requests_total', { result: 'miss' });
    const hits = metric(s, 'nuthatch_query_node_cache_requests_total', { result: 'hit' });
    assert.ok(evictions > 0, 'the budget forced evictions');
    // Each partition's segment has 3 units (data and two indexes): more misses than that means evicted units were fetched again.
    assert.ok(misses > PARTS * 3, `cold reads after eviction fetched again (${misses} misses)`);
    assert.ok(hits > 0, 'reads of one partition in a row hit the cache');

    await s.client.releaseCollection('ts');
    assert.is(cached(s), 0, 'a release empties the cache');
  } finally { await s.cleanup(); }
});

test('warm-up fetches at load what the config says; a read then hits', async () => {
  const s = await setup({ ...base, tieredStorage: { enabled: true } }); // Milvus's defaults: scalar fields and indexes, vector indexes sync
  try {
    const before = cached(s);
    assert.ok(before > 0, 'warm-up cached the segments\' files at load');
    const st = await busClient<QueryNodeProtocol>(s.bus, queryNodeSubject('qn-1'))('status', {});
    assert.ok(st.files.every((f) => (f.bytes ?? 0) > 0), 'each segment\'s data is cached');
    const misses = metric(s, 'nuthatch_query_node_cache_requests_total', { result: 'miss' });
    await s.client.search('ts', { data: [vecs[0]!], limit: 3, consistencyLevel: 'Strong' });
    assert.is(metric(s, 'nuthatch_query_node_cache_requests_total', { result: 'miss' }), misses, 'the first search fetched nothing');
    assert.ok(metric(s, 'nuthatch_query_node_cache_requests_total', { result: 'hit' }) >= PARTS * 2, 'it took data and indexes from the cache');
  } finally { await s.cleanup(); }
});

test('an evicted DISKANN index closes its local file; the next search fetches it again and answers the same', async () => {
  const diskFiles = (dataDir: string) => { try { return readdirSync(join(dataDir, 'cache', 'diskann')).filter((f) => f.endsWith('.diskann')); } catch { return []; } };
  // Eviction on, a budget of one byte: whatever no read holds goes as soon as the read ends.
  const s = await tempStandalone({ ...base, tieredStorage: { enabled: true, evictionEnabled: true, memoryBudgetBytes: 1, allowOverBudgetReads: true, warmup: { vectorIndex: 'disable' } } });
  try {
    const indexParams = [{ indexName: 'vec_idx', fieldName: 'vec', indexType: 'DISKANN', params: { max_degree: 16 } }];
    await s.client.createCollection({ collectionName: 'dk', schema, metricType: 'L2', shardsNum: 1, indexParams, load: true });
    await s.client.insert('dk', Array.from({ length: ROWS }, (_, i) => row(i)));
    await s.client.flush('dk');
    await untilIndexedAndLoaded(s, 'dk', ROWS);
    await untilIndexesServed(s, 'dk', 'qn-1');
    assert.equal(diskFiles(s.dataDir), [], 'vectorIndex warm-up off: no local file at load');
    const search = async () => (await s.client.search('dk', { data: [vecs[5]!, vecs[77]!], limit: 5, consistencyLevel: 'Strong' })).map((hs) => hs.map((h) => [h.id, h.distance]));
    const first = await search();
    assert.equal(diskFiles(s.dataDir), [], 'evicted when the search ended: its file closed and removed');
    const evictions = metric(s, 'nuthatch_query_node_cache_evictions_total');
    assert.ok(evictions >= 2, 'data and index evicted');
    assert.equal(await search(), first, 'fetched again, the same answer');
    assert.ok(metric(s, 'nuthatch_query_node_cache_evictions_total') > evictions);
    assert.is(cached(s), 0);
  } finally { await s.cleanup(); }
});

test.run();
