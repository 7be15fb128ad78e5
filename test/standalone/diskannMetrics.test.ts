import { statSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fromFloat16Bits, toFloat16Bits } from '../../messages/halfFloat.js';
import { mulberry32 } from '../../bench/support/dataset.js';
import { recordBytes } from '../../runtime/vectorIndex/diskann/diskannFile.js';
import { cachedNodeCount } from '../../runtime/vectorIndex/diskann/nodeCache.js';
import { tempStandalone, untilIndexedAndLoaded, untilIndexesServed } from './harness.js';

/**
 * DISKANN's node reads as query-node metrics on a standalone system, over a
 * Float16Vector field: the node caches' records and bytes (a gauge sampled
 * at scrape time from the indexes loaded: 16-bit records, Milvus's budget of
 * search_cache_budget_gb_ratio, zero once released), and the cache hits and
 * local file reads searches made (counters: every record a walk reads is
 * one or the other). The local files hold 16-bit records too.
 */
const DIM = 16, N = 2000, K = 10, MAX_DEGREE = 20, RATIO = 0.2, LIST = 32;
const rand = mulberry32(23);
const vs = Array.from({ length: N }, () => Array.from({ length: DIM }, () => fromFloat16Bits(toFloat16Bits(rand() * 2 - 1))));
const queries = Array.from({ length: 20 }, () => Array.from({ length: DIM }, () => rand() * 2 - 1));
const segmentOpts = { streaming: { segment: { maxBytes: 1 << 30, idleMs: 3_600_000, lifetimeMs: 86_400_000 } } };

test('DISKANN cache hits, file reads and cache size are query-node metrics; its local files hold 16-bit records', async () => {
  const s = await tempStandalone(segmentOpts);
  try {
    const c = s.client;
    const metric = (name: string) => Number(new RegExp(`^${name}\\{node_id="qn-1"\\} (\\S+)$`, 'm').exec(s.metrics.render())?.[1] ?? NaN);
    const schema = { fields: [{ name: 'id', dataType: 'Int64' as const, isPrimary: true }, { name: 'h', dataType: 'Float16Vector' as const, dim: DIM }] };
    await c.createCollection({
      collectionName: 'dm', schema, metricType: 'L2', shardsNum: 1, load: true,
      indexParams: [{ indexName: 'h', fieldName: 'h', indexType: 'DISKANN', params: { max_degree: MAX_DEGREE, search_cache_budget_gb_ratio: RATIO } }],
    });
    await c.insert('dm', vs.map((h, id) => ({ id, h })));
    await c.flush('dm');
    await untilIndexedAndLoaded(s, 'dm', N);
    await untilIndexesServed(s, 'dm');

    const size = recordBytes(DIM, MAX_DEGREE, 'f16'), dir = join(s.dataDir, 'cache', 'diskann');
    const files = readdirSync(dir).filter((f) => f.endsWith('.diskann'));
    assert.is(files.reduce((n, f) => n + statSync(join(dir, f)).size, 0), N * size, 'every row\'s record at 2 bytes a value');
    // One segment of N rows here: its cache holds Milvus's budget in whole records (the graph reaches them all from the medoid).
    assert.is(files.length, 1);
    const cached = metric('nuthatch_query_node_diskann_cached_nodes');
    assert.is(cached, cachedNodeCount(N, DIM, size, RATIO));
    assert.ok(cached > 0);
    assert.is(metric('nuthatch_query_node_diskann_cache_bytes'), cached * size);

    const hits0 = metric('nuthatch_query_node_diskann_cache_hits_total'), reads0 = metric('nuthatch_query_node_diskann_file_reads_total');
    await c.search('dm', { data: queries, annsField: 'h', limit: K, consistencyLevel: 'Strong', searchParams: { params: { search_list: LIST } } });
    const hits = metric('nuthatch_query_node_diskann_cache_hits_total') - hits0, reads = metric('nuthatch_query_node_diskann_file_reads_total') - reads0;
    // Every search starts at the medoid, which is cached; a walk reads every row of its list, more than the cache reaches.
    assert.ok(hits >= queries.length, `cache hits ${hits}`);
    assert.ok(reads > 0, `file reads ${reads}`);
    assert.ok(hits + reads >= queries.length * LIST, `${hits} + ${reads} records read by ${queries.length} walks of list ${LIST}`);

    await c.releaseCollection('dm');
    assert.is(metric('nuthatch_query_node_diskann_cached_nodes'), 0);
    assert.is(metric('nuthatch_query_node_diskann_cache_bytes'), 0);
    assert.is(metric('nuthatch_query_node_diskann_cache_hits_total') - hits0, hits, 'a counter keeps its count after the release');
  } finally { await s.cleanup(); }
});

test.run();
