import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Invariant } from '../../messages/errors.js';
import { vchannelView } from '../../actors/streaming-node/core/vchannel/index.js';
import type { CollectionSchema, Rows } from '../../messages/schema.js';
import { accepted, fold, given, ok } from './spec.js';
import { DEFAULT, m, rows, schema } from './fixtures.js';

/**
 * AlterCollectionField in the vchannel machine: a field's limits change at
 * the message's TSO, so an insert folded after it is checked against the new
 * limit and one before it against the old (the fixture's `tag` is VarChar(16)).
 */
const tagged = (tag: string, firstPk = 1): Rows => ({ ...rows(1, firstPk), fields: { tag: [tag] } });
const long = 'x'.repeat(40);

test('a raised max_length lets longer values in from its TSO on, not before', () => {
  const start = [m.createCollection(1), m.createSegment(2, 1, DEFAULT)];
  given(start).when(m.insert(3, 1, { rows: tagged(long) })).then(Invariant.PayloadMatchesSchema);
  const s = accepted(given(start).when(m.alterField(3, 'tag', { maxLength: 64 })).then(ok));
  assert.is(vchannelView(s).collection?.schema.fields.find((f) => f.name === 'tag')?.maxLength, 64);
  given([...start, m.alterField(3, 'tag', { maxLength: 64 })]).when(m.insert(4, 1, { rows: tagged(long) })).then(ok);
  given([...start, m.alterField(3, 'tag', { maxLength: 64 })]).when(m.insert(4, 1, { rows: tagged('y'.repeat(65)) })).then(Invariant.PayloadMatchesSchema);
});

test('a lowered max_length refuses longer writes after it; rows folded before it stay', () => {
  const before = [m.createCollection(1), m.createSegment(2, 1, DEFAULT), m.insert(3, 1, { rows: tagged('sixteen-chars-ok') })];
  const s = fold([...before, m.alterField(4, 'tag', { maxLength: 4 })]);
  assert.is(vchannelView(s).collection?.schema.fields.find((f) => f.name === 'tag')?.maxLength, 4);
  given([...before, m.alterField(4, 'tag', { maxLength: 4 })]).when(m.insert(5, 1, { rows: tagged('five!', 9) })).then(Invariant.PayloadMatchesSchema);
  given([...before, m.alterField(4, 'tag', { maxLength: 4 })]).when(m.insert(5, 1, { rows: tagged('four', 9) })).then(ok);
});

test('max_capacity of an Array changes likewise', () => {
  const s: CollectionSchema = { fields: [...schema.fields, { name: 'nums', dataType: 'Array', elementType: 'Int64', maxCapacity: 2, nullable: true }] };
  const start = [m.createCollection(1, undefined, s), m.createSegment(2, 1, DEFAULT)];
  const three = (pk: number): Rows => ({ ...rows(1, pk), fields: { tag: ['t'], nums: [[1, 2, 3]] } });
  given(start).when(m.insert(3, 1, { rows: three(1) })).then(Invariant.PayloadMatchesSchema);
  given([...start, m.alterField(3, 'nums', { maxCapacity: 3 })]).when(m.insert(4, 1, { rows: three(1) })).then(ok);
});

test('the machine refuses what no field could take: unknown field, primary key, wrong type, out of range, no collection', () => {
  const live = [m.createCollection(1)];
  given(live).when(m.alterField(2, 'nope', { maxLength: 8 })).then(Invariant.PayloadMatchesSchema);
  given(live).when(m.alterField(2, 'id', { maxLength: 8 })).then(Invariant.PayloadMatchesSchema);
  given(live).when(m.alterField(2, 'tag', { maxCapacity: 8 })).then(Invariant.PayloadMatchesSchema);
  given(live).when(m.alterField(2, 'tag', { maxLength: 65536 })).then(Invariant.PayloadMatchesSchema);
  given([]).when(m.alterField(1, 'tag', { maxLength: 8 })).then(Invariant.CollectionMustExist);
  given([m.createCollection(1), m.dropCollection(2)]).when(m.alterField(3, 'tag', { maxLength: 8 })).then(Invariant.NothingAfterDrop);
});

test('it aborts open transactions, as other schema changes do: an upsert checked before it cannot commit after it', () => {
  const s = [m.createCollection(1), m.createSegment(2, 1, DEFAULT), m.begin(3, 7), m.insert(4, 1, { rows: tagged('sixteen-chars-ok'), txn: 7 })];
  given([...s, m.alterField(5, 'tag', { maxLength: 4 })]).when(m.commit(6, 7)).then(Invariant.TxnAbortedByDdl);
});

test.run();
