import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { decideCreateCollection, normaliseIndex } from '../../actors/coordinator/core/catalog.js';
import { indexTargetKey } from '../../actors/coordinator/core/jsonIndexParams.js';
import { ValidationError } from '../../messages/errors.js';
import type { CollectionRecord } from '../../messages/rpc/records.js';
import type { CollectionSchema } from '../../messages/schema.js';
import type { IndexParams } from '../../messages/types.js';

/** JSON path indexes as Milvus users ask for them (normaliseIndex, jsonIndexParams.ts). */
const schema: CollectionSchema = {
  enableDynamicField: true,
  fields: [
    { name: 'id', dataType: 'Int64', isPrimary: true }, { name: 'vec', dataType: 'FloatVector', dim: 4 },
    { name: 'meta', dataType: 'JSON', nullable: true }, { name: 'other', dataType: 'JSON' }, { name: 's', dataType: 'VarChar', maxLength: 8 },
  ],
};
const rec = { metricType: 'L2', indexes: [], schema } as unknown as CollectionRecord;
const strict = { ...rec, schema: { ...schema, enableDynamicField: false } } as CollectionRecord;
const norm = (p: Partial<IndexParams>, r: CollectionRecord = rec) => normaliseIndex(r, p);
function refused(p: Partial<IndexParams>, re: RegExp, r: CollectionRecord = rec): void {
  try { norm(p, r); } catch (e) {
    assert.instance(e, ValidationError);
    assert.is((e as ValidationError).code, 'InvalidArgument');
    assert.match((e as Error).message, re);
    return;
  }
  assert.unreachable(`accepted ${JSON.stringify(p)}`);
}

test('a path of a JSON field: INVERTED (AUTOINDEX too), the path written canonically, the cast upper case', () => {
  assert.equal(norm({ fieldName: 'meta', indexName: 'by_b', indexType: 'AUTOINDEX', params: { json_path: "meta['a'] [\"b\"]", json_cast_type: 'double' } }),
    { indexName: 'by_b', fieldName: 'meta', indexType: 'INVERTED', params: { json_path: 'meta["a"]["b"]', json_cast_type: 'DOUBLE' } });
  assert.equal(norm({ fieldName: 'meta', indexType: 'inverted', params: { json_path: 'meta', json_cast_type: 'Array_Varchar' } }).params, { json_path: 'meta', json_cast_type: 'ARRAY_VARCHAR' }, 'the whole value');
  assert.equal(norm({ fieldName: 'meta', params: { json_path: 'meta["tags"][0]', json_cast_type: 'VARCHAR' } }).params.json_path, 'meta["tags"][0]', 'a list element by position');
  assert.equal(norm({ fieldName: 'meta', params: { json_path: 'meta["p"]', json_cast_type: 'DOUBLE', json_cast_function: 'string_to_double' } }).params,
    { json_path: 'meta["p"]', json_cast_type: 'DOUBLE', json_cast_function: 'STRING_TO_DOUBLE' });
  for (const t of ['BOOL', 'DOUBLE', 'VARCHAR', 'ARRAY_BOOL', 'ARRAY_DOUBLE', 'ARRAY_VARCHAR']) {
    assert.is(norm({ fieldName: 'meta', params: { json_path: 'meta["x"]', json_cast_type: t.toLowerCase() } }).params.json_cast_type, t);
  }
});

test('a dynamic key: the field name is the key, the path starts at it or at $meta; found at $meta["key"]', () => {
  const color = norm({ fieldName: 'color', indexType: 'INVERTED', params: { json_path: 'color', json_cast_type: 'varchar' } });
  assert.equal(color, { indexName: 'color', fieldName: 'color', indexType: 'INVERTED', params: { json_path: 'color', json_cast_type: 'VARCHAR' } });
  assert.is(indexTargetKey(schema, color), '$meta["color"]');
  const deep = norm({ fieldName: 'color', params: { json_path: '$meta["color"]["rgb"]', json_cast_type: 'DOUBLE' } });
  assert.is(deep.params.json_path, 'color["rgb"]');
  assert.is(indexTargetKey(schema, deep), '$meta["color"]["rgb"]');
  assert.is(indexTargetKey(schema, norm({ fieldName: 'meta', params: { json_path: 'meta["a"]', json_cast_type: 'BOOL' } })), 'meta["a"]');
  const whole = norm({ fieldName: '$meta', params: { json_path: '$meta["color"]', json_cast_type: 'VARCHAR' } });
  assert.equal([whole.params.json_path, indexTargetKey(schema, whole)], ['$meta["color"]', '$meta["color"]'], 'the dynamic field named as such');
  assert.is(indexTargetKey(schema, norm({ fieldName: 's' })), 's', 'a typed field is its own key');
});

