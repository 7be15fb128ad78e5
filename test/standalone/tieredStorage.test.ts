import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { client as busClient } from '../../runtime/rpc/typedBus.js';
import { queryNodeSubject, type QueryNodeProtocol } from '../../messages/rpc/workers.js';
import type { StandaloneOptions } from '../../runtime/standalone/standalone.js';
import { parseExposition, valueOf } from '../metrics/parseExposition.js';
import { tempStandalone, untilIndexedAndLoaded, untilIndexesServed, vectors } from './harness.js';

/**
 * Tiered storage end to end (Milvus 2.6.4's lazy load, warm-up and eviction): with
 * warm-up off a load fetches nothing; reads fetch what they need; with a budget that
 * holds about two of four partitions' segments, reads across the partitions evict,
 * the cache stays under the budget between reads, and every answer (search with a
 * filter on a scalar-indexed field, query, get, count) equals a full load's, cold
 * reads after eviction included. A release empties the cache.
 */
const DIM = 16, PARTS = 4, ROWS = 250;
const COLORS = ['red', 'green', 'blue', 'amber'];
const vecs = vectors(PARTS * ROWS, DIM, 11);
const row = (id: number) => ({ id, vec: vecs[id]!, color: COLORS[id % 4]!, price: (id * 37) % 1000 / 10, note: `item ${id} `.repeat(4) });
const schema = {
  fields: [
    { name: 'id', dataType: 'Int64' as const, isPrimary: true },
    { name: 'vec', dataType: 'FloatVector' as const, dim: DIM },
    { name: 'color', dataType: 'VarChar' as const, maxLength: 16 },
    { name: 'price', dataType: 'Double' as const },
    { name: 'note', dataType: 'VarChar' as const, maxLength: 256 },
  ],
};
/** Segments seal only on flush: one a partition. */
const base: Partial<StandaloneOptions> = { streaming: { segment: { maxBytes: 1 << 30, idleMs: 3_600_000, lifetimeMs: 86_400_000 } } };
/** About two partitions' data and indexes (each ~60 KB as segmentBytes and the index files count them). */
const BUDGET = 140_000;
const TIERED: Partial<StandaloneOptions> = {
  ...base,
  tieredStorage: {
    enabled: true, evictionEnabled: true, memoryBudgetBytes: BUDGET,
    warmup: { scalarField: 'disable', scalarIndex: 'disable', vectorField: 'disable', vectorIndex: 'disable' },
  },
};

type System = Awaited<ReturnType<typeof tempStandalone>>;

async function setup(opts: Partial<StandaloneOptions>): Promise<System> {
  const s = await tempStandalone(opts);
  const indexParams = [
    { indexName: 'vec_idx', fieldName: 'vec', indexType: 'HNSW', params: { M: 16, efConstruction: 200 } },
    { indexName: 'color_idx', fieldName: 'color', indexType: 'INVERTED', params: {} as Record<string, number> },
  ];
  await s.client.createCollection({ collectionName: 'ts', schema, metricType: 'L2', shardsNum: 1, indexParams, load: true });
  for (let p = 0; p < PARTS; p++) {
    await s.client.createPartition('ts', `p${p}`);
    await s.client.insert('ts', Array.from({ length: ROWS }, (_, i) => row(p * ROWS + i)), `p${p}`);
    await s.client.flush('ts');
  }
  await untilIndexedAndLoaded(s, 'ts', PARTS * ROWS);
  await untilIndexesServed(s, 'ts');
  return s;
}

const metric = (s: System, name: string, labels: Record<string, string> = {}) => valueOf(parseExposition(s.metrics.render()), name, labels);
const cached = (s: System) => metric(s, 'nuthatch_query_node_cache_bytes');

/** Two rounds over the partitions (the second reads what the first evicted), each read's answer in order; `after` runs after each read. */
async function answers(s: System, after: () => void = () => {}): Promise<unknown[]> {
  const out: unknown[] = [];
  for (let round = 0; round < 2; round++) {
    for (let p = 0; p < PARTS; p++) {
      const partitionNames = [`p${p}`];
      const [hits] = await s.client.search('ts', { data: [vecs[p * 31 + round]!], limit: 8, filter: 'color in ["red", "blue"]', outputFields: ['color', 'price'], partitionNames, consistencyLevel: 'Strong' });
      out.push(hits!.map((h) => [h.id, h.distance, h.fields.color, h.fields.price])); after();
      const rows = await s.client.query('ts', { filter: 'price < 20 and color != "green"', outputFields: ['id', 'color', 'note'], partitionNames, consistencyLevel: 'Strong' });
      out.push(rows.map((r) => [r.id, r.color, r.note]).sort((a, b) => (a[0] as number) - (b[0] as number))); after();
      const got = await s.client.get('ts', [p * ROWS + 3, p * ROWS + 200], { outputFields: ['vec', 'price'], partitionNames, consistencyLevel: 'Strong' });
      out.push(got.map((r) => [r.id, r.vec, r.price])); after();
    }
    const [count] = await s.client.query('ts', { filter: 'price >= 50', outputFields: ['count(*)'], consistencyLevel: 'Strong' });
    out.push(count); after();
  }
  return out;
}

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
    assert.is(cached(s), 0, 'with warm-up off a load fetches nothing');
    assert.is(metric(s, 'nuthatch_query_node_cache_budget_bytes'), BUDGET);

    let peak = 0;
    const got = await answers(s, () => { peak = Math.max(peak, cached(s)); });
    assert.equal(got, expected, 'every answer equals the full load\'s');
    assert.ok(peak > 0 && peak <= BUDGET, `the cache stays under its budget between reads (peak ${peak} of ${BUDGET})`);
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
  const s = await tempStandalone({ ...base, tieredStorage: { enabled: true, evictionEnabled: true, memoryBudgetBytes: 1, warmup: { vectorIndex: 'disable' } } });
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
