import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Invariant } from '../../messages/errors.js';
import { vchannelView } from '../../actors/streaming-node/core/vchannel/index.js';
import { accepted, given, ok } from './spec.js';
import { COLL, DEFAULT, m, schema } from './fixtures.js';

test('nothing but CreateCollection before the collection exists', () => {
  given([]).when(m.insert(5, 1)).then(Invariant.CollectionMustExist, 'CollectionNotFound');
  given([]).when(m.begin(5, 1)).then(Invariant.CollectionMustExist);
});

test('CreateCollection makes the vchannel live with its partitions', () => {
  const s = accepted(given([]).when(m.createCollection(1)).then(ok));
  const v = vchannelView(s);
  assert.is(v.state, 'live');
  assert.is(v.collection?.id, COLL);
  assert.equal(v.partitions.map((p) => [p.id, p.name, p.status]), [[DEFAULT, '_default', 'live']]);
});

test('CreateCollection twice is refused', () => {
  given([m.createCollection(1)]).when(m.createCollection(2)).then(Invariant.CollectionAlreadyExists, 'CollectionExists');
});

test("CreateCollection lists '_default' first", () => {
  given([]).when(m.createCollection(1, [{ id: 7, name: 'b' }, { id: DEFAULT, name: '_default' }])).then(Invariant.PartitionMustExist);
  given([]).when(m.createCollection(1, [])).then(Invariant.PartitionMustExist);
});

test('CreateCollection lists each partition once', () => {
  given([]).when(m.createCollection(1, [{ id: DEFAULT, name: '_default' }, { id: DEFAULT, name: 'b' }])).then(Invariant.PartitionAlreadyExists);
  given([]).when(m.createCollection(1, [{ id: DEFAULT, name: '_default' }, { id: 2, name: '_default' }])).then(Invariant.PartitionAlreadyExists);
});

test('CreateCollection carries a valid schema', () => {
  const noVector = { fields: schema.fields.filter((f) => f.dataType !== 'FloatVector') };
  given([]).when(m.createCollection(1, undefined, noVector)).then(Invariant.PayloadMatchesSchema, 'SchemaMismatch');
});

test('a message naming another collection is refused', () => {
  given([m.createCollection(1), m.createSegment(2, 1)]).when(m.insert(3, 1, { collectionId: COLL + 1 })).then(Invariant.CollectionMustExist);
  given([m.createCollection(1)]).when(m.dropCollection(2, COLL + 1)).then(Invariant.CollectionMustExist);
});

test('after DropCollection nothing at all is accepted', () => {
  const dropped = [m.createCollection(1), m.createSegment(2, 1), m.dropCollection(3)];
  assert.is(vchannelView(given(dropped).snapshot).state, 'dropped');
  given(dropped).when(m.insert(4, 1)).then(Invariant.NothingAfterDrop);
  given(dropped).when(m.delete(4)).then(Invariant.NothingAfterDrop);
  given(dropped).when(m.dropCollection(4)).then(Invariant.NothingAfterDrop);
  given(dropped).when(m.createCollection(4)).then(Invariant.NothingAfterDrop);
  given(dropped).when(m.flush(4, 1)).then(Invariant.NothingAfterDrop);
});

test('AlterCollection sets the TTL every reader of the vchannel applies; a CreateCollection may carry one', () => {
  const s = accepted(given([m.createCollection(1)]).when(m.alterCollection(2, 3600)).then(ok));
  assert.is(vchannelView(s).collection?.ttlSeconds, 3600);
  const off = accepted(given([m.createCollection(1), m.alterCollection(2, 3600)]).when(m.alterCollection(3, 0)).then(ok));
  assert.is(vchannelView(off).collection?.ttlSeconds, 0);
  const created = m.createCollection(1);
  created.body.ttlSeconds = 60;
  assert.is(vchannelView(accepted(given([]).when(created).then(ok))).collection?.ttlSeconds, 60);
  given([]).when(m.alterCollection(1, 60)).then(Invariant.CollectionMustExist);
  given([m.createCollection(1), m.dropCollection(2)]).when(m.alterCollection(3, 60)).then(Invariant.NothingAfterDrop);
});

test('AddCollectionField adds a nullable scalar field from its TSO on; one old rows could not honour is refused', () => {
  const s = accepted(given([m.createCollection(1)]).when(m.addField(2, { name: 'color', dataType: 'VarChar', maxLength: 8, nullable: true })).then(ok));
  assert.ok(vchannelView(s).collection?.schema.fields.some((f) => f.name === 'color'));
  given([m.createCollection(1)]).when(m.addField(2, { name: 'n', dataType: 'Int64' })).then(Invariant.PayloadMatchesSchema);
  // The same field again is the add already done (a retried add takes it so); another definition under the name is refused.
  given([m.createCollection(1), m.addField(2, { name: 'c', dataType: 'Bool', nullable: true })]).when(m.addField(3, { nullable: true, name: 'c', dataType: 'Bool' })).then(Invariant.FieldAlreadyAdded);
  given([m.createCollection(1), m.addField(2, { name: 'c', dataType: 'Bool', nullable: true })]).when(m.addField(3, { name: 'c', dataType: 'Int64', nullable: true })).then(Invariant.PayloadMatchesSchema);
  given([]).when(m.addField(1, { name: 'c', dataType: 'Bool', nullable: true })).then(Invariant.CollectionMustExist);
});

test('RenameCollection names the collection anew from its TSO on; only a live collection can be renamed', () => {
  const s = accepted(given([m.createCollection(1)]).when(m.renameCollection(2, 'renamed')).then(ok));
  assert.is(vchannelView(s).collection?.name, 'renamed');
  given([]).when(m.renameCollection(1, 'x')).then(Invariant.CollectionMustExist);
  given([m.createCollection(1), m.dropCollection(2)]).when(m.renameCollection(3, 'x')).then(Invariant.NothingAfterDrop);
});

test.run();