test('refused with a clear reason: bad path, another field\'s path, unknown cast, wrong index type, misplaced params', () => {
  const p = (params: Record<string, string>, more: Partial<IndexParams> = {}) => ({ fieldName: 'meta', indexType: 'INVERTED', params, ...more });
  refused(p({ json_path: 'meta[', json_cast_type: 'DOUBLE' }), /json_path "meta\[" is not a JSON path/);
  refused(p({ json_path: 'meta["a"] == 1', json_cast_type: 'DOUBLE' }), /is not a JSON path: expected \["key"\] or \[index\]/);
  refused(p({ json_path: 'meta[-1]', json_cast_type: 'DOUBLE' }), /not a JSON path/);
  refused(p({ json_path: 'meta[1.5]', json_cast_type: 'DOUBLE' }), /not a JSON path/);
  refused(p({ json_path: '"meta"', json_cast_type: 'DOUBLE' }), /must start with a field name/);
  refused(p({ json_path: '', json_cast_type: 'DOUBLE' }), /json_path must be a non-empty string/);
  refused(p({ json_path: 'other["a"]', json_cast_type: 'DOUBLE' }), /is a path of 'other', not of the index's field 'meta'/);
  refused(p({ json_path: 'meta["a"]', json_cast_type: 'INT64' }), /json_cast_type "INT64" .*not one of BOOL, DOUBLE, VARCHAR/);
  refused(p({ json_path: 'meta["a"]', json_cast_type: 'json' }), /casting whole objects \(JSON\) is not supported/);
  refused(p({ json_path: 'meta["a"]', json_cast_type: 'VARCHAR', json_cast_function: 'STRING_TO_DOUBLE' }), /casts to DOUBLE; json_cast_type is VARCHAR/);
  refused(p({ json_path: 'meta["a"]', json_cast_type: 'DOUBLE', json_cast_function: 'TO_UPPER' }), /json_cast_function "TO_UPPER" is not one of STRING_TO_DOUBLE/);
  refused(p({ json_path: 'meta["a"]' }), /needs params json_path and json_cast_type/);
  refused(p({ json_path: 'meta["a"]', json_cast_type: 'DOUBLE' }, { indexType: 'STL_SORT' }), /is INVERTED, NGRAM \(or AUTOINDEX\), not STL_SORT/);
  refused(p({ json_path: 'meta["a"]', json_cast_type: 'DOUBLE' }, { metricType: 'L2' as never }), /takes no metricType/);
  refused({ fieldName: 's', params: { json_path: 's["a"]', json_cast_type: 'VARCHAR' } }, /VarChar field 's' takes no json_path/);
  refused({ fieldName: 'color', params: { json_path: 'colour', json_cast_type: 'VARCHAR' } }, /is a path of 'colour', not of the index's dynamic key 'color'/);
  refused({ fieldName: 'color', params: { json_path: 'color', json_cast_type: 'VARCHAR' } }, /'color' is not a field of the collection/, strict);
});

test('a create request: several paths of one JSON field, each once', () => {
  const spec = { collectionName: 'c', schema, metricType: 'L2' as const };
  const ix = (indexName: string, json_path: string, json_cast_type = 'DOUBLE') => ({ indexName, fieldName: 'meta', indexType: 'INVERTED', params: { json_path, json_cast_type } });
  const r = decideCreateCollection({ byName: new Map(), aliases: new Map() }, { ...spec, indexParams: [ix('a', 'meta["a"]'), ix('b', 'meta["b"]'), ix('whole', 'meta', 'VARCHAR')] }, 1, ['p0'], 1n);
  assert.equal(r.indexes.map((i) => i.params.json_path), ['meta["a"]', 'meta["b"]', 'meta']);
  assert.throws(() => decideCreateCollection({ byName: new Map(), aliases: new Map() }, { ...spec, indexParams: [ix('a', 'meta["a"]'), ix('a2', "meta['a']", 'VARCHAR')] }, 1, ['p0'], 1n),
    /'meta\["a"\]' is given two indexes/, 'one path, two casts: refused');
});

test.run();
