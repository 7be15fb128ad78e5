/**
 * alter_collection_field and drop_collection_field on a real cluster (NATS,
 * etcd, S3; coordinator, streaming nodes and query nodes in their own
 * processes): the WAL message reaches every shard's owner, clients in this
 * process with stale cached schemas meet the shards' new rules, and query
 * nodes whose cached records still hold a dropped field never read its column.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { InvariantError } from '../../messages/errors.js';
import { NuthatchClient } from '../../runtime/client/client.js';
import { shardOf } from '../../runtime/client/rows.js';
import { eventually, haveServices, startTestCluster, type TestCluster } from './support/testCluster.js';
import { vectorOf } from './support/data.js';
import { refused } from '../support/rejects.js';

const DIM = 4, NAME = 'fields', SHARDS = 4;
const LONG = 'a title of more than eight characters';

if (haveServices('cluster: field schema changes')) {
  let cluster: TestCluster | undefined;
  test.before(async () => { cluster = await startTestCluster(); });
  test.after(async () => { await cluster?.stop(); });

  test('a raised max_length and a dropped field hold on every shard, for stale clients and query nodes too', async () => {
    const c = cluster!.client;
    await c.createCollection({
      collectionName: NAME, metricType: 'L2', shardsNum: SHARDS, load: true,
      schema: { enableDynamicField: true, fields: [
        { name: 'id', dataType: 'Int64', isPrimary: true }, { name: 'vector', dataType: 'FloatVector', dim: DIM },
        { name: 'title', dataType: 'VarChar', maxLength: 8 }, { name: 'note', dataType: 'VarChar', maxLength: 16, nullable: true },
      ] },
    });
    await c.insert(NAME, Array.from({ length: 200 }, (_, id) => ({ id, vector: vectorOf(3, id, DIM), title: `t${id}`, note: `n${id}` })));
    await c.flush(NAME);
    await eventually('sealed segments served', async () => (await c.getLoadState(NAME)).loadProgress === 100);
    await c.insert(NAME, Array.from({ length: 40 }, (_, i) => ({ id: 200 + i, vector: vectorOf(3, 200 + i, DIM), title: `g${i}`, note: `n${200 + i}` }))); // growing
    // Clients that cache the schema now and hear no announcements.
    const stale = new NuthatchClient(cluster!.bus, { followCatalog: false });
    // This one hands a stale-schema refusal to its caller instead of shaping the rows again (messages/schemaVersion.ts).
    const deaf = new NuthatchClient(cluster!.bus, { followCatalog: false, retryOnSchemaMismatch: false });
    await stale.describeCollection(NAME);
    await deaf.describeCollection(NAME);

    await cluster!.http.ok('/collections/fields/alter_properties', { collectionName: NAME, fieldName: 'title', fieldParams: { max_length: 64 } });
    await c.insert(NAME, [{ id: 300, vector: vectorOf(3, 300, DIM), title: LONG }]);
    await stale.insert(NAME, [{ id: 301, vector: vectorOf(3, 301, DIM), title: LONG }]);
    const longs = await c.query(NAME, { filter: `title == "${LONG}"`, consistencyLevel: 'Strong' });
    assert.equal(longs.map((r) => r.id).sort(), [300, 301]);

    await c.dropCollectionField({ collectionName: NAME, fieldName: 'note' });
    const all = await c.query(NAME, { filter: 'id >= 0', outputFields: ['*'], consistencyLevel: 'Strong', limit: 0 });
    assert.is(all.length, 242);
    assert.ok(all.every((r) => !('note' in r)), "'*' shows no note on any shard, sealed or growing");
    // The query nodes cached the record with 'note' when they loaded: the filter must still not reach the column.
    assert.equal(await c.query(NAME, { filter: 'note == "n3" or note == "n210"', consistencyLevel: 'Strong' }), []);
    for (const shard of [0, 1, 2, 3]) {
      const id = Array.from({ length: 1000 }, (_, k) => 1000 + k).find((k) => shardOf(k, SHARDS) === shard)!;
      try {
        await deaf.insert(NAME, [{ id, vector: vectorOf(3, id, DIM), title: 't', note: 'x' }]);
        assert.unreachable(`shard ${shard} took a write naming a dropped field`);
      } catch (e) {
        // Every shard's owner took the drop, and refuses rows shaped before it.
        assert.instance(e, InvariantError);
        assert.is((e as InvariantError).code, 'CollectionSchemaMismatch');
      }
    }
    // A client that shapes them again finds the field gone: refused, and nothing written.
    await refused(stale.insert(NAME, [{ id: 999, vector: vectorOf(3, 999, DIM), title: 't', note: 'x' }]), /field 'note' was dropped/);
    assert.equal(await c.query(NAME, { filter: 'id in [999, 1000, 1001, 1002, 1003]', consistencyLevel: 'Strong' }), []);
  });

  test.run();
}
