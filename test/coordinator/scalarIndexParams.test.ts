import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { decideCreateCollection, normaliseIndex } from '../../actors/coordinator/core/catalog.js';
import { ValidationError } from '../../messages/errors.js';
import type { CollectionRecord } from '../../messages/rpc/records.js';
import type { CollectionSchema } from '../../messages/schema.js';
import type { IndexParams } from '../../messages/types.js';

/** Scalar indexes as Milvus users ask for them, by Milvus's rules per type (normaliseIndex). */
const schema: CollectionSchema = {
  fields: [
    { name: 'id', dataType: 'Int64', isPrimary: true }, { name: 'vec', dataType: 'FloatVector', dim: 4 },
    { name: 'flag', dataType: 'Bool' }, { name: 'n8', dataType: 'Int8' }, { name: 'n', dataType: 'Int64', nullable: true },
    { name: 'f', dataType: 'Float' }, { name: 'd', dataType: 'Double' }, { name: 's', dataType: 'VarChar', maxLength: 8 },
    { name: 'meta', dataType: 'JSON' },
    { name: 'tags', dataType: 'Array', elementType: 'VarChar', maxCapacity: 4, maxLength: 8 },
    { name: 'vals', dataType: 'Array', elementType: 'Double', maxCapacity: 4 },
  ],
};
const rec = { metricType: 'L2', indexes: [], schema } as unknown as CollectionRecord;
const norm = (p: Partial<IndexParams>) => normaliseIndex(rec, p);
function refused(p: Partial<IndexParams>, re: RegExp): void {
  try { norm(p); } catch (e) {
    assert.instance(e, ValidationError);
    assert.match((e as Error).message, re);
    return;
  }
  assert.unreachable(`accepted ${JSON.stringify(p)}`);
}

test('INVERTED on every scalar and Array field, the key too; no metric is recorded', () => {
  for (const fieldName of ['id', 'flag', 'n8', 'n', 'f', 'd', 's', 'tags', 'vals']) {
    assert.equal(norm({ fieldName, indexType: 'INVERTED' }), { indexName: fieldName, fieldName, indexType: 'INVERTED', params: {} });
  }
});

test('AUTOINDEX on a scalar field is INVERTED; type names in any case are spelled as Milvus spells them', () => {
  assert.is(norm({ fieldName: 's', indexType: 'AUTOINDEX' }).indexType, 'INVERTED');
  assert.is(norm({ fieldName: 's', indexType: 'TRIE', indexName: 'by_s' }).indexType, 'Trie');
  assert.is(norm({ fieldName: 'd', indexType: 'stl_sort' }).indexType, 'STL_SORT');
  assert.is(norm({ fieldName: 'n8', indexType: 'bitmap' }).indexType, 'BITMAP');
  assert.equal(norm({ fieldName: 'n', indexType: 'BITMAP', params: { bitmap_cardinality_limit: 100 } }).params, { bitmap_cardinality_limit: 100 }, 'params are kept as given');
});

test('STL_SORT takes numbers (the key too), BITMAP no Float, Double nor the key, Trie only VarChar', () => {
  for (const fieldName of ['id', 'n8', 'n', 'f', 'd']) assert.is(norm({ fieldName, indexType: 'STL_SORT' }).indexType, 'STL_SORT');
  for (const fieldName of ['s', 'flag', 'tags']) refused({ fieldName, indexType: 'STL_SORT' }, /STL_SORT takes numeric fields/);
  for (const fieldName of ['flag', 'n8', 's', 'tags']) assert.is(norm({ fieldName, indexType: 'BITMAP' }).indexType, 'BITMAP');
  for (const fieldName of ['f', 'd', 'vals']) refused({ fieldName, indexType: 'BITMAP' }, /BITMAP takes Bool, Int8..Int64 and VarChar/);
  refused({ fieldName: 'id', indexType: 'BITMAP' }, /BITMAP cannot index the primary key/);
  for (const fieldName of ['n', 'tags', 'flag']) refused({ fieldName, indexType: 'Trie' }, /Trie takes VarChar fields/);
});

