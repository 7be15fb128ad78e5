/**
 * Specifies the gateway's request parsing: Milvus RESTful v2 JSON in, typed
 * NuthatchApi arguments out, or an InvalidArgument that names the wrong field.
 * Pure functions; no server.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { NuthatchError } from '../../messages/index.js';
import { parseAlterProperties, parseCollectionName, parseDropProperties, parseListCollections, parseLoadState, parseRename } from '../../runtime/http/parseCollections.js';
import { parseCreateCollection } from '../../runtime/http/parseCreateCollection.js';
import { parseDelete, parseGet, parseHybridSearch, parseQuery, parseSearch, parseWrite } from '../../runtime/http/parseEntities.js';
import { decodeQueryCursor, encodeQueryCursor } from '../../runtime/http/queryCursor.js';
import { parseCreateIndex, parseDescribeIndex } from '../../runtime/http/parseIndexes.js';
import { parsePartitionNames, parsePartitionRef } from '../../runtime/http/parsePartitions.js';

/** Asserts that fn throws a NuthatchError with this code and a message matching the pattern. */
function refuses(fn: () => unknown, pattern: RegExp, code = 'InvalidArgument'): void {
  try { fn(); } catch (e) {
    assert.instance(e, NuthatchError);
    assert.is((e as NuthatchError).code, code, (e as Error).message);
    assert.match((e as Error).message, pattern);
    return;
  }
  assert.unreachable(`expected a refusal matching ${pattern}`);
}

const V8 = [1, 2, 3, 4, 5, 6, 7, 8];

test('quick setup: Milvus defaults (id, vector, COSINE, Int64, dynamic field, AUTOINDEX, load)', () => {
  assert.equal(parseCreateCollection({ collectionName: 'c', dimension: 8 }), {
    collectionName: 'c', metricType: 'COSINE', load: true,
    schema: { fields: [{ name: 'id', dataType: 'Int64', isPrimary: true, autoId: false }, { name: 'vector', dataType: 'FloatVector', dim: 8 }], enableDynamicField: true },
    indexParams: [{ indexName: 'vector', fieldName: 'vector', indexType: 'AUTOINDEX', metricType: 'COSINE', params: {} }],
  });
});

test('quick setup: VarChar ids take params.max_length (also as a string), names and metric', () => {
  const r = parseCreateCollection({ collectionName: 'c', dimension: 4, idType: 'VarChar', params: { max_length: '512', shardsNum: 2, consistencyLevel: 'STRONG' }, primaryFieldName: 'my_id', vectorFieldName: 'emb', metricType: 'l2' });
  assert.equal(r.schema.fields[0], { name: 'my_id', dataType: 'VarChar', isPrimary: true, autoId: false, maxLength: 512 });
  assert.is(r.metricType, 'L2');
  assert.is(r.shardsNum, 2);
  assert.is(r.consistencyLevel, 'Strong');
  assert.is(r.indexParams![0]!.fieldName, 'emb');
  refuses(() => parseCreateCollection({ collectionName: 'c', dimension: 4, idType: 'VarChar' }), /max_length/);
  refuses(() => parseCreateCollection({ collectionName: 'c', dimension: 4, idType: 'VarChar', autoID: true, params: { max_length: 8 } }), /autoId needs an Int64/);
  refuses(() => parseCreateCollection({ collectionName: 'c', dimension: 4, idType: 'Float' }), /idType/);
  refuses(() => parseCreateCollection({ collectionName: 'c', dimension: 4, params: { max_length: 8 } }), /only for idType VarChar/);
});

test('quick setup: autoID and autoId are both accepted but must agree', () => {
  assert.is(parseCreateCollection({ collectionName: 'c', dimension: 4, autoId: true }).schema.fields[0]!.autoId, true);
  assert.is(parseCreateCollection({ collectionName: 'c', dimension: 4, autoID: 'true' }).schema.fields[0]!.autoId, true);
  refuses(() => parseCreateCollection({ collectionName: 'c', dimension: 4, autoID: true, autoId: false }), /disagree/);
});

test('quick setup: dimension must be an integer in range', () => {
  for (const dimension of [0, 32769, 2.5, '8', null]) {
    refuses(() => parseCreateCollection({ collectionName: 'c', dimension }), /dimension/);
  }
});

test('custom setup: schema fields, elementTypeParams (strings too), indexParams, params', () => {
  const r = parseCreateCollection({
    collectionName: 'books',
    schema: {
      autoId: true, enableDynamicField: false,
      fields: [
        { fieldName: 'book_id', dataType: 'Int64', isPrimary: true, elementTypeParams: {} },
        { fieldName: 'title', dataType: 'varchar', elementTypeParams: { max_length: '64' }, isPartitionKey: false },
        { fieldName: 'score', dataType: 'Float', nullable: true },
        { fieldName: 'v', dataType: 'FloatVector', elementTypeParams: { dim: '5' } },
      ],
    },
    indexParams: [{ fieldName: 'v', metricType: 'IP', indexName: 'v_idx', params: { index_type: 'HNSW', M: 16, efConstruction: '200' } }],
    params: { consistencyLevel: 0 },
  });
  assert.equal(r.schema, {
    enableDynamicField: false,
    fields: [
      { name: 'book_id', dataType: 'Int64', isPrimary: true, autoId: true },
      { name: 'title', dataType: 'VarChar', maxLength: 64 },
      { name: 'score', dataType: 'Float', nullable: true },
      { name: 'v', dataType: 'FloatVector', dim: 5 },
    ],
  });
  assert.is(r.metricType, 'IP');
  assert.equal(r.indexParams, [{ indexName: 'v_idx', fieldName: 'v', indexType: 'HNSW', metricType: 'IP', params: { M: 16, efConstruction: 200 } }]);
  assert.is(r.load, true);
  assert.is(r.consistencyLevel, 'Strong');
});

