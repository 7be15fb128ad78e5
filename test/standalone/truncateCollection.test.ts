import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { LocalObjectStore } from '../../runtime/objectstore/localObjectStore.js';
import { refused } from '../support/rejects.js';
import { until } from '../support/until.js';
import { tempStandalone, untilIndexedAndLoaded, vectors } from './harness.js';

/**
 * Truncating a collection (Milvus 2.6's truncate_collection) removes every
 * row — sealed segments on the query nodes, growing rows in the delegators —
 * and keeps the collection as it was: schema, partitions, indexes,
 * properties, aliases, load state. Rows written after it are served at once,
 * keys used before included; the truncated segments' files go; all of it
 * holds after a restart that replays the log.
 */
const DIM = 8;
const schema = { fields: [{ name: 'id', dataType: 'Int64' as const, isPrimary: true }, { name: 'vec', dataType: 'FloatVector' as const, dim: DIM }, { name: 'tag', dataType: 'VarChar' as const, maxLength: 8 }] };
const vecs = vectors(600, DIM, 3);
const row = (id: number, tag = 'old') => ({ id, vec: vecs[id]!, tag });

test('truncate removes sealed and growing rows, keeps the collection, serves new rows, frees the files; after a restart too', async () => {
  let s = await tempStandalone({ port: 0 });
  const { dataDir } = s;
  const objects = new LocalObjectStore(join(dataDir, 'objects'));
  try {
    await s.client.createCollection({ collectionName: 'books', schema, metricType: 'L2', shardsNum: 2, properties: { 'collection.ttl.seconds': 86400 },
      indexParams: [{ indexName: 'v', fieldName: 'vec', indexType: 'HNSW', params: { M: 8, efConstruction: 32 } }], load: true });
    await s.client.createPartition('books', 'p2');
    await s.client.createAlias('books', 'shelf');
    await s.client.insert('books', Array.from({ length: 300 }, (_, i) => row(i)));
    await s.client.insert('books', Array.from({ length: 50 }, (_, i) => row(300 + i)), 'p2');
    await s.client.flush('books');
    await untilIndexedAndLoaded(s, 'books', 350);
    await s.client.insert('books', Array.from({ length: 100 }, (_, i) => row(350 + i)));
    await s.client.delete('books', { ids: [1, 2, 3] });
    const { collectionId } = await s.client.describeCollection('books');
    const files = async () => (await objects.list(`segments/${collectionId}/`)).map((o) => o.key).sort();
    const before = await files();
    assert.ok(before.length >= 2, 'segment files are in object storage');
    const described = await s.client.describeCollection('books');
    const count = async (name = 'books') => (await s.client.query(name, { filter: '', outputFields: ['count(*)'], consistencyLevel: 'Strong' }))[0]!['count(*)'];
    assert.is(await count(), 447);

    await s.client.truncateCollection('shelf');
    assert.is(await count(), 0, 'no row is left, sealed or growing');
    assert.equal(await s.client.search('books', { data: [vecs[5]!], limit: 3, consistencyLevel: 'Strong' }), [[]]);
    assert.equal(await s.client.get('books', [0, 310, 400]), []);
    const after = await s.client.describeCollection('books');
    assert.equal({ ...after, createdTso: 0n }, { ...described, createdTso: 0n }, 'schema, partitions, indexes, properties, aliases and load state as they were');
    assert.is((await s.client.getLoadState('books')).loadState, 'LoadStateLoaded');

    // New rows, keys used before among them, are served at once and once.
    await s.client.insert('books', Array.from({ length: 20 }, (_, i) => row(i * 2, 'new')));
    await s.client.insert('books', [row(500, 'new')], 'p2');
    assert.is(await count(), 21);
    const hit = (await s.client.search('books', { data: [vecs[4]!], limit: 1, outputFields: ['tag'], consistencyLevel: 'Strong' }))[0]![0]!;
    assert.equal([hit.id, hit.fields.tag], [4, 'new']);
    assert.equal((await s.client.query('books', { filter: 'tag == "old"', outputFields: ['id'], consistencyLevel: 'Strong' })), []);
    await until(async () => (await files()).every((k) => !before.includes(k)), 'the truncated segments\' files to be removed', 30_000);
    await s.client.flush('books');
    await untilIndexedAndLoaded(s, 'books', 21);
    assert.is(await count(), 21, 'new rows sealed and served by the query node');

    // The REST route, and an unknown collection.
    const res = await fetch(`${s.http!.url}/v2/vectordb/collections/truncate`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ collectionName: 'books' }) });
    assert.equal(await res.json(), { code: 0, data: {} });
    assert.is(await count(), 0, 'truncated again through REST');
    await s.client.insert('books', [row(7, 'late')]);
    await refused(s.client.truncateCollection('nope'), /nope/);

    await s.stop();
    s = await tempStandalone({ dataDir });
    await untilIndexedAndLoaded(s, 'books', 0);
    assert.equal((await s.client.query('books', { filter: 'id >= 0', outputFields: ['tag'], consistencyLevel: 'Strong' })).map((r) => [r.id, r.tag]), [[7, 'late']], 'after a restart: only the row written after the last truncation');
  } finally {
    await objects.close();
    await s.cleanup();
  }
});

test.run();
