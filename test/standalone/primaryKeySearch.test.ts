import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { NuthatchError } from '../../messages/errors.js';
import { refused } from '../support/rejects.js';
import { until } from '../support/until.js';
import { rng, tempStandalone, vectors } from './harness.js';
import { V2Client } from '../http/support/v2Client.js';
import type { PrimaryKey } from '../../messages/schema.js';
import type { SearchRequest } from '../../runtime/client/api.js';

/**
 * Primary-key search (Milvus 2.6.9's): `ids` stand in for query vectors.
 * Each answer equals the search with the vectors the rows hold (read back
 * with get, then given as data): of any vector field, from sealed and
 * growing rows, with a filter, a range, grouping and an offset, Int64 and
 * VarChar keys. The key's own row is not left out (the keys only fetch
 * vectors). Keys no row holds (never written, deleted, in a partition not
 * searched) are typed NotFound errors naming them; ids with data, neither,
 * hybrid searches and iterators with ids are refused.
 */
const DIM = 4, SEALED = 120, GROWING = 80;
const segmentOpts = { streaming: { segment: { maxBytes: 1 << 30, idleMs: 3_600_000, lifetimeMs: 86_400_000 } } };
const strong = { consistencyLevel: 'Strong' as const };
type Standalone = Awaited<ReturnType<typeof tempStandalone>>;

/** The error a promise rejects with, which must be a NuthatchError. */
async function failure(p: Promise<unknown>): Promise<NuthatchError> {
  try { await p; } catch (e) { assert.instance(e, NuthatchError); return e as NuthatchError; }
  return assert.unreachable('not refused') as never;
}

/** The rows' vectors of `field` as get returns them, in the keys' order: what a caller would search with. */
async function fetched(s: Standalone, collection: string, pkName: string, ids: PrimaryKey[], field: string): Promise<unknown[]> {
  const rows = await s.client.get(collection, ids, { outputFields: [field], ...strong });
  return ids.map((id) => rows.find((r) => r[pkName] === id)![field]);
}

/** A search by `ids` equals the search with the fetched vectors as data; both returned. */
async function same(s: Standalone, collection: string, pkName: string, what: string, req: Omit<SearchRequest, 'data' | 'ids'> & { ids: PrimaryKey[] }) {
  const byIds = await s.client.search(collection, { ...strong, ...req });
  const { ids, ...rest } = req;
  const data = await fetched(s, collection, pkName, ids, req.annsField ?? 'vec');
  const byData = await s.client.search(collection, { ...strong, ...rest, data: data as never });
  assert.equal(byIds, byData, what);
  assert.is(byIds.length, ids.length, `${what}: one result list per key`);
  return byIds;
}

const a = vectors(SEALED + GROWING, DIM, 5);
const r = rng(6);
const bin = Array.from({ length: SEALED + GROWING }, () => Array.from({ length: 2 }, () => Math.floor(r() * 256)));
const half = vectors(SEALED + GROWING, 3, 7);
const kw = (i: number) => ({ [String(i % 11)]: 1 + (i % 3), [String(50 + (i % 5))]: 0.5 });
const row = (i: number) => ({ id: i, vec: a[i]!, h: half[i]!, bits: bin[i]!, kw: kw(i), cat: i % 4 });