test('refused: a metric on a scalar index, a JSON field, a vector type on a scalar field, an unknown type or field', () => {
  refused({ fieldName: 'n', indexType: 'INVERTED', metricType: 'L2' }, /takes no metricType/);
  refused({ fieldName: 'meta', indexType: 'INVERTED' }, /JSON field 'meta' needs params json_path and json_cast_type/);
  refused({ fieldName: 'n', indexType: 'HNSW' }, /HNSW indexes vector fields; 'n' is not a vector field/);
  refused({ fieldName: 'n', indexType: 'RTREE_X' }, /'RTREE_X' cannot index scalar field 'n'/);
  refused({ fieldName: 'nope', indexType: 'INVERTED' }, /'nope' is not a field/);
});

test('NGRAM (Milvus 2.6): a VarChar field or a JSON path cast to VARCHAR, min_gram and max_gram checked and kept as numbers', () => {
  assert.equal(norm({ fieldName: 's', indexType: 'ngram', params: { min_gram: 2, max_gram: '3' } }), { indexName: 's', fieldName: 's', indexType: 'NGRAM', params: { min_gram: 2, max_gram: 3 } });
  assert.equal(norm({ fieldName: 'meta', indexName: 'body', indexType: 'NGRAM', params: { json_path: "meta['body']", json_cast_type: 'varchar', min_gram: 1, max_gram: 4 } }),
    { indexName: 'body', fieldName: 'meta', indexType: 'NGRAM', params: { json_path: 'meta["body"]', json_cast_type: 'VARCHAR', min_gram: 1, max_gram: 4 } });
  for (const fieldName of ['n', 'd', 'flag', 'tags']) refused({ fieldName, indexType: 'NGRAM', params: { min_gram: 2, max_gram: 3 } }, /NGRAM takes VarChar fields/);
  refused({ fieldName: 's', indexType: 'NGRAM', params: { min_gram: 2 } }, /must specify both min_gram and max_gram/);
  refused({ fieldName: 's', indexType: 'NGRAM' }, /must specify both min_gram and max_gram/);
  refused({ fieldName: 's', indexType: 'NGRAM', params: { min_gram: 4, max_gram: 3 } }, /invalid min_gram or max_gram/);
  refused({ fieldName: 's', indexType: 'NGRAM', params: { min_gram: 'two', max_gram: 3 } }, /min_gram for NGRAM index must be an integer/);
  refused({ fieldName: 'meta', indexType: 'NGRAM', params: { json_path: 'meta["body"]', min_gram: 2, max_gram: 3 } }, /must specify json_cast_type VARCHAR/);
  refused({ fieldName: 'meta', indexType: 'NGRAM', params: { json_path: 'meta["body"]', json_cast_type: 'DOUBLE', min_gram: 2, max_gram: 3 } }, /only supports json_cast_type VARCHAR, got: DOUBLE/);
  refused({ fieldName: 'meta', indexType: 'NGRAM', params: { json_path: 'meta["body"]', json_cast_type: 'VARCHAR', min_gram: 0, max_gram: 3 } }, /invalid min_gram or max_gram/);
  refused({ fieldName: 'meta', indexType: 'BITMAP', params: { json_path: 'meta["body"]', json_cast_type: 'VARCHAR' } }, /is INVERTED, NGRAM \(or AUTOINDEX\), not BITMAP/);
});

test('a create request indexes each field once, vector and scalar alike', () => {
  const spec = { collectionName: 'c', schema, metricType: 'L2' as const };
  const r = decideCreateCollection({ byName: new Map(), aliases: new Map() }, { ...spec, indexParams: [{ indexName: 'v', fieldName: 'vec', indexType: 'HNSW', params: {} }, { indexName: 's_idx', fieldName: 's', indexType: 'Trie', params: {} }] }, 1, ['p0'], 1n);
  assert.equal(r.indexes.map((i) => [i.fieldName, i.indexType, i.metricType]), [['vec', 'HNSW', 'L2'], ['s', 'Trie', undefined]]);
  assert.throws(() => decideCreateCollection({ byName: new Map(), aliases: new Map() }, { ...spec, indexParams: [{ indexName: 'a', fieldName: 'n', indexType: 'INVERTED', params: {} }, { indexName: 'b', fieldName: 'n', indexType: 'STL_SORT', params: {} }] }, 1, ['p0'], 1n), /'n' is given two indexes/);
});

test.run();
