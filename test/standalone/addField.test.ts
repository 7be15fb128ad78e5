import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { newMessage } from '../../messages/types.js';
import { refused } from '../support/rejects.js';
import { until } from '../support/until.js';
import { tempStandalone, vectors } from './harness.js';

/**
 * A field added to a live collection (Milvus 2.6's add_collection_field): rows
 * written before it (sealed on the query node, growing in the delegators) read
 * null for it; rows written after it carry it; filters over it see both; the
 * shards apply it from one TSO of their log, so a restart that replays the log
 * and reloads the files agrees. An added field with a default shows the
 * default on rows written before it. Fields that old rows could not honour are refused.
 */
const DIM = 4;
const schema = { fields: [{ name: 'id', dataType: 'Int64' as const, isPrimary: true }, { name: 'vec', dataType: 'FloatVector' as const, dim: DIM }] };
const opts = { streaming: { segment: { maxBytes: 1 << 30, idleMs: 3_600_000, lifetimeMs: 86_400_000 } } };
const vecs = vectors(300, DIM, 9);

test('rows before an added field read null; rows after it carry it; filters see both, after a restart too', async () => {
  let s = await tempStandalone(opts);
  const { dataDir } = s;
  try {
    const indexParams = [{ indexName: 'vec_idx', fieldName: 'vec', indexType: 'HNSW', params: { M: 8, efConstruction: 32 } }];
    await s.client.createCollection({ collectionName: 'af', schema, metricType: 'L2', shardsNum: 2, indexParams, load: true });
    await s.client.insert('af', Array.from({ length: 100 }, (_, id) => ({ id, vec: vecs[id]! })));
    await s.client.flush('af');
    await until(async () => (await s.client.getLoadState('af')).loadProgress === 100, 'sealed rows served', 30_000);
    await s.client.insert('af', Array.from({ length: 100 }, (_, i) => ({ id: 100 + i, vec: vecs[100 + i]! }))); // growing

    await s.client.addCollectionField('af', { name: 'color', dataType: 'VarChar', maxLength: 10, nullable: true });
    assert.ok((await s.client.describeCollection('af')).schema.fields.some((f) => f.name === 'color'));
    await s.client.insert('af', Array.from({ length: 100 }, (_, i) => ({ id: 200 + i, vec: vecs[200 + i]!, color: i % 2 === 0 ? 'red' : 'blue' })));

    const ids = async (filter: string) => (await s.client.query('af', { filter, outputFields: ['color'], consistencyLevel: 'Strong' })).map((r) => r.id as number).sort((a, b) => a - b);
    const check = async (when: string) => {
      assert.equal(await ids('color == "red"'), Array.from({ length: 50 }, (_, i) => 200 + 2 * i), `red rows ${when}`);
      assert.equal(await ids('color is null'), Array.from({ length: 200 }, (_, i) => i), `rows before the field read null ${when}`);
      const rows = await s.client.get('af', [5, 150, 201], { outputFields: ['color'], consistencyLevel: 'Strong' });
      assert.equal(rows.map((r) => [r.id, r.color ?? null]).sort((a, b) => Number(a[0]) - Number(b[0])), [[5, null], [150, null], [201, 'blue']], `output ${when}`);
      const [hits] = await s.client.search('af', { data: [vecs[202]!], limit: 3, filter: 'color == "red"', outputFields: ['color'], consistencyLevel: 'Strong' });
      assert.is(hits![0]!.id, 202, `a filtered search ${when}`);
      assert.ok(hits!.every((h) => h.fields.color === 'red'));
    };
    await check('while growing');
    await s.client.flush('af');
    await until(async () => (await s.client.getLoadState('af')).loadProgress === 100, 'all rows served', 30_000);
    await check('after a flush (files with and without the column)');

    await refused(s.client.addCollectionField('af', { name: 'n', dataType: 'Int64' }), /must be nullable/);
    await refused(s.client.addCollectionField('af', { name: 'n', dataType: 'Array', elementType: 'Int64', maxCapacity: 4, nullable: true, defaultValue: 3 } as never), /cannot have a default value/);
    await refused(s.client.addCollectionField('af', { name: 'v2', dataType: 'FloatVector', dim: 4 }), /must be nullable/);
    await refused(s.client.addCollectionField('af', { name: 'color', dataType: 'Int64', nullable: true }), /duplicate field name 'color'/);
    await refused(s.client.addCollectionField('af', { name: 'k', dataType: 'Int64', nullable: true, isPrimary: true }), /primary key/);
    await refused(s.client.addCollectionField('nope', { name: 'k', dataType: 'Int64', nullable: true }), /does not exist/);

    await s.stop();
    s = await tempStandalone({ ...opts, dataDir });
    await until(async () => (await s.client.getLoadState('af')).loadProgress === 100, 'served after the restart', 30_000);
    await check('after a restart');
  } finally { await s.cleanup(); }
});