test('custom setup without indexParams: not loaded, metric from the top level or COSINE', () => {
  const fields = [{ fieldName: 'id', dataType: 'Int64', isPrimary: true }, { fieldName: 'v', dataType: 'FloatVector', elementTypeParams: { dim: 4 } }];
  const r = parseCreateCollection({ collectionName: 'c', schema: { fields } });
  assert.is(r.load, false);
  assert.is(r.indexParams, undefined);
  assert.is(r.metricType, 'COSINE');
  assert.is(parseCreateCollection({ collectionName: 'c', metricType: 'L2', schema: { fields } }).metricType, 'L2');
  refuses(() => parseCreateCollection({ collectionName: 'c', metricType: 'L2', schema: { fields }, indexParams: [{ fieldName: 'v', metricType: 'IP' }] }), /disagree/);
  refuses(() => parseCreateCollection({ collectionName: 'c', schema: { fields }, indexParams: [{ fieldName: 'w' }] }), /'w', which is not a field/);
  refuses(() => parseCreateCollection({ collectionName: 'c', schema: { fields }, indexParams: [{ fieldName: 'v' }, { fieldName: 'v', indexName: 'x' }] }), /indexed twice/);
  refuses(() => parseCreateCollection({ collectionName: 'c', schema: { fields }, indexParams: [{ fieldName: 'v', indexType: 'HNSW', params: { index_type: 'FLAT' } }] }), /disagree/);
});

