import { test } from 'uvu';
import { Invariant } from '../../messages/errors.js';
import { given, ok } from './spec.js';
import { DEFAULT, liveCollection, m, rows, schema } from './fixtures.js';
import type { CollectionSchema } from '../../messages/schema.js';

const live = liveCollection();
const insertOf = (r: ReturnType<typeof rows>) => m.insert(10, 1, { rows: r });

test('Insert rows match the collection schema', () => {
  given(live).when(insertOf(rows(2))).then(ok);
});

test('a wrong vector dimension is refused', () => {
  given(live).when(insertOf({ ...rows(2), vectors: new Float32Array(6) })).then(Invariant.PayloadMatchesSchema, 'SchemaMismatch');
});

test('a wrong scalar type or a missing field is refused', () => {
  given(live).when(insertOf({ ...rows(2), fields: { tag: [1, 2] } })).then(Invariant.PayloadMatchesSchema, 'SchemaMismatch');
  given(live).when(insertOf({ ...rows(2), fields: {} })).then(Invariant.PayloadMatchesSchema);
  given(live).when(insertOf({ ...rows(2), fields: { tag: ['a', 'b'], color: ['r', 'g'] } })).then(Invariant.PayloadMatchesSchema);
});

test('Array columns: each value a list of the element type within capacity, whoever wrote the message', () => {
  const withNums: CollectionSchema = { fields: [...schema.fields, { name: 'nums', dataType: 'Array', elementType: 'Int32', maxCapacity: 2, nullable: true }] };
  const live = [m.createCollection(1, [{ id: DEFAULT, name: '_default' }], withNums), m.createSegment(2, 1)];
  const withColumn = (nums: unknown[]) => m.insert(10, 1, { rows: { ...rows(2), fields: { ...rows(2).fields, nums } } });
  given(live).when(withColumn([[1, -2], []])).then(ok);
  given(live).when(withColumn([null, [2147483647]])).then(ok);
  given(live).when(withColumn([[1, 2, 3], []])).then(Invariant.PayloadMatchesSchema, 'SchemaMismatch');
  given(live).when(withColumn([['1'], []])).then(Invariant.PayloadMatchesSchema, 'SchemaMismatch');
  given(live).when(withColumn([[2 ** 31], []])).then(Invariant.PayloadMatchesSchema, 'SchemaMismatch');
  given(live).when(withColumn([7, []])).then(Invariant.PayloadMatchesSchema, 'SchemaMismatch');
});

test('primary keys must fit the schema and be unique in a batch', () => {
  given(live).when(insertOf({ ...rows(2), pks: ['a', 'b'] })).then(Invariant.PayloadMatchesSchema);
  given(live).when(insertOf({ ...rows(2), pks: [5, 5] })).then(Invariant.PayloadMatchesSchema);
});

test('an empty insert is refused', () => {
  given(live).when(insertOf({ count: 0, pks: [], vectors: new Float32Array(0), fields: { tag: [] } })).then(Invariant.PayloadMatchesSchema);
});

test('a txn body is checked against the schema when it is appended', () => {
  given([...live, m.begin(9, 7)]).when(m.insert(10, 1, { txn: 7, rows: { ...rows(2), vectors: new Float32Array(3) } })).then(Invariant.PayloadMatchesSchema);
});

test.run();
