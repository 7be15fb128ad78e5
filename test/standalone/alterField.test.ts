import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { NuthatchError, ValidationError } from '../../messages/errors.js';
import { NuthatchClient } from '../../runtime/client/client.js';
import { refused } from '../support/rejects.js';
import { until } from '../support/until.js';
import { tempStandalone, vectors } from './harness.js';

/**
 * alter_collection_field end to end: a raised max_length / max_capacity lets
 * longer values in from the alter on, a lowered one refuses them while rows
 * already stored read back as written; describeCollection shows the limits;
 * a restart keeps them (record and WAL agree); every shard enforces them, not
 * only the client that altered (a client with a stale schema is refused by
 * the shard); the primary key, the partition key, unknown fields, mmap and
 * out-of-range values are refused and change nothing.
 */
const DIM = 4;
const schema = {
  fields: [
    { name: 'id', dataType: 'Int64' as const, isPrimary: true },
    { name: 'vec', dataType: 'FloatVector' as const, dim: DIM },
    { name: 'title', dataType: 'VarChar' as const, maxLength: 8 },
    { name: 'tags', dataType: 'Array' as const, elementType: 'VarChar' as const, maxCapacity: 2, maxLength: 8 },
    { name: 'tenant', dataType: 'Int64' as const, isPartitionKey: true },
  ],
};
const opts = { streaming: { segment: { maxBytes: 1 << 30, idleMs: 3_600_000, lifetimeMs: 86_400_000 } } };
const vecs = vectors(50, DIM, 3);
const row = (id: number, title: string, tags: string[] = []) => ({ id, vec: vecs[id]!, title, tags, tenant: id % 3 });
const LONG = 'a title of twenty-six chars';