test('Int64 keys: each key\'s vector, sealed or growing, of any vector field, with filter, range, grouping and offset', async () => {
  const s = await tempStandalone(segmentOpts);
  try {
    const schema = {
      fields: [
        { name: 'id', dataType: 'Int64' as const, isPrimary: true },
        { name: 'vec', dataType: 'FloatVector' as const, dim: DIM },
        { name: 'h', dataType: 'Float16Vector' as const, dim: 3 },
        { name: 'bits', dataType: 'BinaryVector' as const, dim: 16 },
        { name: 'kw', dataType: 'SparseFloatVector' as const },
        { name: 'cat', dataType: 'Int64' as const },
      ],
    };
    const indexParams = [
      { indexName: 'vec', fieldName: 'vec', indexType: 'FLAT', params: {} },
      { indexName: 'h', fieldName: 'h', indexType: 'FLAT', metricType: 'IP' as const, params: {} },
      { indexName: 'bits', fieldName: 'bits', indexType: 'BIN_FLAT', metricType: 'HAMMING' as const, params: {} },
      { indexName: 'kw', fieldName: 'kw', indexType: 'SPARSE_INVERTED_INDEX', metricType: 'IP' as const, params: {} },
    ];
    await s.client.createCollection({ collectionName: 'pk', schema, metricType: 'L2', shardsNum: 2, indexParams, load: true });
    await s.client.createPartition('pk', 'side');
    await s.client.loadPartitions('pk', ['side']);
    await s.client.insert('pk', Array.from({ length: SEALED }, (_, i) => row(i)));
    await s.client.flush('pk');
    await until(async () => (await s.client.getLoadState('pk')).loadProgress === 100, 'sealed rows served', 30_000);
    await s.client.insert('pk', Array.from({ length: GROWING }, (_, i) => row(SEALED + i))); // growing
    await s.client.insert('pk', [{ ...row(0), id: 5000 }], 'side');

    const sealedAndGrowing = [7, 150, 33];
    const first = await same(s, 'pk', 'id', 'the first vector field', { ids: sealedAndGrowing, annsField: 'vec', limit: 5 });
    // The key's own row is a hit like any other: at distance 0, it comes first.
    assert.equal(first.map((hits) => hits[0]!.id), sealedAndGrowing, 'each row is its own nearest');
    assert.equal(first.map((hits) => hits[0]!.distance), [0, 0, 0]);
    await same(s, 'pk', 'id', 'a Float16Vector field', { ids: [3, 190], annsField: 'h', limit: 5 });
    await same(s, 'pk', 'id', 'a BinaryVector field', { ids: [4, 160], annsField: 'bits', limit: 5 });
    await same(s, 'pk', 'id', 'a sparse field', { ids: [10, 170], annsField: 'kw', limit: 5 });
    const filtered = await same(s, 'pk', 'id', 'with a filter', { ids: [20, 121], annsField: 'vec', filter: 'cat == 1', limit: 5, outputFields: ['cat'] });
    assert.ok(filtered.flat().every((h) => h.fields.cat === 1), 'the filter applies to the hits, not to the keys (20 is cat 0)');
    assert.not.ok(filtered[0]!.some((h) => h.id === 20), 'a filtered-out key row is no hit of its own search');
    const ranged = await same(s, 'pk', 'id', 'a range search', { ids: [40, 180], annsField: 'vec', limit: 50, searchParams: { params: { radius: 1.2, range_filter: 0.1 } } });
    assert.ok(ranged.flat().every((h) => h.distance >= 0.1 && h.distance < 1.2), 'hits within the range: the own row (0) is left out by range_filter');
    assert.ok(ranged.flat().length > 0, 'the range holds some rows');
    const grouped = await same(s, 'pk', 'id', 'grouped', { ids: [30, 140], annsField: 'vec', limit: 3, groupingField: 'cat', groupSize: 2, outputFields: ['cat'] });
    assert.equal(grouped.map((hits) => new Set(hits.map((h) => h.fields.cat)).size), [3, 3], 'three groups each');
    const paged = await same(s, 'pk', 'id', 'an offset', { ids: [50, 199], annsField: 'vec', limit: 4, offset: 3 });
    const whole = await s.client.search('pk', { ids: [50, 199], annsField: 'vec', limit: 7, ...strong });
    assert.equal(paged, whole.map((hits) => hits.slice(3)), 'offset pages the same ranking');
    await same(s, 'pk', 'id', 'another partition, searched', { ids: [5000], annsField: 'vec', limit: 3, partitionNames: ['side', '_default'] });

    // Keys no row holds are NotFound, named together.
    const missing = await failure(s.client.search('pk', { ids: [7, 9999, 8888], annsField: 'vec', limit: 3, ...strong }));
    assert.is(missing.code, 'NotFound');
    assert.match(missing.message, /primary keys 9999, 8888 name no row of 'pk'/);
    assert.equal(missing.info.ids, [9999, 8888]);
    // As in Milvus, a key is read in the partitions the search reads.
    const elsewhere = await failure(s.client.search('pk', { ids: [5000], annsField: 'vec', limit: 3, partitionNames: ['_default'], ...strong }));
    assert.is(elsewhere.code, 'NotFound');
    // A deleted key, at Strong and at Session (the deleting client's own write).
    await s.client.delete('pk', { ids: [8, 151] });
    for (const consistencyLevel of ['Strong', 'Session'] as const) {
      const gone = await failure(s.client.search('pk', { ids: [9, 8, 151], annsField: 'vec', limit: 3, consistencyLevel }));
      assert.is(gone.code, 'NotFound', consistencyLevel);
      assert.equal(gone.info.ids, [8, 151], `${consistencyLevel}: the deleted keys, sealed and growing`);
    }

    // Bad requests are typed InvalidArgument and read nothing.
    const bad = async (req: object, says: RegExp, field?: string) => {
      const e = await failure(s.client.search('pk', { limit: 3, annsField: 'vec', ...req } as SearchRequest));
      assert.is(e.code, 'InvalidArgument', e.message);
      assert.match(e.message, says);
      if (field) assert.is(e.info.field, field);
    };
    await bad({ ids: [7], data: [a[7]!] }, /data \(query vectors\) or ids \(primary keys\), not both/);
    await bad({}, /needs data \(query vectors\) or ids/);
    await bad({ ids: [] }, /non-empty/);
    await bad({ ids: [7, 'x'] }, /ids\[1\] is "x": primary key 'id' is Int64/, 'ids[1]');
    await bad({ ids: [7, 7] }, /repeats primary key 7/);
    await bad({ ids: [7], annsField: undefined }, /name one as annsField/);
    const hybrid = await failure(s.client.hybridSearch('pk', { searches: [{ annsField: 'vec', data: [a[1]!], limit: 3 }, { annsField: 'h', ids: [1], limit: 3 } as never], limit: 3 }));
    assert.match(hybrid.message, /searches\[1\] of a hybrid search takes no ids/);
    assert.is(hybrid.info.field, 'searches[1].ids');
    await refused(s.client.hybridSearch('pk', { ids: [1], searches: [{ annsField: 'vec', data: [a[1]!], limit: 3 }], limit: 3 } as never), /a hybrid search takes no ids/);
    await refused(s.client.searchIterator('pk', { annsField: 'vec', ids: [1], batchSize: 10 } as never), /a search iterator takes no ids/);
  } finally { await s.cleanup(); }
});