test('custom setup: bad schemas are refused with the reason', () => {
  const pk = { fieldName: 'id', dataType: 'Int64', isPrimary: true };
  const v = { fieldName: 'v', dataType: 'FloatVector', elementTypeParams: { dim: 4 } };
  const create = (fields: unknown) => () => parseCreateCollection({ collectionName: 'c', schema: { fields } });
  refuses(create([pk, v, { fieldName: 'v', dataType: 'Bool' }]), /duplicate field name 'v'/);
  refuses(create([pk, { ...pk, fieldName: 'id2' }, v]), /exactly one primary key field, has 2/);
  refuses(create([pk]), /1 to 4 FloatVector fields, has 0/);
  const vs = (n: number) => Array.from({ length: n }, (_, i) => ({ ...v, fieldName: `v${i}` }));
  refuses(create([pk, ...vs(5)]), /1 to 4 FloatVector fields, has 5/);
  assert.is(parseCreateCollection({ collectionName: 'c', schema: { fields: [pk, ...vs(4)] } }).schema.fields.length, 5, 'four vector fields are allowed');
  refuses(create([]), /schema.fields/);
  refuses(create([pk, v, { fieldName: 'a', dataType: 'Vector' }]), /schema.fields\[2\].dataType.*supports/);
  refuses(create([pk, v, { fieldName: 'a', dataType: 'Array' }]), /Array field 'a' needs 'schema.fields\[2\].elementDataType'/);
  refuses(create([pk, v, { fieldName: 'n', dataType: 'Int32', elementTypeParams: { dim: 3 } }]), /only for dense vector fields/);
  refuses(create([pk, v, { fieldName: 'n', dataType: 'Int32', isPartitionKey: true }]), /partition key 'n' must be Int64 or VarChar/);
  refuses(create([pk, v, { fieldName: 'a', dataType: 'Int64', isPartitionKey: true }, { fieldName: 'b', dataType: 'Int64', isPartitionKey: true }]), /at most one partition key/);
  refuses(create([pk, v, { fieldName: 'n', dataType: 'Int64', isPartitionKey: 'yes' }]), /isPartitionKey/);
  refuses(create([pk, v, { fieldName: 'n', dataType: 'Int32', bogus: 1 }]), /unknown field 'schema.fields\[2\].bogus'/);
  refuses(create([pk, { ...v, elementTypeParams: {} }]), /needs 'schema.fields\[1\].elementTypeParams.dim'/);
  refuses(create([pk, { ...v, elementTypeParams: { dim: 4, max_capacity: 3 } }]), /max_capacity' is only for Array fields, and 'v' is FloatVector/);
  refuses(create([{ ...pk, dataType: 'Float' }, v]), /must be Int64 or VarChar/);
  refuses(create([pk, { ...v, fieldName: '1v' }]), /must not start with a digit/);
  refuses(() => parseCreateCollection({ collectionName: 'c', dimension: 4, schema: { fields: [pk, v] } }), /'dimension' belongs to the quick setup/);
  refuses(() => parseCreateCollection({ collectionName: 'c' }), /'dimension'.*'schema'/);
  refuses(() => parseCreateCollection({ collectionName: 'c', dimension: 4, properties: [] }), /'properties' must be/);
  refuses(() => parseCreateCollection({ collectionName: 'c', dimension: 4, params: { partitionsNum: 1025 } }), /params.partitionsNum' must be an integer in 1..1024/);
  refuses(() => parseCreateCollection({ collectionName: 'c', dimension: 4, params: { partitionsNum: 0 } }), /params.partitionsNum/);
  refuses(() => parseCreateCollection({ collectionName: 'c', dimension: 4, params: { partitionKeyIsolation: 'yes' } }), /params.partitionKeyIsolation/);
  refuses(() => parseCreateCollection({ collectionName: 'c', dimension: 4, params: { partitionKeyIsolation: true }, properties: { 'partitionkey.isolation': 'false' } }), /disagree/);
  refuses(() => parseCreateCollection({ collectionName: 'c', dimension: 4, params: { shardsNum: 17 } }), /shardsNum/);
  refuses(() => parseCreateCollection({ collectionName: 'c', dimension: 4, params: { consistencyLevel: 'Customized' } }), /consistencyLevel/);
});

test('custom setup: a partition key field and params.partitionsNum (a number or a numeric string, as Milvus takes it)', () => {
  const fields = [
    { fieldName: 'id', dataType: 'Int64', isPrimary: true },
    { fieldName: 'v', dataType: 'FloatVector', elementTypeParams: { dim: 4 } },
    { fieldName: 'tenant', dataType: 'VarChar', isPartitionKey: true, elementTypeParams: { max_length: 64 } },
  ];
  const req = parseCreateCollection({ collectionName: 'c', schema: { fields }, params: { partitionsNum: '32', partitionKeyIsolation: false } });
  assert.is(req.numPartitions, 32);
  assert.equal(req.properties, { 'partitionkey.isolation': false });
  // params.partitionKeyIsolation is the REST form of the partitionkey.isolation property (the coordinator checks the key).
  assert.equal(parseCreateCollection({ collectionName: 'c', schema: { fields }, params: { partitionKeyIsolation: 'true' } }).properties, { 'partitionkey.isolation': true });
  assert.equal(parseCreateCollection({ collectionName: 'c', schema: { fields }, params: { partitionKeyIsolation: true }, properties: { 'partitionkey.isolation': 'true' } }).properties, { 'partitionkey.isolation': true });
  assert.equal(req.schema.fields[2], { name: 'tenant', dataType: 'VarChar', isPartitionKey: true, maxLength: 64 });
  assert.is(parseCreateCollection({ collectionName: 'c', schema: { fields } }).numPartitions, undefined, 'no number: the coordinator picks 16');
  // Whether partitionsNum comes with a key is the coordinator's check (as Milvus's), so quick setup parses it.
  assert.is(parseCreateCollection({ collectionName: 'c', dimension: 4, params: { partitionsNum: 4 } }).numPartitions, 4);
});

test('custom setup: Array fields as Milvus REST v2 spells them (elementDataType, elementTypeParams.max_capacity)', () => {
  const pk = { fieldName: 'id', dataType: 'Int64', isPrimary: true };
  const v = { fieldName: 'v', dataType: 'FloatVector', elementTypeParams: { dim: 4 } };
  const fields = [pk, v,
    { fieldName: 'tags', dataType: 'Array', elementDataType: 'VarChar', elementTypeParams: { max_capacity: '10', max_length: 64 }, nullable: true },
    { fieldName: 'nums', dataType: 'array', elementDataType: 'int64', elementTypeParams: { max_capacity: 4096 } },
    { fieldName: 'flags', dataType: 'Array', elementDataType: 'Bool', elementTypeParams: { max_capacity: 1 } }];
  assert.equal(parseCreateCollection({ collectionName: 'c', schema: { fields } }).schema.fields.slice(2), [
    { name: 'tags', dataType: 'Array', elementType: 'VarChar', nullable: true, maxLength: 64, maxCapacity: 10 },
    { name: 'nums', dataType: 'Array', elementType: 'Int64', maxCapacity: 4096 },
    { name: 'flags', dataType: 'Array', elementType: 'Bool', maxCapacity: 1 },
  ]);
  const create = (f: object) => () => parseCreateCollection({ collectionName: 'c', schema: { fields: [pk, v, { fieldName: 'a', dataType: 'Array', ...f }] } });
  refuses(create({ elementTypeParams: { max_capacity: 2 } }), /Array field 'a' needs 'schema.fields\[2\].elementDataType'/);
  refuses(create({ elementDataType: 'Array', elementTypeParams: { max_capacity: 2 } }), /'schema.fields\[2\].elementDataType' must be one of Bool, .*VarChar \(an Array's element types\), got the string "Array"/);
  refuses(create({ elementDataType: 'JSON', elementTypeParams: { max_capacity: 2 } }), /elementDataType' must be one of/);
  refuses(create({ elementDataType: 'FloatVector', elementTypeParams: { max_capacity: 2 } }), /elementDataType' must be one of/);
  refuses(create({ elementDataType: 'Int32' }), /Array field 'a' needs 'schema.fields\[2\].elementTypeParams.max_capacity'/);
  refuses(create({ elementDataType: 'Int32', elementTypeParams: { max_capacity: 0 } }), /max_capacity/);
  refuses(create({ elementDataType: 'Int32', elementTypeParams: { max_capacity: 4097 } }), /max_capacity/);
  refuses(create({ elementDataType: 'VarChar', elementTypeParams: { max_capacity: 2 } }), /Array of VarChar field 'a' needs 'schema.fields\[2\].elementTypeParams.max_length'/);
  refuses(create({ elementDataType: 'Int32', elementTypeParams: { max_capacity: 2, max_length: 8 } }), /max_length' is only for VarChar fields and Arrays of VarChar, and 'a' is an Array of Int32/);
  refuses(create({ elementDataType: 'Int32', elementTypeParams: { max_capacity: 2 }, isPrimary: true }), /primary key 'a' must be Int64 or VarChar/);
  refuses(() => parseCreateCollection({ collectionName: 'c', schema: { fields: [pk, v, { fieldName: 'n', dataType: 'Int32', elementDataType: 'Int32' }] } }), /elementDataType' is only for Array fields, and 'n' is Int32/);
  refuses(() => parseCreateCollection({ collectionName: 'c', schema: { fields: [pk, v, { fieldName: 'n', dataType: 'Int32', elementTypeParams: { max_capacity: 3 } }] } }), /max_capacity' is only for Array fields/);
});

test('custom setup: defaultValue as Milvus REST v2 spells it, checked against its field; null means none', () => {
  const pk = { fieldName: 'id', dataType: 'Int64', isPrimary: true };
  const v = { fieldName: 'v', dataType: 'FloatVector', elementTypeParams: { dim: 4 } };
  const fields = [pk, v,
    { fieldName: 'age', dataType: 'Int64', defaultValue: 18 },
    { fieldName: 'status', dataType: 'VarChar', defaultValue: 'active', nullable: true, elementTypeParams: { max_length: 10 } },
    { fieldName: 'ok', dataType: 'Bool', defaultValue: false },
    { fieldName: 'w', dataType: 'Float', defaultValue: 0.5 },
    { fieldName: 'none', dataType: 'Int8', defaultValue: null }];
  assert.equal(parseCreateCollection({ collectionName: 'c', schema: { fields } }).schema.fields.slice(2), [
    { name: 'age', dataType: 'Int64', defaultValue: 18 },
    { name: 'status', dataType: 'VarChar', nullable: true, defaultValue: 'active', maxLength: 10 },
    { name: 'ok', dataType: 'Bool', defaultValue: false },
    { name: 'w', dataType: 'Float', defaultValue: 0.5 },
    { name: 'none', dataType: 'Int8' },
  ]);
  const create = (f: object) => () => parseCreateCollection({ collectionName: 'c', schema: { fields: [pk, v, f] } });
  refuses(create({ fieldName: 'b', dataType: 'Bool', defaultValue: 10 }), /^the default value of field 'b' must be a boolean$/);
  refuses(create({ fieldName: 's', dataType: 'VarChar', defaultValue: true, elementTypeParams: { max_length: 4 } }), /^the default value of field 's' must be a string$/);
  refuses(create({ fieldName: 's', dataType: 'VarChar', defaultValue: 'active', elementTypeParams: { max_length: 4 } }), /^the length \(6 UTF-8 bytes\) of the default value of field 's' exceeds max length \(4\)$/);
  refuses(create({ fieldName: 'n', dataType: 'Int8', defaultValue: 200 }), /^the default value of field 'n' must be an Int8 integer$/);
  refuses(create({ fieldName: 'n', dataType: 'Int64', defaultValue: '18' }), /^the default value of field 'n' must be an Int64 integer$/);
  refuses(create({ fieldName: 'j', dataType: 'JSON', defaultValue: { key: 1 } }), /^field 'j' is JSON and cannot have a default value/);
  refuses(create({ fieldName: 'a', dataType: 'Array', elementDataType: 'Int64', defaultValue: [1, 2], elementTypeParams: { max_capacity: 4 } }), /^field 'a' is Array and cannot have a default value/);
  refuses(() => parseCreateCollection({ collectionName: 'c', schema: { fields: [{ ...pk, defaultValue: 123 }, v] } }), /^primary key 'id' cannot have a default value$/);
  refuses(() => parseCreateCollection({ collectionName: 'c', schema: { fields: [pk, { ...v, defaultValue: 1 }] } }), /^field 'v' is FloatVector and cannot have a default value/);
});

test('names, dbName, unknown fields and body shapes', () => {
  assert.is(parseCollectionName({ collectionName: 'abc_1', dbName: 'default' }), 'abc_1');
  assert.is(parseCollectionName({ collectionName: 'abc_1', dbName: '' }), 'abc_1');
  refuses(() => parseCollectionName({ collectionName: 'a-b' }), /only letters/);
  refuses(() => parseCollectionName({ collectionName: 'x'.repeat(256) }), /longer than 255/);
  refuses(() => parseCollectionName({ collectionName: 3 }), /collectionName' must be a string, got 3/);
  refuses(() => parseCollectionName({}), /collectionName' is required/);
  assert.is(parseCollectionName({ collectionName: 'a', dbName: 'other' }), 'a', 'any valid database name; whether it exists is the api\'s to say');
  refuses(() => parseCollectionName({ collectionName: 'a', dbName: 'ot-her' }), /database name 'ot-her'/);
  refuses(() => parseCollectionName({ collectionName: 'a', colectionName: 'a' }), /unknown field 'colectionName'.*known fields: dbName, collectionName/);
  refuses(() => parseCollectionName([1]), /request body must be a JSON object, got a list/);
  refuses(() => parseCollectionName('x'), /request body must be a JSON object/);
  parseListCollections({});
  refuses(() => parseListCollections({ collectionName: 'a' }), /unknown field 'collectionName'/);
  assert.equal(parsePartitionRef({ collectionName: 'a', partitionName: 'p' }), { collectionName: 'a', partitionName: 'p' });
  refuses(() => parsePartitionRef({ collectionName: 'a' }), /partitionName' is required/);
});

test('insert and upsert: data is a non-empty list of row objects, at most 100000', () => {
  const w = parseWrite({ collectionName: 'c', data: [{ id: 1 }], partitionName: 'p1' });
  assert.equal(w, { collectionName: 'c', rows: [{ id: 1 }], partitionName: 'p1' });
  refuses(() => parseWrite({ collectionName: 'c', data: [] }), /at least one row/);
  refuses(() => parseWrite({ collectionName: 'c', data: {} }), /'data' must be a list of rows/);
  refuses(() => parseWrite({ collectionName: 'c', data: [{ id: 1 }, 5] }), /'data\[1\]' must be a row object, got 5/);
  refuses(() => parseWrite({ collectionName: 'c', data: [null] }), /'data\[0\]' must be a row object, got null/);
  refuses(() => parseWrite({ collectionName: 'c', data: new Array(100_001).fill({}) }), /at most 100000 rows per request, got 100001/);
});

test('search: vectors become Float32Arrays; limit defaults to 100; options are typed', () => {
  const { collectionName, request } = parseSearch({
    collectionName: 'c', data: [V8, V8], annsField: 'vector', filter: 'a > 1', limit: 5, offset: 2,
    outputFields: ['a', '*'], partitionNames: ['p1'], consistencyLevel: 'strong', searchParams: { metricType: 'cosine', params: { ef: 64 } },
  });
  assert.is(collectionName, 'c');
  assert.instance(request.data![0], Float32Array);
  assert.equal(Array.from(request.data![1] as Float32Array), V8);
  assert.equal({ ...request, data: undefined }, {
    data: undefined, annsField: 'vector', filter: 'a > 1', limit: 5, offset: 2, outputFields: ['a', '*'], partitionNames: ['p1'],
    consistencyLevel: 'Strong', searchParams: { metricType: 'COSINE', params: { ef: 64 } },
  });
  const ranged = parseSearch({ collectionName: 'c', data: [V8], searchParams: { params: { radius: 0.2 }, range_filter: 0.9, ignore_growing: true, round_decimal: 3 } }).request;
  assert.equal(ranged.searchParams, { params: { radius: 0.2, range_filter: 0.9 }, ignoreGrowing: true });
  assert.is(ranged.roundDecimal, 3);
  // Index knobs, like range bounds, may sit in params or beside them (older REST clients).
  const knobs = parseSearch({ collectionName: 'c', data: [V8], searchParams: { params: { nprobe: 16 }, ef: 32 } }).request;
  assert.equal(knobs.searchParams, { params: { nprobe: 16, ef: 32 } });
  assert.equal(parseSearch({ collectionName: 'c', data: [V8], searchParams: { nprobe: 4 } }).request.searchParams, { params: { nprobe: 4 } });
  const grouped = parseSearch({ collectionName: 'c', data: [V8], groupingField: 'doc', groupSize: 3, strictGroupSize: true }).request;
  assert.equal([grouped.groupingField, grouped.groupSize, grouped.strictGroupSize], ['doc', 3, true]);
  assert.is(parseSearch({ collectionName: 'c', data: [V8] }).request.limit, 100);
  assert.is(parseSearch({ collectionName: 'c', data: [V8], filter: '  ' }).request.filter, undefined);
});

test('search: junk in vectors is refused at the first bad element', () => {
  const s = (data: unknown) => () => parseSearch({ collectionName: 'c', data });
  refuses(s([]), /at least one query vector/);
  refuses(s(V8), /'data\[0\]' must be a list of numbers/);
  refuses(s([[1, 'NaN']]), /'data\[0\]\[1\]' must be a number, got the string "NaN"/);
  refuses(s([[1, null]]), /'data\[0\]\[1\]' must be a number, got null/);
  refuses(s([[1, [2]]]), /'data\[0\]\[1\]' must be a number, got a list of 1/);
  refuses(s([[1, {}]]), /'data\[0\]\[1\]' must be a number, got an object/);
  refuses(s([[1e39]]), /out of the float32 range/);
  refuses(s([[]]), /empty vector/);
  refuses(s([[1, 2], [1]]), /'data\[1\]' has 1 numbers but 'data\[0\]' has 2/);
  refuses(s(new Array(16385).fill([1])), /at most 16384 query vectors/);
});

test('search: limits, offsets and unsupported Milvus options', () => {
  const s = (extra: object) => () => parseSearch({ collectionName: 'c', data: [V8], ...extra });
  refuses(s({ limit: 0 }), /'limit' must be an integer in 1..16384, got 0/);
  refuses(s({ limit: 16385 }), /limit/);
  refuses(s({ limit: 10, offset: 16380 }), /limit \+ offset must be at most 16384/);
  refuses(s({ offset: -1 }), /offset/);
  refuses(s({ consistencyLevel: 'Customized' }), /consistencyLevel' must be one of Strong, Bounded, Session, Eventually/);
  refuses(s({ searchParams: { params: { ef: '64' } } }), /searchParams.params.ef' must be a finite number/);
  refuses(s({ searchParams: { metricType: 'SUBSTRUCTURE' } }), /metricType/);
  refuses(s({ searchParams: { radius: '1' } }), /searchParams.radius' must be a finite number/);
  refuses(s({ searchParams: { radius: 1, params: { radius: 2 } } }), /searchParams.radius' differs from 'searchParams.params.radius'/);
  refuses(s({ searchParams: { ignore_growing: 'yes' } }), /searchParams.ignore_growing' must be true or false/);
  refuses(s({ searchParams: { round_decimal: 1.5 } }), /searchParams.round_decimal' must be an integer in -1..6/);
  refuses(s({ searchParams: { nlist: 8 } }), /searchParams.nlist/);
  refuses(s({ searchParams: { nprobe: '8' } }), /searchParams.nprobe' must be a finite number/);
  refuses(s({ searchParams: { nprobe: 8, params: { nprobe: 16 } } }), /searchParams.nprobe' differs from 'searchParams.params.nprobe'/);
  refuses(s({ groupingField: 5 }), /'groupingField' must be a string/);
  refuses(s({ groupSize: '2' }), /'groupSize' must be an integer in 1..16384/);
  refuses(s({ strictGroupSize: 1 }), /'strictGroupSize' must be true or false/);
  refuses(s({ functionScore: {} }), /functionScore.functions must be a non-empty list of rerank functions/);
  refuses(s({ functionScore: { functions: [{ type: 'Rerank', params: {} }], params: { boost_mode: 'Sum', bogus: 1 } } }), /bogus/);
  refuses(s({ outputFields: ['a', ''] }), /outputFields\[1\]/);
  refuses(s({ outputFields: 'a' }), /outputFields' must be a list of strings/);
  refuses(s({ partitionNames: ['p-1'] }), /partition name/);
  refuses(s({ filter: 5 }), /filter' must be a string/);
});

test('search: ids instead of data (a primary-key search); not both, not in a hybrid search', () => {
  const { request } = parseSearch({ collectionName: 'c', ids: [551, 'sku-9'], annsField: 'vector', limit: 3 });
  assert.equal(request, { ids: [551, 'sku-9'], annsField: 'vector', limit: 3 });
  refuses(() => parseSearch({ collectionName: 'c', ids: [1], data: [V8] }), /'data' \(query vectors\) or 'ids' \(primary keys\), not both/);
  refuses(() => parseSearch({ collectionName: 'c', ids: [] }), /'ids' must not be an empty list/);
  refuses(() => parseSearch({ collectionName: 'c', ids: [1.5] }), /'ids\[0\]' must be an integer or a string primary key/);
  refuses(() => parseSearch({ collectionName: 'c' }), /field 'data' is required/);
  refuses(() => parseHybridSearch({ collectionName: 'c', search: [{ data: [V8], annsField: 'a' }, { ids: [1], annsField: 'b' }] }), /'search\[1\].ids': a hybrid search's searches take data/);
});

test('query needs a filter or a limit; get takes one id or a list; delete needs a filter', () => {
  assert.equal(parseQuery({ collectionName: 'c', filter: 'x == 1' }).request, { filter: 'x == 1' });
  assert.equal(parseQuery({ collectionName: 'c', limit: 3, offset: 1, outputFields: ['x'] }).request, { limit: 3, offset: 1, outputFields: ['x'] });
  refuses(() => parseQuery({ collectionName: 'c' }), /needs a 'filter' or a 'limit'/);
  assert.equal(parseQuery({ collectionName: 'c', cursor: '' }), { collectionName: 'c', request: {}, cursor: '' }, 'a paged query needs neither');
  refuses(() => parseQuery({ collectionName: 'c', cursor: 'x', offset: 2 }), /'cursor' pages by it: 'offset' is not taken/);
  refuses(() => parseQuery({ collectionName: 'c', cursor: '', outputFields: ['count(*)'] }), /count\(\*\) is not taken/);
  refuses(() => parseQuery({ collectionName: 'c', cursor: 5 }), /'cursor' must be a string/);
  assert.equal(parseQuery({ collectionName: 'c', cursor: '', orderByFields: [{ fieldName: 'n', order: 'DESC' }] }), { collectionName: 'c', request: { orderByFields: [{ field: 'n', order: 'desc' }] }, cursor: '' }, 'a paged query may walk an order');
  assert.equal(parseGet({ collectionName: 'c', id: 5 }).ids, [5]);
  assert.equal(parseGet({ collectionName: 'c', id: ['a', 'b'], partitionName: 'p', partitionNames: ['q'] }), { collectionName: 'c', ids: ['a', 'b'], opts: { partitionNames: ['q', 'p'] } });
  refuses(() => parseGet({ collectionName: 'c', id: [] }), /'id' must not be an empty list/);
  refuses(() => parseGet({ collectionName: 'c', id: 9223372036854775807 }), /beyond the safe integer range.*±9007199254740991/);
  refuses(() => parseGet({ collectionName: 'c', id: [1, 2.5] }), /'id\[1\]' must be an integer or a string/);
  refuses(() => parseGet({ collectionName: 'c', id: true }), /'id' must be an integer or a string/);
  refuses(() => parseGet({ collectionName: 'c' }), /'id' is required/);
  assert.equal(parseDelete({ collectionName: 'c', filter: 'id in [1, 2]', partitionName: 'p' }), { collectionName: 'c', filter: 'id in [1, 2]', partitionName: 'p' });
  refuses(() => parseDelete({ collectionName: 'c' }), /'filter' is required/);
  refuses(() => parseDelete({ collectionName: 'c', filter: '' }), /'filter' must not be empty/);
  refuses(() => parseDelete({ collectionName: 'c', filter: 'x'.repeat(65537) }), /longer than 65536/);
});

test('indexes: create takes a list; describe takes an optional name', () => {
  assert.equal(parseCreateIndex({ collectionName: 'c', indexParams: [{ fieldName: 'v', indexType: 'hnsw', params: { M: '8' } }] }), {
    collectionName: 'c', indexes: [{ indexName: 'v', fieldName: 'v', indexType: 'HNSW', params: { M: 8 } }],
  });
  // As Milvus tutorials send IVF: the type inside params, nlist as a string.
  assert.equal(parseCreateIndex({ collectionName: 'c', indexParams: [{ fieldName: 'v', indexName: 'ivf', params: { index_type: 'IVF_FLAT', nlist: '1024' } }] }), {
    collectionName: 'c', indexes: [{ indexName: 'ivf', fieldName: 'v', indexType: 'IVF_FLAT', params: { nlist: 1024 } }],
  });
  assert.equal(parseDescribeIndex({ collectionName: 'c' }), { collectionName: 'c' });
  refuses(() => parseCreateIndex({ collectionName: 'c', indexParams: [] }), /must not be an empty list/);
  refuses(() => parseCreateIndex({ collectionName: 'c', indexParams: [{ indexName: 'x' }] }), /indexParams\[0\].fieldName' is required/);
  refuses(() => parseCreateIndex({ collectionName: 'c', indexParams: [{ fieldName: 'v', params: { M: [1] } }] }), /params.M' must be a number, a string or a boolean/);
  refuses(() => parseCreateIndex({ collectionName: 'c', indexParams: [{ fieldName: 'v', params: { metric_type: 'L2' } }] }), /belongs one level up/);
  refuses(() => parseCreateIndex({ collectionName: 'c', indexParams: [{ fieldName: 'v', indexName: 'i' }, { fieldName: 'w', indexName: 'i' }] }), /duplicate index name 'i'/);
  // JSON path indexes: one field, several paths, each its own index; a path twice is refused.
  const path = (indexName: string, json_path: string) => ({ fieldName: 'meta', indexName, indexType: 'INVERTED', params: { json_path, json_cast_type: 'double' } });
  assert.equal(parseCreateIndex({ collectionName: 'c', indexParams: [path('a', 'meta["a"]'), path('b', 'meta["b"]')] }).indexes.map((i) => i.params), [
    { json_path: 'meta["a"]', json_cast_type: 'double' }, { json_path: 'meta["b"]', json_cast_type: 'double' },
  ]);
  refuses(() => parseCreateIndex({ collectionName: 'c', indexParams: [path('a', 'meta["a"]'), path('b', 'meta["a"]')] }), /json_path meta\["a"\] of 'meta' is indexed twice/);
});

test('collection properties: params.ttlSeconds and properties on create; alter_properties and drop_properties', () => {
  assert.equal(parseCreateCollection({ collectionName: 'c', dimension: 8, params: { ttlSeconds: 60 } }).properties, { 'collection.ttl.seconds': 60 });
  assert.equal(parseCreateCollection({ collectionName: 'c', dimension: 8, properties: { 'collection.ttl.seconds': '60' } }).properties, { 'collection.ttl.seconds': '60' });
  assert.is(parseCreateCollection({ collectionName: 'c', dimension: 8 }).properties, undefined);
  refuses(() => parseCreateCollection({ collectionName: 'c', dimension: 8, params: { ttlSeconds: 5 }, properties: { 'collection.ttl.seconds': 6 } }), /disagree/);
  refuses(() => parseCreateCollection({ collectionName: 'c', dimension: 8, params: { ttlSeconds: -1 } }), /params.ttlSeconds/);
  refuses(() => parseCreateCollection({ collectionName: 'c', dimension: 8, properties: { 'collection.ttl.seconds': [1] } }), /properties.collection.ttl.seconds' must be a string, a number or a boolean/);
  assert.equal(parseAlterProperties({ collectionName: 'c', properties: { 'collection.ttl.seconds': 30 } }), { collectionName: 'c', properties: { 'collection.ttl.seconds': 30 } });
  refuses(() => parseAlterProperties({ collectionName: 'c' }), /'properties' is required/);
  assert.equal(parseDropProperties({ collectionName: 'c', propertyKeys: ['collection.ttl.seconds'] }), { collectionName: 'c', keys: ['collection.ttl.seconds'] });
  refuses(() => parseDropProperties({ collectionName: 'c', propertyKeys: 'collection.ttl.seconds' }), /propertyKeys/);
});

test('rename: collectionName to newCollectionName, and to another database with newDbName', () => {
  assert.equal(parseRename({ collectionName: 'a', newCollectionName: 'b' }), { collectionName: 'a', newName: 'b' });
  assert.equal(parseRename({ dbName: 'default', collectionName: 'a', newCollectionName: 'b', newDbName: '' }), { collectionName: 'a', newName: 'b' });
  refuses(() => parseRename({ collectionName: 'a' }), /'newCollectionName' is required/);
  refuses(() => parseRename({ collectionName: 'a', newCollectionName: '1b' }), /collection name/);
  assert.equal(parseRename({ collectionName: 'a', newCollectionName: 'b', newDbName: 'db2' }), { collectionName: 'a', newName: 'b', newDbName: 'db2' });
  refuses(() => parseRename({ collectionName: 'a', newCollectionName: 'b', newDbName: '2db' }), /database name/);
});

test('partition load and release take partitionNames; get_load_state takes them too', () => {
  assert.equal(parsePartitionNames({ collectionName: 'c', partitionNames: ['p1', 'p2'] }), { collectionName: 'c', partitionNames: ['p1', 'p2'] });
  refuses(() => parsePartitionNames({ collectionName: 'c' }), /'partitionNames' is required/);
  refuses(() => parsePartitionNames({ collectionName: 'c', partitionNames: ['p-1'] }), /partition name 'p-1'/);
  assert.equal(parseLoadState({ collectionName: 'c', partitionNames: ['p1'] }), { collectionName: 'c', partitionNames: ['p1'] });
  assert.equal(parseLoadState({ collectionName: 'c', partitionNames: [] }), { collectionName: 'c' });
  assert.equal(parseLoadState({ collectionName: 'c' }), { collectionName: 'c' });
});


test('a query cursor carries an ordered walk\'s order and last values; a forged one is refused', () => {
  const pos = { snapshotTso: 123456789012345678n, after: 42, order: [{ field: 'price', desc: true }, { field: 'cat', desc: false }], afterValues: [2.5, null], returned: 0, holdId: 3 };
  assert.equal(decodeQueryCursor(encodeQueryCursor(pos)), pos);
  const plain = { snapshotTso: 5n, after: 'k', returned: 0 };
  assert.equal(decodeQueryCursor(encodeQueryCursor(plain)), plain);
  const forged = (body: object) => Buffer.from(JSON.stringify(body)).toString('base64url');
  refuses(() => decodeQueryCursor(forged({ t: '5', o: [{ field: 'x' }] })), /not a cursor this API returned/);
  refuses(() => decodeQueryCursor(forged({ t: '5', o: [{ field: 'x', desc: true, more: 1 }] })), /not a cursor this API returned/);
  refuses(() => decodeQueryCursor(forged({ t: '5', v: [{}] })), /not a cursor this API returned/);
});

test('hybrid_search takes orderByFields and an aggregation as search does', () => {
  const body = { collectionName: 'c', search: [{ data: [[1, 2]], annsField: 'v', limit: 5 }], limit: 5 };
  const aggregation = { fields: ['brand'], size: 2, search_size: 3 };
  const { request } = parseHybridSearch({ ...body, orderByFields: [{ fieldName: 'price', order: 'desc' }, { fieldName: 'n' }], aggregation });
  assert.equal(request.orderByFields, [{ field: 'price', order: 'desc' }, { field: 'n' }]);
  assert.equal(request.aggregation, aggregation);
  refuses(() => parseHybridSearch({ ...body, orderByFields: [{ fieldName: 'price', order: 'up' }] }), /must be "asc" or "desc"/);
  refuses(() => parseHybridSearch({ ...body, orderByFields: [] }), /orderByFields/);
});

test.run();
