import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { decideAlter } from '../../actors/coordinator/core/alteredProperties.js';
import { alreadyDoneBy, applyStep, broadcasts, changesSchema } from '../../actors/coordinator/core/journaledDdl.js';
import { PROPERTY_KEYS } from '../../messages/collectionProperties.js';
import { Invariant } from '../../messages/errors.js';
import type { AlterStep, DdlStep } from '../../messages/pendingDdl.js';
import type { CollectionRecord } from '../../messages/rpc/records.js';

/**
 * Journaled DDL (pure part): a step applied to a record once or twice gives
 * the same record (a coordinator resuming a step whose record was saved
 * changes nothing), and each step names the invariant a shard that took it
 * already answers with.
 */
const record = (): CollectionRecord => ({
  collectionId: 7, name: 'c', metricType: 'L2', shards: 2, vchannels: ['p0_7v0', 'p1_7v1'], consistencyLevel: 'Bounded',
  partitions: [{ id: 8, name: '_default' }, { id: 9, name: 'old' }], loaded: true, loadedPartitions: [8, 9], loadFields: ['id', 'v', 'note'],
  createdTso: 1n, state: 'created', indexes: [{ indexName: 'old_idx', fieldName: 'id', indexType: 'STL_SORT', params: {} }],
  schema: { fields: [{ name: 'id', dataType: 'Int64', isPrimary: true }, { name: 'v', dataType: 'FloatVector', dim: 4 }, { name: 'note', dataType: 'VarChar', maxLength: 8 }] },
}) as CollectionRecord;

const steps: DdlStep[] = [
  { type: 'AddCollectionField', body: { field: { name: 'extra', dataType: 'Int32', nullable: true } } },
  { type: 'AlterCollectionField', body: { fieldName: 'note', params: { maxLength: 16 } } },
  { type: 'DropCollectionField', body: { fieldName: 'note' } },
  { type: 'CreatePartition', body: { partition: { id: 10, name: 'new' } } },
  { type: 'DropPartition', body: { partitionId: 9 } },
  { type: 'TruncateCollection', body: {} },
  { type: 'CreateIndex', body: { index: { indexName: 'vi', fieldName: 'v', indexType: 'FLAT', metricType: 'L2', params: {} } } },
  { type: 'DropIndex', body: { indexName: 'old_idx' } },
];

test('each step applied twice is the step applied once', () => {
  for (const step of steps) {
    const once = applyStep(record(), step, [100n, 200n]);
    const twice = applyStep(applyStep(record(), step, [100n, 200n]), step, [100n, 200n]);
    assert.equal(twice, once, step.type);
    assert.not.equal(once, record(), `${step.type} changes the record`);
  }
});

test('what each step does to the record', () => {
  const added = applyStep(record(), steps[0]!, []);
  assert.equal(added.schema.fields.map((f) => f.name), ['id', 'v', 'note', 'extra']);
  assert.is(applyStep(record(), steps[1]!, []).schema.fields[2]!.maxLength, 16);
  const dropped = applyStep(record(), steps[2]!, []);
  assert.equal(dropped.schema.fields.map((f) => f.name), ['id', 'v']);
  assert.equal(dropped.loadFields, ['id', 'v'], 'a loaded field list forgets the field');
  assert.equal(applyStep(record(), steps[3]!, []).partitions.map((p) => p.name), ['_default', 'old', 'new']);
  const gone = applyStep(record(), steps[4]!, []);
  assert.equal(gone.partitions.map((p) => p.id), [8]);
  assert.equal(gone.loadedPartitions, [8]);
  assert.equal(applyStep(record(), steps[6]!, []).indexes.map((i) => i.indexName), ['old_idx', 'vi']);
  assert.equal(applyStep(record(), steps[7]!, []).indexes, []);
});

test('a truncate records each shard\'s cut; a shard that had taken it keeps the one it has', () => {
  assert.equal(applyStep(record(), steps[5]!, [100n, 200n]).truncatedTso, { p0_7v0: 100n, p1_7v1: 200n });
  const before = { ...record(), truncatedTso: { p0_7v0: 50n, p1_7v1: 60n } };
  assert.equal(applyStep(before, steps[5]!, [0n, 300n]).truncatedTso, { p0_7v0: 50n, p1_7v1: 300n });
});

test('the invariant that says a shard took the step already, and which steps change the schema', () => {
  assert.equal(steps.map(alreadyDoneBy), [Invariant.FieldAlreadyAdded, undefined, Invariant.FieldAlreadyDropped, Invariant.PartitionAlreadyExists, Invariant.PartitionMustExist, undefined, Invariant.IndexAlreadyExists, Invariant.IndexMustExist]);
  assert.equal(steps.map(changesSchema), [true, true, true, false, false, false, false, false]);
});

const noProperties = Object.fromEntries(Object.values(PROPERTY_KEYS).map((name) => [name, null])) as AlterStep['properties'];

test('an alter is decided against the record: only a TTL change is broadcast, and nothing changed is no step', () => {
  const rec = record();
  assert.is(decideAlter(rec, {}, []), null, 'nothing asked');
  const quota = decideAlter(rec, { queryRateMaxQps: 50 }, [])!;
  assert.equal([quota.body, quota.properties.queryRateMaxQps, broadcasts(quota)], [null, 50, false], 'a property only the record reads');
  const ttl = decideAlter(rec, { ttlSeconds: 60, timezone: 'Asia/Tokyo' }, [])!;
  assert.equal([ttl.body, ttl.properties.ttlSeconds, ttl.properties.timezone, broadcasts(ttl)], [{ ttlSeconds: 60 }, 60, 'Asia/Tokyo', true]);
  const applied = applyStep(record(), ttl, [5n, 6n]);
  assert.equal([applied.ttlSeconds, applied.timezone], [60, 'Asia/Tokyo']);
  assert.is(decideAlter(applied, { ttlSeconds: 60 }, []), null, 'the same value again');
  const dropped = decideAlter(applied, {}, ['ttlSeconds'])!;
  assert.equal([dropped.body, dropped.properties.ttlSeconds, dropped.properties.timezone], [{ ttlSeconds: 0 }, null, 'Asia/Tokyo']);
  assert.is(applyStep(applied, dropped, [7n, 8n]).ttlSeconds, undefined);
  assert.throws(() => decideAlter(rec, { ttlField: 'note' }, []), /Timestamptz/, 'a ttl_field must be a Timestamptz field');
  assert.equal([alreadyDoneBy(ttl), changesSchema(ttl)], [undefined, false]);
});

test('an alter that drops a ttl_field keeps it with each shard\'s TSO of the change; applied twice, once', () => {
  const rec = { ...record(), ttlField: 'at', schema: { fields: [...record().schema.fields, { name: 'at', dataType: 'Timestamptz', nullable: true }] } } as CollectionRecord;
  const step = decideAlter(rec, {}, ['ttlField'])!;
  assert.equal(step, { type: 'AlterCollection', body: { ttlSeconds: 0 }, properties: noProperties });
  const once = applyStep(structuredClone(rec), step, [11n, 12n]);
  assert.equal([once.ttlField, once.ttlFieldDropped], [undefined, { field: 'at', tso: { p0_7v0: 11n, p1_7v1: 12n } }]);
  assert.equal(applyStep(structuredClone(once), step, [11n, 12n]), once);
});

test.run();