test('VarChar keys; a BM25 field and embedding lists refused; a Strong read sees a vector upserted just before; REST takes ids', async () => {
  const s = await tempStandalone({ ...segmentOpts, port: 0 });
  try {
    const schema = {
      fields: [
        { name: 'sku', dataType: 'VarChar' as const, isPrimary: true, maxLength: 16 },
        { name: 'vec', dataType: 'FloatVector' as const, dim: DIM },
        { name: 'text', dataType: 'VarChar' as const, maxLength: 64, enableAnalyzer: true },
        { name: 'bm', dataType: 'SparseFloatVector' as const },
        { name: 'cat', dataType: 'Int64' as const },
        { name: 'chunks', dataType: 'Array' as const, elementType: 'Struct' as const, maxCapacity: 3, structFields: [{ name: 'cv', dataType: 'FloatVector' as const, dim: 2 }] },
      ],
      functions: [{ name: 'bm25', type: 'BM25' as const, inputFieldNames: ['text'], outputFieldNames: ['bm'] }],
    };
    const indexParams = [
      { indexName: 'vec', fieldName: 'vec', indexType: 'FLAT', params: {} },
      { indexName: 'bm', fieldName: 'bm', indexType: 'SPARSE_INVERTED_INDEX', metricType: 'BM25' as const, params: {} },
    ];
    await s.client.createCollection({ collectionName: 'sk', schema, metricType: 'COSINE', shardsNum: 2, indexParams, load: true });
    const sku = (i: number) => `sku-${i}`;
    const item = (i: number) => ({ sku: sku(i), vec: a[i]!, text: `item ${i} colour ${i % 5}`, cat: i % 3, chunks: [{ cv: [i, 1] }] });
    await s.client.insert('sk', Array.from({ length: SEALED }, (_, i) => item(i)));
    await s.client.flush('sk');
    await until(async () => (await s.client.getLoadState('sk')).loadProgress === 100, 'sealed rows served', 30_000);
    await s.client.insert('sk', Array.from({ length: GROWING }, (_, i) => item(SEALED + i)));

    const hits = await same(s, 'sk', 'sku', 'VarChar keys', { ids: [sku(3), sku(150)], annsField: 'vec', limit: 5, outputFields: ['cat'] });
    assert.equal(hits.map((h) => h[0]!.id), [sku(3), sku(150)], 'each row is its own nearest');
    await same(s, 'sk', 'sku', 'VarChar keys, filtered and paged', { ids: [sku(4), sku(190)], annsField: 'vec', limit: 3, offset: 2, filter: 'cat != 2' });
    const missing = await failure(s.client.search('sk', { ids: [sku(1), 'nope'], annsField: 'vec', limit: 3, ...strong }));
    assert.is(missing.code, 'NotFound');
    assert.match(missing.message, /primary key "nope" names no row of 'sk'/);
    await refused(s.client.search('sk', { ids: [3], annsField: 'vec', limit: 3 }), /ids\[0\] is 3: primary key 'sku' is VarChar, so ids must be strings/);
    await refused(s.client.search('sk', { ids: [sku(1)], annsField: 'bm', limit: 3 }), /cannot search BM25 field 'bm'/);
    await refused(s.client.search('sk', { ids: [sku(1)], annsField: 'chunks[cv]', limit: 3 }), /cannot search the embedding lists of 'chunks\[cv\]'/);

    // An upsert, then at once a Strong search by its key: the new vector is the query.
    const moved = [0.9, -0.8, 0.7, -0.6];
    await s.client.upsert('sk', [{ ...item(42), vec: moved }]);
    const [after] = await s.client.search('sk', { ids: [sku(42)], annsField: 'vec', limit: 4, ...strong });
    const [byNew] = await s.client.search('sk', { data: [moved], annsField: 'vec', limit: 4, ...strong });
    assert.equal(after, byNew, 'the upserted vector is searched with');
    assert.is(after![0]!.id, sku(42));

    // REST: entities/search takes ids too (Milvus's REST API does not): the same hits as data.
    const http = new V2Client(s.http!.url);
    const body = { collectionName: 'sk', annsField: 'vec', limit: 4, outputFields: ['cat'], consistencyLevel: 'Strong' };
    const restIds = await http.okReply('/entities/search', { ...body, ids: [sku(42), sku(7)] });
    const restData = await http.okReply('/entities/search', { ...body, data: await fetched(s, 'sk', 'sku', [sku(42), sku(7)], 'vec') });
    assert.equal(restIds, restData, 'REST: ids equal their vectors as data');
    assert.equal(restIds.topks, [4, 4]);
    await http.fails('/entities/search', { ...body, ids: [sku(1), 'nope'] }, /"nope" names no row/, [1600]);
    await http.fails('/entities/search', { ...body, ids: [5] }, /'ids\[0\]' must be a VarChar primary key/, [1103]);
    await http.fails('/entities/search', { ...body, ids: [sku(1)], data: [a[1]] }, /not both/, [1100]);
    await http.fails('/entities/hybrid_search', { collectionName: 'sk', search: [{ annsField: 'vec', data: [a[1]] }, { annsField: 'vec', ids: [sku(1)] }] }, /hybrid search's searches take data/, [1100]);
  } finally { await s.cleanup(); }
});

test.run();
