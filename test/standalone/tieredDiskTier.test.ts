import { readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { NuthatchError } from '../../messages/errors.js';
import { client as busClient } from '../../runtime/rpc/typedBus.js';
import { queryNodeSubject, type QueryNodeProtocol } from '../../messages/rpc/workers.js';
import { until } from '../support/until.js';
import { answers, base, cached, metric, PARTS, setup, TIERED, vecs, type System } from './tieredFixture.js';

/**
 * Tiered storage's disk tier, over-budget reads and warm-up properties end to end:
 * with the disk tier on and a memory budget that evicts, every answer equals a full
 * load's, reads of evicted files are served from disk, and disk files damaged on purpose
 * are refetched, never served; a read that cannot fit its budget fails with CacheFull
 * after the timeout; collection and index warm-up properties change what a load fetches.
 */
const diskDir = (dataDir: string) => join(dataDir, 'cache', 'tiered', 'qn-1');
const diskFiles = (dataDir: string) => readdirSync(diskDir(dataDir)).filter((f) => !f.endsWith('.tmp'));

test('with the disk tier on, evicted files are read back from disk, damaged ones refetched, and answers equal a full load\'s', async () => {
  const full = await setup(base);
  let expected: unknown[];
  try { expected = await answers(full); } finally { await full.cleanup(); }

  const s = await setup({ ...TIERED, tieredStorage: { ...TIERED.tieredStorage, diskCacheEnabled: true, diskCapacityBytes: 50_000_000 } });
  try {
    assert.is(metric(s, 'nuthatch_query_node_disk_cache_budget_bytes'), 50_000_000);
    assert.equal(await answers(s), expected, 'every answer equals the full load\'s');
    const diskHits = metric(s, 'nuthatch_query_node_cache_requests_total', { result: 'disk_hit' });
    assert.ok(metric(s, 'nuthatch_query_node_cache_evictions_total') > 0, 'memory evicted');
    assert.ok(diskHits > 0, `cold reads after eviction came from disk (${diskHits} disk hits)`);
    assert.ok(metric(s, 'nuthatch_query_node_disk_cache_bytes') > 0, 'the disk gauge counts the files');
    assert.is(metric(s, 'nuthatch_query_node_cache_requests_total', { result: 'disk_corrupt' }), 0);

    // Damage every file on disk: one truncated, the rest with a flipped byte. None may be served.
    const files = diskFiles(s.dataDir);
    assert.ok(files.length >= PARTS * 3, `data and both indexes of each segment on disk (${files.length} files)`);
    files.forEach((f, i) => {
      const path = join(diskDir(s.dataDir), f);
      const bytes = readFileSync(path);
      if (i === 0) { writeFileSync(path, bytes.subarray(0, bytes.length >> 1)); return; }
      bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 0xff;
      writeFileSync(path, bytes);
    });
    assert.equal(await answers(s), expected, 'damaged disk files were refetched: the answers are the same');
    assert.ok(metric(s, 'nuthatch_query_node_cache_requests_total', { result: 'disk_corrupt' }) > 0, 'the damage was seen');

    await s.client.releaseCollection('ts');
    assert.equal(diskFiles(s.dataDir), [], 'a release clears the segments\' files from disk too');
  } finally { await s.cleanup(); }
});

test('with the disk tier on, DISKANN reads the disk tier\'s file in place: no copy, searches in flight answer as a full load, eviction closes it after them', async () => {
  const diskannCopies = (dataDir: string) => { try { return readdirSync(join(dataDir, 'cache', 'diskann')).filter((f) => f.endsWith('.diskann')).length; } catch { return 0; } };
  /** Descriptors of this process open on the disk tier's files. */
  const openOnDisk = (dataDir: string) => readdirSync('/proc/self/fd').filter((fd) => { try { return readlinkSync(`/proc/self/fd/${fd}`).startsWith(diskDir(dataDir)); } catch { return false; } }).length;
  const diskann = { indexParams: { vec_idx: {} }, indexType: 'DISKANN' as const };
  const queries = Array.from({ length: 16 }, (_, i) => vecs[i * 37]!);
  const searchAll = async (s: System) => Promise.all(queries.map(async (q, i) => (await s.client.search('ts', { data: [q], limit: 6, ...(i % 2 ? { filter: 'color != "green"' } : {}), consistencyLevel: 'Strong' }))[0]!.map((h) => [h.id, h.distance])));
  const full = await setup(base, diskann);
  let expected: unknown[];
  try { expected = await searchAll(full); } finally { await full.cleanup(); }

  // A budget of one byte: whatever no read holds is evicted when the reads end.
  const s = await setup({ ...base, tieredStorage: { enabled: true, evictionEnabled: true, memoryBudgetBytes: 1, allowOverBudgetReads: true, diskCacheEnabled: true, warmup: { vectorIndex: 'disable' } } }, diskann);
  try {
    for (let round = 0; round < 2; round++) {
      const pending = searchAll(s);
      assert.equal(await pending, expected, `round ${round}: sixteen searches in flight at once answer as a full load`);
      assert.is(diskannCopies(s.dataDir), 0, 'no DISKANN copy written: the records are read from the disk tier\'s files');
      assert.is(openOnDisk(s.dataDir), 0, 'evicted once the searches ended: every file the indexes held is closed');
    }
    assert.ok(metric(s, 'nuthatch_query_node_cache_requests_total', { result: 'disk_hit' }) > 0, 'the second round read the indexes back from disk');
    assert.ok(metric(s, 'nuthatch_query_node_diskann_file_reads_total') > 0, 'records were read from the files');
    // A release while searches are in flight: each answers as before or is refused as not loaded, never reads a closed file.
    // Settled at once: a search refused while the release runs must not be an unhandled rejection.
    const inFlight = Promise.allSettled(Array.from({ length: 4 }, () => searchAll(s)));
    await s.client.releaseCollection('ts');
    for (const r of await inFlight) {
      if (r.status === 'fulfilled') assert.equal(r.value, expected);
      else assert.not.match(String(r.reason), /closed/, String(r.reason));
    }
    await until(() => openOnDisk(s.dataDir) === 0, 'the released indexes closed their files');
  } finally { await s.cleanup(); }
});

test('a read that cannot fit the budget waits, then fails with CacheFull; allowOverBudgetReads answers it', async () => {
  const off = { scalarField: 'disable', scalarIndex: 'disable', vectorField: 'disable', vectorIndex: 'disable' } as const;
  // A budget below one segment's data file: no read can hold it within budget.
  const strict = await setup({ ...base, tieredStorage: { enabled: true, evictionEnabled: true, memoryBudgetBytes: 10_000, evictionTimeoutMs: 200, warmup: off } });
  try {
    const err = await strict.client.search('ts', { data: [vecs[0]!], limit: 3, partitionNames: ['p0'], consistencyLevel: 'Strong' }).then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof NuthatchError, String(err));
    assert.is((err as NuthatchError).code, 'CacheFull');
    assert.is((err as NuthatchError).wireCode, 1502);
    assert.match((err as Error).message, /evictionTimeoutMs \(200 ms\)/);
    assert.is(cached(strict), 0, 'nothing was cached over budget');
  } finally { await strict.cleanup(); }

  const lax = await setup({ ...base, tieredStorage: { enabled: true, evictionEnabled: true, memoryBudgetBytes: 10_000, allowOverBudgetReads: true, warmup: off } });
  try {
    const [hits] = await lax.client.search('ts', { data: [vecs[0]!], limit: 3, partitionNames: ['p0'], consistencyLevel: 'Strong' });
    assert.is(hits!.length, 3, 'answered over budget');
  } finally { await lax.cleanup(); }
});