test('an added field with a default: earlier rows read the default in outputs, filters (past its scalar index), grouping, after a restart', async () => {
  let s = await tempStandalone(opts);
  const { dataDir } = s;
  try {
    const indexParams = [{ indexName: 'vec_idx', fieldName: 'vec', indexType: 'HNSW', params: { M: 8, efConstruction: 32 } }];
    await s.client.createCollection({ collectionName: 'ad', schema, metricType: 'L2', shardsNum: 2, indexParams, load: true });
    await s.client.insert('ad', Array.from({ length: 100 }, (_, id) => ({ id, vec: vecs[id]! })));
    await s.client.flush('ad');
    await until(async () => (await s.client.getLoadState('ad')).loadProgress === 100, 'sealed rows served', 30_000);
    await s.client.insert('ad', Array.from({ length: 100 }, (_, i) => ({ id: 100 + i, vec: vecs[100 + i]! }))); // growing

    await s.client.addCollectionField('ad', { name: 'tier', dataType: 'VarChar', maxLength: 8, nullable: true, defaultValue: 'basic' });
    // A scalar index on it: sealed segments written before the field hold no entry for their rows.
    await s.client.createIndex('ad', { indexName: 'tier_idx', fieldName: 'tier', indexType: 'INVERTED', params: {} });
    // After it: ids 200..299, even ids 'gold', odd ids leave it out (so take the default).
    await s.client.insert('ad', Array.from({ length: 100 }, (_, i) => ({ id: 200 + i, vec: vecs[200 + i]!, ...(i % 2 === 0 ? { tier: 'gold' } : {}) })));

    const gold = Array.from({ length: 50 }, (_, i) => 200 + 2 * i);
    const basic = Array.from({ length: 300 }, (_, i) => i).filter((i) => !gold.includes(i));
    const ids = async (filter: string) => (await s.client.query('ad', { filter, outputFields: ['id'], consistencyLevel: 'Strong' })).map((r) => r.id as number).sort((a, b) => a - b);
    const check = async (when: string) => {
      assert.equal(await ids('tier == "basic"'), basic, `rows before the field read the default ${when}`);
      assert.equal(await ids('tier == "gold"'), gold, `gold rows ${when}`);
      assert.equal(await ids('tier in ["basic"] and id < 100'), Array.from({ length: 100 }, (_, i) => i), `sealed rows before the field ${when}`);
      assert.equal(await ids('tier is null'), [], `no row reads null ${when}`);
      const rows = await s.client.get('ad', [5, 150, 200, 201], { outputFields: ['tier'], consistencyLevel: 'Strong' });
      assert.equal(rows.map((r) => [r.id, r.tier]).sort((a, b) => Number(a[0]) - Number(b[0])), [[5, 'basic'], [150, 'basic'], [200, 'gold'], [201, 'basic']], `output ${when}`);
      const [groups] = await s.client.search('ad', { data: [vecs[3]!], limit: 2, groupingField: 'tier', outputFields: ['tier'], consistencyLevel: 'Strong' });
      assert.equal(groups!.map((h) => h.fields.tier).sort(), ['basic', 'gold'], `grouping sees two groups ${when}`);
    };
    await check('while growing');
    await s.client.flush('ad');
    await until(async () => (await s.client.getLoadState('ad')).loadProgress === 100, 'all rows served', 30_000);
    await check('after a flush (files with and without the column)');

    await s.stop();
    s = await tempStandalone({ ...opts, dataDir });
    await until(async () => (await s.client.getLoadState('ad')).loadProgress === 100, 'served after the restart', 30_000);
    await check('after a restart');
  } finally { await s.cleanup(); }
});

test('an add some shards applied before the coordinator stopped (its record not yet written) completes when asked again', async () => {
  const s = await tempStandalone(opts);
  try {
    await s.client.createCollection({ collectionName: 'half', schema, metricType: 'L2', shardsNum: 2, indexParams: [{ indexName: 'vec_idx', fieldName: 'vec', indexType: 'FLAT', params: {} }], load: true });
    const d = await s.client.describeCollection('half');
    const field = { name: 'extra', dataType: 'Int64' as const, nullable: true };
    // One shard's AddCollectionField, as a broadcast cut short leaves it.
    const v0 = d.vchannels[0]!;
    await s.client.appendWal(v0, [newMessage('AddCollectionField', v0, { collectionId: d.collectionId, field })], 'partial-add');
    assert.not.ok((await s.client.describeCollection('half')).schema.fields.some((f) => f.name === 'extra'), 'the record does not have it yet');
    await s.client.addCollectionField('half', field);
    assert.ok((await s.client.describeCollection('half')).schema.fields.some((f) => f.name === 'extra'), 'the retried add is recorded');
    const vecs = vectors(20, DIM, 3);
    await s.client.insert('half', vecs.map((vec, id) => ({ id, vec, extra: id * 10 })));
    const got = await s.client.query('half', { filter: 'extra >= 0', outputFields: ['extra'], consistencyLevel: 'Strong' });
    assert.is(got.length, 20, 'both shards take rows with the field');
    await refused(s.client.addCollectionField('half', { name: 'extra', dataType: 'VarChar', maxLength: 4, nullable: true }), /extra/);
  } finally { await s.cleanup(); }
});

test.run();