test('max_length and max_capacity altered: longer writes after, not before; stored rows stay; describe, restart, every shard', async () => {
  let s = await tempStandalone(opts);
  const { dataDir } = s;
  try {
    const indexParams = [{ indexName: 'vec_idx', fieldName: 'vec', indexType: 'FLAT', params: {} }];
    await s.client.createCollection({ collectionName: 'af', schema, metricType: 'L2', shardsNum: 2, indexParams, load: true });
    const field = async (c: NuthatchClient, name: string) => (await c.describeCollection('af')).schema.fields.find((f) => f.name === name)!;
    const titles = async (c: NuthatchClient) => Object.fromEntries((await c.query('af', { filter: 'id >= 0', outputFields: ['title'], consistencyLevel: 'Strong' })).map((r) => [r.id, r.title]));

    await s.client.insert('af', [row(1, 'short', ['a', 'b'])]);
    await refused(s.client.insert('af', [row(2, LONG)]), /exceeds max length \(8\)/);
    await refused(s.client.insert('af', [row(2, 'x', ['a', 'b', 'c'])]), /more than its max_capacity 2/);

    // A client that cached the schema before the alter and hears no announcement: its writes meet the shards' limits.
    const stale = new NuthatchClient(s.bus, { followCatalog: false });
    assert.is((await field(stale, 'title')).maxLength, 8);
    const stale2 = new NuthatchClient(s.bus, { followCatalog: false });
    assert.is((await field(stale2, 'title')).maxLength, 8);

    await s.client.alterCollectionField({ collectionName: 'af', fieldName: 'title', fieldParams: { max_length: 64 } });
    await s.client.alterCollectionField({ collectionName: 'af', fieldName: 'tags', fieldParams: { max_capacity: '4' } });
    assert.is((await field(s.client, 'title')).maxLength, 64);
    assert.equal([(await field(s.client, 'tags')).maxCapacity, (await field(s.client, 'tags')).maxLength], [4, 8]);
    await s.client.insert('af', [row(2, LONG, ['a', 'b', 'c', 'd'])]);
    // A client whose cached schema still says 8 checks again with a fresh one before it refuses.
    await stale2.insert('af', [row(7, LONG)]);
    assert.equal(await titles(s.client), { 1: 'short', 2: LONG, 7: LONG });

    // Lowered: longer writes are refused from now on; the stored long title stays, whole, in reads.
    await s.client.alterCollectionField({ collectionName: 'af', fieldName: 'title', fieldParams: { max_length: 6 } });
    await refused(s.client.insert('af', [row(3, 'seven c')]), /exceeds max length \(6\)/);
    await s.client.insert('af', [row(3, 'six ch')]);
    // The stale client still believes 8: it lets 'seven c' through, the shard refuses rows shaped before the alter
    // (CollectionSchemaMismatch, messages/schemaVersion.ts), and shaped again against the new limit it is refused.
    try {
      await stale.insert('af', [row(4, 'seven c')]);
      assert.unreachable('the shard took a value longer than its max_length');
    } catch (e) {
      assert.instance(e, ValidationError);
      assert.match((e as Error).message, /exceeds max length \(6\)/);
    }
    assert.equal(await titles(s.client), { 1: 'short', 2: LONG, 3: 'six ch', 7: LONG });
    await s.client.flush('af');
    await until(async () => (await s.client.getLoadState('af')).loadProgress === 100, 'flushed rows served', 30_000);
    assert.equal(await titles(s.client), { 1: 'short', 2: LONG, 3: 'six ch', 7: LONG }, 'sealed rows read back as written');

    // Refusals: typed, and nothing changes.
    const before = JSON.stringify((await s.client.describeCollection('af')).schema);
    await refused(s.client.alterCollectionField({ collectionName: 'af', fieldName: 'id', fieldParams: { max_length: 10 } }), /primary key/);
    await refused(s.client.alterCollectionField({ collectionName: 'af', fieldName: 'tenant', fieldParams: { max_length: 10 } }), /partition key/);
    await refused(s.client.alterCollectionField({ collectionName: 'af', fieldName: 'nope', fieldParams: { max_length: 10 } }), /no field 'nope'/);
    await refused(s.client.alterCollectionField({ collectionName: 'nope', fieldName: 'title', fieldParams: { max_length: 10 } }), /does not exist/);
    await refused(s.client.alterCollectionField({ collectionName: 'af', fieldName: 'title', fieldParams: { max_length: 70000 } }), /1\.\.65535/);
    await refused(s.client.alterCollectionField({ collectionName: 'af', fieldName: 'title', fieldParams: { max_capacity: 3 } }), /max_capacity is for Array fields/);
    await refused(s.client.alterCollectionField({ collectionName: 'af', fieldName: 'tags', fieldParams: { max_capacity: 5000 } }), /1\.\.4096/);
    await refused(s.client.alterCollectionField({ collectionName: 'af', fieldName: 'title', fieldParams: { 'mmap.enabled': true } }), /memory-mapped/);
    await refused(s.client.alterCollectionField({ collectionName: 'af', fieldName: 'title', fieldParams: {} }), /names no param/);
    try { await s.client.alterCollectionField({ collectionName: 'nope', fieldName: 'title', fieldParams: { max_length: 10 } }); } catch (e) { assert.is((e as NuthatchError).code, 'CollectionNotFound'); }
    assert.is(JSON.stringify((await s.client.describeCollection('af')).schema), before);

    await s.stop();
    s = await tempStandalone({ ...opts, dataDir });
    await until(async () => (await s.client.getLoadState('af')).loadProgress === 100, 'served after the restart', 30_000);
    assert.is((await field(s.client, 'title')).maxLength, 6, 'the record keeps the limit');
    assert.is((await field(s.client, 'tags')).maxCapacity, 4);
    await refused(s.client.insert('af', [row(5, 'seven c')]), /exceeds max length \(6\)/);
    await s.client.insert('af', [row(5, 'six ch', ['a', 'b', 'c', 'd'])]);
    // The shards folded the same limit from the WAL: a client that takes the client-side check away still meets it.
    const deaf = new NuthatchClient(s.bus, { followCatalog: false });
    await field(deaf, 'title');
    await s.client.alterCollectionField({ collectionName: 'af', fieldName: 'title', fieldParams: { max_length: 5 } });
    await refused(deaf.insert('af', [row(6, 'six ch')]), /exceeds max length \(5\)/);
    assert.equal(await titles(s.client), { 1: 'short', 2: LONG, 3: 'six ch', 5: 'six ch', 7: LONG }, 'rows before and after the restart');
  } finally { await s.cleanup(); }
});

test.run();
