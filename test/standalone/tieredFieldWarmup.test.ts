import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { NuthatchError } from '../../messages/errors.js';
import { client as busClient } from '../../runtime/rpc/typedBus.js';
import { queryNodeSubject, type QueryNodeProtocol } from '../../messages/rpc/workers.js';
import { untilIndexedAndLoaded, untilIndexesServed } from './harness.js';
import { base, cached, metric, PARTS, ROWS, schema, setup, vecs, type System } from './tieredFixture.js';

/**
 * Field-level warm-up (Milvus 2.6.11) end to end: a field's own `warmup`, given
 * in its schema at creation or with alterCollectionField, overrides the
 * collection's `warmup.*` properties and the node's settings, for the field's
 * data and its indexes (an index's own param still wins for the index). The
 * segment file holds every column, so it is warmed when any loaded column is
 * `sync`. Warm-up cannot change while the collection is loaded (Milvus's
 * ErrCollectionLoaded, code 104), through the client and REST alike; a bad
 * value is InvalidArgument; neither writes anything.
 */
const withField = (name: string, warmup: 'sync' | 'disable') => ({ fields: schema.fields.map((f) => (f.name === name ? { ...f, warmup } : f)) });
const warmupOf = async (s: System, field: string) => (await s.client.describeCollection('ts')).schema.fields.find((f) => f.name === field)?.warmup;
const misses = (s: System) => metric(s, 'nuthatch_query_node_cache_requests_total', { result: 'miss' });
const status = (s: System) => busClient<QueryNodeProtocol>(s.bus, queryNodeSubject('qn-1'))('status', {});
const errorOf = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e as NuthatchError);

test('a field\'s warmup overrides the collection and the node, for its data and its indexes', async () => {
  // Node: Milvus's defaults (scalar data and indexes, vector indexes sync). The collection turns all data off;
  // `price` (no index) turns itself on, so each segment file is warmed; `vec` and `color` turn themselves off,
  // so neither the HNSW nor the INVERTED index is, though the node says sync for both.
  const fields = withField('price', 'sync').fields.map((f) => (f.name === 'vec' || f.name === 'color' ? { ...f, warmup: 'disable' as const } : f));
  const s = await setup({ ...base, tieredStorage: { enabled: true } }, { schema: { fields }, properties: { 'warmup.scalarField': 'disable', 'warmup.vectorField': 'disable' } });
  try {
    assert.ok((await status(s)).files.every((f) => (f.bytes ?? 0) > 0), 'each segment file warmed: price is sync');
    assert.is(misses(s), PARTS, 'one unit a segment fetched at load: its data, no index');
    assert.equal([await warmupOf(s, 'price'), await warmupOf(s, 'vec'), await warmupOf(s, 'id')], ['sync', 'disable', undefined], 'describe shows each field\'s warmup');
    const before = misses(s);
    await s.client.search('ts', { data: [vecs[3]!], limit: 3, filter: 'color == "red"', consistencyLevel: 'Strong' });
    assert.is(misses(s), before + 2 * PARTS, 'the first search fetched both indexes of every segment');
  } finally { await s.cleanup(); }
});

test('warm-up cannot change while loaded (CollectionLoaded, client and REST); bad values are InvalidArgument; neither writes', async () => {
  const s = await setup({ ...base, port: 0, tieredStorage: { enabled: true } }, { schema: withField('price', 'sync') });
  try {
    const loaded = [
      errorOf(s.client.alterCollectionField({ collectionName: 'ts', fieldName: 'price', fieldParams: { warmup: 'disable' } })),
      errorOf(s.client.alterCollectionField({ collectionName: 'ts', fieldName: 'note', fieldParams: { warmup: 'sync', max_length: 300 } })),
      errorOf(s.client.alterCollectionProperties('ts', { 'warmup.scalarField': 'disable' })),
      errorOf(s.client.dropCollectionProperties('ts', ['warmup.vectorIndex'])),
    ];
    for (const e of await Promise.all(loaded)) {
      assert.is(e?.code, 'CollectionLoaded', String(e));
      assert.match(e!.message, /can not alter warmup.*if collection loaded: release collection 'ts' first/);
    }
    const rest = async (route: string, body: unknown) => (await fetch(`${s.http!.url}/v2/vectordb/collections/${route}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) })).json() as Promise<{ code: number; message?: string }>;
    const r1 = await rest('fields/alter_properties', { collectionName: 'ts', fieldName: 'price', fieldParams: { warmup: 'disable' } });
    const r2 = await rest('alter_properties', { collectionName: 'ts', properties: { 'warmup.vectorField': 'sync' } });
    assert.equal([r1.code, r2.code], [104, 104], JSON.stringify([r1, r2]));
    const d = await s.client.describeCollection('ts');
    assert.is(d.schema.fields.find((f) => f.name === 'price')?.warmup, 'sync', 'the field keeps its warmup');
    assert.is(d.schema.fields.find((f) => f.name === 'note')?.maxLength, 256, 'the limit given with a refused warmup is not applied either');
    assert.not.ok(d.properties.some((p) => p.key.startsWith('warmup.')), 'no warm-up property written');

    // A bad value: InvalidArgument, loaded or not, client and REST.
    for (const bad of ['eager', 'SYNC', '', 1]) {
      const e = await errorOf(s.client.alterCollectionField({ collectionName: 'ts', fieldName: 'price', fieldParams: { warmup: bad } }));
      assert.is(e?.code, 'InvalidArgument', `warmup ${JSON.stringify(bad)}`);
    }
    const r3 = await rest('fields/alter_properties', { collectionName: 'ts', fieldName: 'price', fieldParams: { warmup: 'lazy' } });
    assert.is(r3.code, 1100, JSON.stringify(r3));
    const badCreate = await errorOf(s.client.createCollection({ collectionName: 'bad', schema: { fields: schema.fields.map((f) => (f.name === 'price' ? { ...f, warmup: 'later' as 'sync' } : f)) }, metricType: 'L2' }));
    assert.is(badCreate?.code, 'InvalidArgument');
    assert.not.ok(await s.client.hasCollection('bad'), 'no collection made');

    // Released: the alters are taken and the next load follows them. price off, the collection's scalar data off (the node
    // has vector data off): no column says sync, so the segment files stay cold at load.
    await s.client.releaseCollection('ts');
    await s.client.alterCollectionField({ collectionName: 'ts', fieldName: 'price', fieldParams: { warmup: 'disable' } });
    await s.client.alterCollectionProperties('ts', { 'warmup.scalarField': 'disable' });
    assert.is(await warmupOf(s, 'price'), 'disable');
    const r4 = await rest('describe', { collectionName: 'ts' }) as unknown as { data: { fields: Array<{ name: string; params: Array<{ key: string; value: string }> }> } };
    assert.equal(r4.data.fields.find((f) => f.name === 'price')?.params, [{ key: 'warmup', value: 'disable' }], 'REST describe shows it');
    await s.client.loadCollection('ts');
    await untilIndexedAndLoaded(s, 'ts', PARTS * ROWS);
    await untilIndexesServed(s, 'ts');
    assert.ok((await status(s)).files.every((f) => f.bytes === 0), 'no segment file warmed at the next load');
    assert.ok(cached(s) > 0, 'the indexes still are (node settings)');
    const [hits] = await s.client.search('ts', { data: [vecs[5]!], limit: 1, consistencyLevel: 'Strong' });
    assert.is(hits![0]!.id, 5, 'reads fetch what is cold');
  } finally { await s.cleanup(); }
});

test.run();