test('collection and index warm-up properties override the node\'s settings at load; bad values are refused', async () => {
  // Node defaults: scalar data and indexes and vector indexes sync. The collection turns data off, the HNSW index turns itself off.
  const s = await setup({ ...base, tieredStorage: { enabled: true } }, {
    properties: { 'warmup.scalarField': 'disable', 'warmup.vectorField': 'disable' },
    indexParams: { vec_idx: { warmup: 'disable' } },
  });
  try {
    const st = await busClient<QueryNodeProtocol>(s.bus, queryNodeSubject('qn-1'))('status', {});
    assert.ok(st.files.every((f) => f.bytes === 0), 'no segment data fetched at load');
    assert.is(metric(s, 'nuthatch_query_node_cache_requests_total', { result: 'miss' }), PARTS, 'one unit a segment fetched: its INVERTED index only');
    assert.ok(cached(s) > 0);
    const d = await s.client.describeCollection('ts');
    assert.equal(d.properties.filter((p) => p.key.startsWith('warmup.')), [{ key: 'warmup.scalarField', value: 'disable' }, { key: 'warmup.vectorField', value: 'disable' }]);
    const ix = (await s.client.describeIndex('ts')).find((x) => x.indexName === 'vec_idx');
    assert.is(ix?.params.warmup, 'disable', 'the index keeps its warmup');

    const bad = await s.client.alterCollectionProperties('ts', { 'warmup.vectorIndex': 'later' }).then(() => undefined, (e: unknown) => e);
    assert.is((bad as NuthatchError).code, 'InvalidArgument');
    assert.not.ok((await s.client.describeCollection('ts')).properties.some((p) => p.key === 'warmup.vectorIndex'), 'nothing written');
    const badIndex = await s.client.createIndex('ts', { indexName: 'price_idx', fieldName: 'price', indexType: 'STL_SORT', params: { warmup: 'eager' } }).then(() => undefined, (e: unknown) => e);
    assert.is((badIndex as NuthatchError).code, 'InvalidArgument');
    assert.not.ok((await s.client.describeIndex('ts')).some((x) => x.indexName === 'price_idx'), 'no index made');
    await s.client.releaseCollection('ts'); // Milvus alters warm-up of released collections only (tieredFieldWarmup.test.ts)
    await s.client.alterCollectionProperties('ts', { 'warmup.vectorIndex': 'sync' });
    assert.ok((await s.client.describeCollection('ts')).properties.some((p) => p.key === 'warmup.vectorIndex' && p.value === 'sync'));
  } finally { await s.cleanup(); }
});

test.run();
